"""GoalGAN: a GAN that learns to generate tasks of intermediate difficulty for the student (Florensa, Held, Geng &
Abbeel, "Automatic Goal Generation for Reinforcement Learning Agents", ICML 2018), with TeachMyAgent's setup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .base import TeacherError
from .checks import checked_distribution, checked_integer, checked_pair, checked_real
from .neural_teacher import NeuralTeacher, checked_layers, matching_row
from .registry import register_teacher
from .success import checked_success_thresholds, episode_success

# Samples the generator is pretrained on (TeachMyAgent: 1000).
PRETRAIN_SAMPLES = 1000
# Without an expert distribution, the pretraining samples come from a Gaussian of this std per unit dimension (10% of
# each range, as TeachMyAgent's) around a point drawn uniformly in the cube by the teacher's own generator.
RANDOM_PRETRAIN_STD = 0.1
# Generated tasks are drawn this many at a time from the current generator (it only changes when trained).
SAMPLE_BATCH = 64
# The generator's tanh spans [-0.5, 1.5] per dimension, twice the unit cube, so the cube's edges are reachable
# without saturating it (as TeachMyAgent's scaling does); what falls outside is clipped.
GENERATOR_REACH = 1.0


@register_teacher("goal-gan")
class GoalGANTeacher(NeuralTeacher):
    """GoalGAN: tasks come from a generator trained to produce goals of intermediate difficulty (GOID).

    A generated task (plus Gaussian noise of std ``task_noise`` in the unit cube) is proposed ``rollouts_per_task``
    times in a row; once all its episodes are back, it is labelled GOID when its success rate lies within
    ``intermediate_success``, and it joins a buffer of solved tasks when it is above. With probability
    ``old_task_ratio`` a task is instead an old solved task (plus the same noise), which keeps mastered skills in
    practice; these are not labelled. Every ``tasks_per_update`` labelled tasks, the least-squares GAN is trained for
    ``gan_iterations`` iterations: the discriminator learns to tell GOID tasks (target 1) from non-GOID and generated
    ones (target -1), the generator to make it output 1. Without any GOID task in a batch, the training is skipped.

    Success is the ``success`` given to ``update`` (the env's ``info["success"]``); an update without it counts a
    return of at least ``reward_thresholds[1]`` as a success, and fails when no thresholds were given.

    Args:
        tasks_per_update: labelled tasks per GAN training (reference 100).
        rollouts_per_task: episodes per generated task before it is labelled (reference 2).
        intermediate_success: ``(low, high)`` success rates of a GOID task, inclusive (reference (0.25, 0.75)).
        old_task_ratio: probability of replaying a solved task (reference 0.2; TeachMyAgent benchmark 0.1).
        task_noise: std of the Gaussian noise on generated and replayed tasks, per unit dimension (reference 0.1).
        solved_distance: a solved task joins the buffer only if it is farther than this share of the cube's diagonal
            from every task already in it (reference 0.01).
        generator_layers: hidden layer sizes of the generator (reference (256, 256), ReLU).
        discriminator_layers: hidden layer sizes of the discriminator (reference (128, 128), leaky ReLU 0.2).
        gan_iterations: discriminator-and-generator steps per training (reference 250).
        pretrain: pretrain the generator before the first task, as every TeachMyAgent paper run does
            (``--use_pretrained_samples``): on ``initial_distribution`` when given, otherwise on a narrow Gaussian
            (std 0.1 of each range) around a uniformly random point of the space, drawn with the teacher's seed.
            False: no pretraining, the generator starts from its random initial weights.
        pretrain_iterations: steps of pretraining (reference 500); 0 also turns pretraining off.
        batch_size: tasks per step, for both the real and the generated ones (reference 64).
        learning_rate: RMSprop learning rate of both networks (reference 0.001).
        initial_distribution: expert ``{"mean": ..., "std": ...}`` in task units: the GAN is first trained to
            generate 1000 tasks drawn from it (TeachMyAgent's "high" expert knowledge); None: 1000 tasks of the random
            narrow Gaussian of ``pretrain``.
        reward_thresholds: ``(low, high)`` returns; ``high`` is the success threshold for updates without a
            success flag (expert knowledge).
        device: see :class:`~teachgym.teachers.neural_teacher.NeuralTeacher`.
        seed, reward_range: see :class:`~teachgym.teachers.Teacher`.

    Metrics: ``gan_trainings``, ``discriminator_loss`` and ``generator_loss`` (of the last training),
    ``goid_share`` (share of GOID tasks in the last labelled batch), ``labelled_tasks`` (waiting for the next
    training), ``solved_tasks`` (in the buffer) and ``pending_tasks`` (generated, not all episodes back), with
    those of every neural teacher (:meth:`~teachgym.teachers.neural_teacher.NeuralTeacher.metrics`).
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = {"tma": {"old_task_ratio": 0.1}}
    state_attributes: ClassVar[tuple[str, ...]] = (
        *NeuralTeacher.state_attributes, "queue", "generated", "pending_tasks", "pending_successes",
        "labelled_tasks", "labelled_goid", "solved_tasks", "gan_trainings", "losses", "goid_share",
    )

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        tasks_per_update: int = 100,
        rollouts_per_task: int = 2,
        intermediate_success: Sequence[float] = (0.25, 0.75),
        old_task_ratio: float = 0.2,
        task_noise: float = 0.1,
        solved_distance: float = 0.01,
        generator_layers: Sequence[int] = (256, 256),
        discriminator_layers: Sequence[int] = (128, 128),
        gan_iterations: int = 250,
        pretrain: bool = True,
        pretrain_iterations: int = 500,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        initial_distribution: Mapping[str, Any] | None = None,
        reward_thresholds: Sequence[float] | None = None,
        device: Any = "auto",
        **base: Any,
    ):
        name = self.name
        self.tasks_per_update = checked_integer(name, "tasks_per_update", tasks_per_update, minimum=1)
        self.rollouts_per_task = checked_integer(name, "rollouts_per_task", rollouts_per_task, minimum=1)
        self.intermediate_success = checked_pair(name, "intermediate_success", intermediate_success, low=0.0,
                                                 high=1.0, strict=False)
        self.old_task_ratio = checked_real(name, "old_task_ratio", old_task_ratio, low=0.0, high=1.0)
        self.task_noise = checked_real(name, "task_noise", task_noise, low=0.0)
        self.solved_distance = checked_real(name, "solved_distance", solved_distance, low=0.0)
        generator_layers = checked_layers(name, "generator_layers", generator_layers)
        discriminator_layers = checked_layers(name, "discriminator_layers", discriminator_layers)
        self.gan_iterations = checked_integer(name, "gan_iterations", gan_iterations, minimum=1)
        if not isinstance(pretrain, (bool, np.bool_)):
            raise TeacherError(f"teacher {name!r}: pretrain must be True or False, got {pretrain!r}")
        self.pretrain = bool(pretrain)
        self.pretrain_iterations = checked_integer(name, "pretrain_iterations", pretrain_iterations, minimum=0)
        self.batch_size = checked_integer(name, "batch_size", batch_size, minimum=1)
        self.learning_rate = checked_real(name, "learning_rate", learning_rate, low=0.0, low_open=True)
        self.reward_thresholds = checked_success_thresholds(name, reward_thresholds)
        super().__init__(task_space, device=device, **base)
        initial = checked_distribution(name, "initial_distribution", task_space, initial_distribution)
        self.latent_size = self.ndim  # TeachMyAgent: one latent dimension per task dimension

        def factory():
            from .networks import mlp

            torch = self.torch
            networks = {
                "generator": mlp(self.latent_size, generator_layers, self.ndim),
                "discriminator": mlp(self.ndim, discriminator_layers, 1, torch.nn.LeakyReLU, negative_slope=0.2),
            }
            return networks, lambda built: {key: torch.optim.RMSprop(network.parameters(), lr=self.learning_rate,
                                                                     foreach=True) for key, network in built.items()}

        self._build(factory)
        self.queue: list[np.ndarray] = []  # copies of the latest generated task still to be proposed
        self.generated = np.zeros((0, self.ndim))  # generated tasks not proposed yet (noise added)
        self.pending_tasks = np.zeros((0, self.ndim))  # generated tasks whose episodes are not all back
        self.pending_successes: list[list[bool]] = []
        self.labelled_tasks: list[np.ndarray] = []
        self.labelled_goid: list[bool] = []
        self.solved_tasks = np.zeros((0, self.ndim))
        self.gan_trainings = 0
        self.losses = (0.0, 0.0)  # discriminator, generator: of the last training
        self.goid_share = 0.0
        if self.pretrain and self.pretrain_iterations > 0:
            # At construction, from the seeded generator: a resumed teacher's loaded state replaces all of it.
            mean, std = initial if initial is not None else (self.rng.uniform(0.0, 1.0, self.ndim), RANDOM_PRETRAIN_STD)
            samples = np.clip(mean + std * self.rng.standard_normal((PRETRAIN_SAMPLES, self.ndim)), 0.0, 1.0)
            with self.one_thread():
                self._record_losses(self._train_gan(samples, np.ones(PRETRAIN_SAMPLES, dtype=bool),
                                                    self.pretrain_iterations))

    # ------------------------------------------------------------------------------------------------ sampling
    def _sample(self) -> np.ndarray:
        if self.queue:
            return self.queue.pop()
        if len(self.solved_tasks) and self.rng.random() < self.old_task_ratio:
            old = self.solved_tasks[self.rng.integers(len(self.solved_tasks))]
            return np.clip(old + self.task_noise * self.rng.standard_normal(self.ndim), 0.0, 1.0)
        if not len(self.generated):
            self.generated = self._remember_batch(self.generate(SAMPLE_BATCH, noisy=True))
        unit, self.generated = self.generated[0], self.generated[1:]
        self.pending_tasks = np.vstack([self.pending_tasks, self.reported(unit)])
        self.pending_successes.append([])
        self.queue = [unit.copy() for _ in range(self.rollouts_per_task - 1)]
        return unit

    def generate(self, count: int, *, noisy: bool = False) -> np.ndarray:
        """``count`` tasks from the generator, in the unit cube (clipped), with the exploration noise if ``noisy``."""
        latent = self.tensor(self.rng.standard_normal((count, self.latent_size)))
        with self.torch.no_grad():
            tasks = self.array(self._generator_output(latent))
        if noisy:
            tasks = tasks + self.task_noise * self.rng.standard_normal(tasks.shape)
        return np.clip(tasks, 0.0, 1.0)

    def _generator_output(self, latent: Any) -> Any:
        return 0.5 + GENERATOR_REACH * self.torch.tanh(self.networks["generator"](latent))

    # ------------------------------------------------------------------------------------------------ learning
    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        succeeded = episode_success(self.name, episode_return, success, self.reward_thresholds)
        index = matching_row(self.pending_tasks, unit_task)
        if index is None:
            return  # not a generated task (a replayed solved task, or one the teacher did not propose)
        self.pending_successes[index].append(succeeded)
        if len(self.pending_successes[index]) < self.rollouts_per_task:
            return
        rate = float(np.mean(self.pending_successes.pop(index)))
        task, self.pending_tasks = self.pending_tasks[index], np.delete(self.pending_tasks, index, axis=0)
        low, high = self.intermediate_success
        self.labelled_tasks.append(task)
        self.labelled_goid.append(low <= rate <= high)
        if rate > high:
            self._add_solved(task)
        if len(self.labelled_tasks) >= self.tasks_per_update:
            goid = np.array(self.labelled_goid)
            self.goid_share = float(goid.mean())
            if goid.any():
                self._record_losses(self._train_gan(np.array(self.labelled_tasks), goid, self.gan_iterations))
                self.gan_trainings += 1
                self.generated = np.zeros((0, self.ndim))
            self.labelled_tasks, self.labelled_goid = [], []

    def _record_losses(self, losses: tuple[float, float]) -> None:
        if np.all(np.isfinite(losses)):  # a skipped, non-finite step keeps the last finite figures
            self.losses = losses

    def _add_solved(self, task: np.ndarray) -> None:
        threshold = self.solved_distance * np.sqrt(self.ndim)
        if len(self.solved_tasks) and np.linalg.norm(self.solved_tasks - task, axis=1).min() <= threshold:
            return
        self.solved_tasks = np.vstack([self.solved_tasks, task])

    def _train_gan(self, tasks: np.ndarray, goid: np.ndarray, iterations: int) -> tuple[float, float]:
        """Least-squares GAN steps on labelled unit tasks; returns the last discriminator and generator losses."""
        torch = self.torch
        discriminator = self.networks["discriminator"]
        real_tasks, real_targets = self.tensor(tasks), self.tensor(np.where(goid, 1.0, -1.0)[:, None])
        batch = min(self.batch_size, len(tasks))
        fake_targets = torch.full((self.batch_size, 1), -1.0, device=self.device)
        for _ in range(iterations):
            chosen = torch.as_tensor(self.rng.choice(len(tasks), size=batch, replace=False), device=self.device)
            latent = self.tensor(self.rng.standard_normal((self.batch_size, self.latent_size)))
            fakes = self._generator_output(latent)
            predictions = discriminator(torch.cat([real_tasks[chosen], fakes.detach()]))
            discriminator_loss = (predictions - torch.cat([real_targets[chosen], fake_targets])).square().mean()
            self.optimise("discriminator", discriminator_loss)
            generator_loss = (discriminator(fakes) - 1.0).square().mean()
            self.optimise("generator", generator_loss)
        return discriminator_loss.item(), generator_loss.item()

    def _metrics(self) -> dict[str, float]:
        return {
            "gan_trainings": self.gan_trainings,
            "discriminator_loss": self.losses[0],
            "generator_loss": self.losses[1],
            "goid_share": self.goid_share,
            "labelled_tasks": len(self.labelled_tasks),
            "solved_tasks": len(self.solved_tasks),
            "pending_tasks": len(self.pending_tasks),
        }


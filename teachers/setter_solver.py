"""Setter-Solver: a setter network proposes tasks of a desired feasibility, a judge network predicts the student's
success (Racanière, Lampinen, Santoro, Reichert, Firoiu & Lillicrap, "Automated curricula through setter-solver
interactions", ICLR 2020), with TeachMyAgent's setup."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .checks import checked_integer, checked_real
from .neural_teacher import NeuralTeacher, checked_layers, matching_row
from .registry import register_teacher
from .success import checked_success_thresholds, episode_success

# Tasks are drawn this many at a time from the current setter (it only changes at updates).
SAMPLE_BATCH = 64
# Desired feasibilities are drawn uniformly and kept this far from 0 and 1, so their logits (the judge's targets)
# stay finite.
FEASIBILITY_MARGIN = 1e-3
# Noisy solved tasks are kept this far inside the unit cube, where the setter's inverse sigmoid is finite.
CUBE_MARGIN = 1e-4


@register_teacher("setter-solver")
class SetterSolverTeacher(NeuralTeacher):
    """Setter-Solver: a conditional RealNVP setter proposes tasks of a desired feasibility ``f ~ U(0, 1)``; a judge
    MLP predicts from a task the logit of the student's success.

    Every ``update_period`` episodes both learn from the episodes since the last update (then forgotten), for
    ``gradient_steps`` Adam steps each: the judge by cross-entropy with the successes; the setter by the sum of three
    losses: *validity* (the negative log density of the solved tasks, each with uniform noise of half-width
    ``task_noise`` and conditioned on the feasibility it was proposed for), *feasibility* (the squared gap between
    the judge's logit of fresh proposals and the logit of the feasibility they were asked for) and *coverage* (the
    mean log density of fresh proposals: minimising it keeps the setter's entropy high).

    Success is the ``success`` given to ``update`` (the env's ``info["success"]``); an update without it counts a
    return of at least ``reward_thresholds[1]`` as a success, and fails when no thresholds were given. Episodes on
    tasks the teacher did not propose train the judge only.

    Args:
        update_period: episodes between two updates (reference 50).
        task_noise: half-width of the uniform noise on solved tasks in the validity loss, per unit dimension
            (reference 0.1).
        hidden_size: width of the setter's highway networks (reference 64).
        flow_blocks: coupling blocks of the setter, three couplings each (reference 3).
        highway_blocks: highway blocks per coupling network (reference 3).
        judge_layers: hidden layer sizes of the judge (reference (64, 64, 64), ReLU).
        gradient_steps: Adam steps of each network per update (TeachMyAgent: 1). Preset ``"simulated"``: 20, for
            one-step simulated students, which change in a few episodes as much as an RL student in thousands (with
            1 step, a setter had taught ``teachgym/SimulatedStudent-v0`` nothing after 2000 episodes; with 20, 22% of
            the space was mastered, against 3% with random tasks).
        learning_rate: Adam learning rate of both networks (reference 3e-4).
        reward_thresholds: ``(low, high)`` returns; ``high`` is the success threshold for updates without a
            success flag (expert knowledge).
        device: see :class:`~teachgym.teachers.neural_teacher.NeuralTeacher`.
        seed, reward_range: see :class:`~teachgym.teachers.Teacher`.

    Metrics: ``setter_updates``, ``judge_loss``, ``setter_loss`` and its ``validity_loss``, ``feasibility_loss`` and
    ``coverage_loss`` (of the last update), ``success_rate`` (of the episodes of the last update) and
    ``pending_tasks`` (proposed, episode not back yet), with those of every neural teacher
    (:meth:`~teachgym.teachers.neural_teacher.NeuralTeacher.metrics`).
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = {"simulated": {"gradient_steps": 20}}
    state_attributes: ClassVar[tuple[str, ...]] = (
        *NeuralTeacher.state_attributes, "proposals", "pending_tasks", "pending_feasibilities", "episode_tasks",
        "episode_feasibilities", "episode_successes", "setter_updates", "losses", "success_rate",
    )

    def __init__(self, task_space: TaskSpace, *, update_period: int = 50, task_noise: float = 0.1,
                 hidden_size: int = 64, flow_blocks: int = 3, highway_blocks: int = 3,
                 judge_layers: Sequence[int] = (64, 64, 64), gradient_steps: int = 1, learning_rate: float = 3e-4,
                 reward_thresholds: Sequence[float] | None = None, device: Any = "auto", **base: Any):
        name = self.name
        self.update_period = checked_integer(name, "update_period", update_period, minimum=1)
        self.task_noise = checked_real(name, "task_noise", task_noise, low=0.0, high=0.5)
        hidden_size = checked_integer(name, "hidden_size", hidden_size, minimum=1)
        flow_blocks = checked_integer(name, "flow_blocks", flow_blocks, minimum=1)
        highway_blocks = checked_integer(name, "highway_blocks", highway_blocks, minimum=0)
        judge_layers = checked_layers(name, "judge_layers", judge_layers)
        self.gradient_steps = checked_integer(name, "gradient_steps", gradient_steps, minimum=1)
        learning_rate = checked_real(name, "learning_rate", learning_rate, low=0.0, low_open=True)
        self.reward_thresholds = checked_success_thresholds(name, reward_thresholds)
        super().__init__(task_space, device=device, **base)

        def factory():
            from .networks import ConditionalRealNVP, mlp

            networks = {
                "setter": ConditionalRealNVP(self.ndim, blocks=flow_blocks, hidden_size=hidden_size,
                                             highway_blocks=highway_blocks),
                "judge": mlp(self.ndim, judge_layers, 1),
            }
            return networks, lambda built: {key: self.torch.optim.Adam(network.parameters(), lr=learning_rate,
                                                                       foreach=True) for key, network in built.items()}

        self._build(factory)
        self.proposals = np.zeros((0, self.ndim + 1))  # drawn tasks not proposed yet, each with its feasibility
        self.pending_tasks = np.zeros((0, self.ndim))  # proposed tasks (as the env reports them), episode not back
        self.pending_feasibilities = np.zeros(0)
        self.episode_tasks: list[np.ndarray] = []
        self.episode_feasibilities: list[float] = []  # NaN for a task the setter did not propose
        self.episode_successes: list[bool] = []
        self.setter_updates = 0
        self.losses = {"judge_loss": 0.0, "setter_loss": 0.0, "validity_loss": 0.0, "feasibility_loss": 0.0,
                       "coverage_loss": 0.0}
        self.success_rate = 0.0

    # ------------------------------------------------------------------------------------------------ sampling
    def _sample(self) -> np.ndarray:
        if not len(self.proposals):
            feasibility = self._draw_feasibilities(SAMPLE_BATCH)
            self.proposals = np.hstack([self._remember_batch(self.propose(feasibility)), feasibility[:, None]])
        (*unit, feasibility), self.proposals = self.proposals[0], self.proposals[1:]
        unit = np.array(unit)
        self.pending_tasks = np.vstack([self.pending_tasks, self.reported(unit)])
        self.pending_feasibilities = np.append(self.pending_feasibilities, feasibility)
        return unit

    def propose(self, feasibility: np.ndarray) -> np.ndarray:
        """One task in the unit cube per desired feasibility (a vector), from the setter and fresh latents."""
        latent = self.tensor(self.rng.standard_normal((len(feasibility), self.ndim)))
        with self.torch.no_grad():
            tasks, _ = self.networks["setter"](latent, self.tensor(feasibility[:, None]))
        return self.array(tasks)

    def predicted_success(self, unit_tasks: np.ndarray) -> np.ndarray:
        """The judge's success probability for each task of ``unit_tasks`` (rows in the unit cube)."""
        with self.torch.no_grad():
            return self.array(self.torch.sigmoid(self.networks["judge"](self.tensor(unit_tasks))))[:, 0]

    def _draw_feasibilities(self, count: int) -> np.ndarray:
        return np.clip(self.rng.random(count), FEASIBILITY_MARGIN, 1.0 - FEASIBILITY_MARGIN)

    # ------------------------------------------------------------------------------------------------ learning
    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        succeeded = episode_success(self.name, episode_return, success, self.reward_thresholds)
        feasibility = np.nan
        index = matching_row(self.pending_tasks, unit_task)
        if index is not None:
            feasibility = float(self.pending_feasibilities[index])
            self.pending_tasks = np.delete(self.pending_tasks, index, axis=0)
            self.pending_feasibilities = np.delete(self.pending_feasibilities, index)
        self.episode_tasks.append(unit_task.copy())
        self.episode_feasibilities.append(feasibility)
        self.episode_successes.append(succeeded)
        if len(self.episode_tasks) >= self.update_period:
            self._train(np.array(self.episode_tasks), np.array(self.episode_feasibilities),
                        np.array(self.episode_successes))
            self.episode_tasks, self.episode_feasibilities, self.episode_successes = [], [], []
            self.proposals = np.zeros((0, self.ndim + 1))

    def _train(self, tasks: np.ndarray, feasibilities: np.ndarray, successes: np.ndarray) -> None:
        torch = self.torch
        setter, judge = self.networks["setter"], self.networks["judge"]
        judge_inputs, judge_targets = self.tensor(tasks), self.tensor(successes[:, None].astype(np.float64))
        solved = successes & ~np.isnan(feasibilities)
        for _ in range(self.gradient_steps):
            judge_loss = torch.nn.functional.binary_cross_entropy_with_logits(judge(judge_inputs), judge_targets)
            self.optimise("judge", judge_loss)

            validity_loss = torch.zeros((), device=self.device)
            if solved.any():
                noise = self.rng.uniform(-self.task_noise, self.task_noise, (int(solved.sum()), self.ndim))
                noisy = np.clip(tasks[solved] + noise, CUBE_MARGIN, 1.0 - CUBE_MARGIN)
                validity_loss = -setter.log_density(self.tensor(noisy), self.tensor(feasibilities[solved][:, None]))
                validity_loss = validity_loss.mean()
            wanted = self._draw_feasibilities(len(tasks))
            latent = self.tensor(self.rng.standard_normal((len(tasks), self.ndim)))
            proposals, log_density = setter(latent, self.tensor(wanted[:, None]))
            target_logits = self.tensor(np.log(wanted / (1.0 - wanted))[:, None])
            feasibility_loss = (judge(proposals) - target_logits).square().mean()
            coverage_loss = log_density.mean()
            setter_loss = validity_loss + feasibility_loss + coverage_loss
            self.optimise("setter", setter_loss)
        self.setter_updates += 1
        self.success_rate = float(successes.mean())
        losses = {"judge_loss": judge_loss.item(), "setter_loss": setter_loss.item(),
                  "validity_loss": validity_loss.item(), "feasibility_loss": feasibility_loss.item(),
                  "coverage_loss": coverage_loss.item()}
        self.losses.update({key: value for key, value in losses.items() if np.isfinite(value)})  # skipped: kept

    def _metrics(self) -> dict[str, float]:
        return {"setter_updates": self.setter_updates, **self.losses, "success_rate": self.success_rate,
                "pending_tasks": len(self.pending_tasks)}

"""ALP-GMM speed benchmark: teachgym's ``alp-gmm`` against a straightforward implementation of the published
algorithm, side by side on the same simulated students.

Run ``python -m teachgym.benchmarks.perf.alp_gmm_speed [--episodes 20000] [--seeds 3]``. Each seed drives both teachers
(and ``random``, for the curriculum-quality baseline) through the same number of episodes in lockstep, each with its
own ``teachgym/SimulatedStudent-v0`` student (seeded alike), with BLAS pinned to one thread. It prints the amortised
teacher cost per episode (sample + update, periodic refits included; the student's time is not counted), the speed
ratio (total time of ``alp-gmm`` over the reference's) and the share of the task space each student mastered. The
target is a ratio of at most 0.25 at the same curriculum quality.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

try:
    from sklearn.mixture import GaussianMixture
except ImportError:  # an optional dependency: only this script's reference implementation needs it
    raise SystemExit("the ALP-GMM speed benchmark compares against scikit-learn's GaussianMixture: "
                     "pip install 'teachgym[perf]'") from None

import teachgym  # noqa: F401  (registers the simulated students)
from teachgym.task_space import TaskSpace
from teachgym.teachers import Teacher, make_teacher
from teachgym.teachers.alp_gmm import ALPGMMTeacher
from teachgym.teachers.blas import single_blas_thread

from ..arguments import require_positive

TARGET_RATIO = 0.25
STUDENT_ID = "teachgym/SimulatedStudent-v0"
NO_ACTION = np.zeros(1, dtype=np.float32)  # a simulated student ignores its action


class ReferenceALPGMM(Teacher):
    """The published ALP-GMM written the straightforward way (not registered): scikit-learn ``GaussianMixture``
    fits (full covariances, default settings, ``random_state`` from the teacher's generator) for k = 2..10 every
    ``fit_rate`` episodes on the last ``fit_rate`` rows of [task, ALP], the lowest ``.aic()`` kept; ALP from a plain
    numpy nearest-neighbour scan over every earlier task; components chosen with ``rng.choice`` in proportion to
    their mean ALP and tasks drawn with ``rng.multivariate_normal``. Its arrays are preallocated for ``capacity``
    episodes so that only the algorithm, not list handling, is compared.
    """

    name = "reference-alp-gmm"

    def __init__(self, task_space: TaskSpace, *, capacity: int, fit_rate: int = 250, random_task_ratio: float = 0.2,
                 potential_ks: Sequence[int] = tuple(range(2, 11)), **base: Any):
        super().__init__(task_space, **base)
        self.fit_rate = fit_rate
        self.random_task_ratio = random_task_ratio
        self.potential_ks = tuple(potential_ks)
        self.tasks_alps = np.zeros((capacity, self.ndim + 1))
        self.returns = np.zeros(capacity)
        self.size = 0
        self.gmm: GaussianMixture | None = None

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        episode_return = self.normalized_return(episode_return)
        alp = 0.0
        if self.size > 0:
            distances = np.linalg.norm(self.tasks_alps[:self.size, :-1] - unit_task, axis=1)
            alp = abs(episode_return - self.returns[np.argmin(distances)])
        self.tasks_alps[self.size] = [*unit_task, alp]
        self.returns[self.size] = episode_return
        self.size += 1
        if self.size % self.fit_rate == 0:
            data = self.tasks_alps[self.size - self.fit_rate:self.size]
            with single_blas_thread():
                gmms = [GaussianMixture(n_components=k, covariance_type="full",
                                        random_state=int(self.rng.integers(2**31))).fit(data)
                        for k in self.potential_ks]
                self.gmm = gmms[int(np.argmin([gmm.aic(data) for gmm in gmms]))]

    def _sample(self) -> np.ndarray:
        if self.gmm is None or self.rng.random() < self.random_task_ratio:
            return self.rng.random(self.ndim)
        alp_means = np.maximum(self.gmm.means_[:, -1], 0.0)
        k, total = len(alp_means), alp_means.sum()
        component = self.rng.choice(k, p=alp_means / total) if total > 0 else self.rng.integers(k)
        return self.rng.multivariate_normal(self.gmm.means_[component], self.gmm.covariances_[component])[:-1]


@dataclass
class Contender:
    """One teacher under measurement, with its own simulated student and running totals."""

    label: str
    teacher: Teacher
    student: gym.Env
    seconds: float = 0.0

    def episode(self) -> None:
        """One sample/update round; only the teacher's calls are timed."""
        start = time.perf_counter()
        task = self.teacher.sample_task()
        self.seconds += time.perf_counter() - start
        self.student.unwrapped.set_task(task)
        self.student.reset()
        _, episode_return, _, _, info = self.student.step(NO_ACTION)
        start = time.perf_counter()
        self.teacher.update(task, episode_return, success=info["success"])
        self.seconds += time.perf_counter() - start


@dataclass
class Result:
    """Totals of one teacher over all seeds."""

    label: str
    seconds: float = 0.0
    episodes: int = 0
    # per checkpoint, the share mastered of each seed's student
    mastered_shares: dict[int, list[float]] = field(default_factory=dict)

    @property
    def ms_per_episode(self) -> float:
        """Amortised teacher cost per episode in milliseconds."""
        return 1e3 * self.seconds / self.episodes


def run(episodes: int, seeds: int) -> dict[str, Result]:
    """Drive the reference, ``alp-gmm`` and ``random`` in lockstep for ``episodes`` episodes per seed."""
    results: dict[str, Result] = {}
    for seed in range(seeds):
        students = [gym.make(STUDENT_ID) for _ in range(3)]
        for student in students:
            student.reset(seed=seed)  # a seeded reset makes a new student
        space = students[0].unwrapped.task_space
        reward_range = students[0].unwrapped.expert_knowledge().reward_range
        contenders = [
            Contender("reference", ReferenceALPGMM(space, capacity=episodes, seed=seed, reward_range=reward_range),
                      students[0]),
            Contender("alp-gmm", ALPGMMTeacher(space, seed=seed, reward_range=reward_range), students[1]),
            Contender("random", make_teacher("random", space, seed=seed), students[2]),
        ]
        for episode in range(1, episodes + 1):
            for contender in contenders:
                contender.episode()
                if episode in checkpoints(episodes):
                    result = results.setdefault(contender.label, Result(contender.label))
                    shares = result.mastered_shares.setdefault(episode, [])
                    shares.append(contender.student.unwrapped.mastered_share)
        for contender in contenders:
            result = results[contender.label]
            result.seconds += contender.seconds
            result.episodes += episodes
    return results


def checkpoints(episodes: int) -> tuple[int, ...]:
    """Where the share mastered is read: at each quarter of the run (curricula differ early; later every student
    has mastered all it can)."""
    return tuple(round(episodes * quarter / 4) for quarter in range(1, 5))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20000, help="episodes per seed")
    parser.add_argument("--seeds", type=int, default=3, help="seeds (teacher seeds 0, 1, ...)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if the speed ratio is over {TARGET_RATIO}")
    args = parser.parse_args(argv)
    require_positive(parser, args, ("episodes", "seeds"))

    with single_blas_thread():
        results = run(args.episodes, args.seeds)
    print(f"{args.episodes} episodes x {args.seeds} seed(s) on {STUDENT_ID}, BLAS pinned to one thread")
    marks = checkpoints(args.episodes)
    print(f"{'teacher':<12} {'ms/episode':>10}  share mastered at " + "  ".join(f"{f'@{m}':>12}" for m in marks))
    for result in results.values():
        shares = "  ".join(f"{_mean_spread(result.mastered_shares[m]):>12}" for m in marks)
        print(f"{result.label:<12} {result.ms_per_episode:>10.3f}                    {shares}")
    ratio = results["alp-gmm"].seconds / results["reference"].seconds
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"\nspeed ratio {ratio:.3f} (alp-gmm / reference, total teacher time); {verdict} the {TARGET_RATIO} target")
    return 1 if args.check and ratio > TARGET_RATIO else 0


def _mean_spread(values: list[float]) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.2f} +- {spread:.2f}"


if __name__ == "__main__":
    sys.exit(main())

"""ALP-GMM speed benchmark: teachgym's ``alp-gmm`` against a straightforward implementation of the published
algorithm, side by side on the same synthetic student.

Run ``python -m teachgym.benchmarks.alp_gmm_speed [--episodes 20000] [--seeds 3]``. Each seed drives both teachers
(and ``random``, for the curriculum-quality baseline) through the same episodes in lockstep, each with its own
:class:`CompetenceGridStudent`, with BLAS pinned to one thread. It prints the amortised teacher cost per episode
(sample + update, periodic refits included), the speed ratio (total time of ``alp-gmm`` over the reference's) and
the share of the learnable half each curriculum mastered. The target is a ratio of at most 0.25.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.mixture import GaussianMixture

from teachgym.task_space import TaskSpace
from teachgym.teachers import Teacher, make_teacher
from teachgym.teachers.alp_gmm import ALPGMMTeacher
from teachgym.teachers.blas import single_blas_thread

TARGET_RATIO = 0.25
TASK_SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})


class CompetenceGridStudent:
    """A synthetic student on the unit square: tasks with ``x < 0.5`` are learnable, the others never change.

    The square is a ``cells x cells`` grid of competences starting at 0. An episode on a learnable cell returns the
    cell's competence, then raises it by ``gain`` (up to 1: mastered); an episode on the unlearnable half returns 0
    whatever the practice. A teacher that finds the progress masters more of the learnable half.

    Args:
        cells: grid cells per side.
        gain: competence gained per episode on a learnable cell (``1 / gain`` episodes master a cell).
    """

    def __init__(self, cells: int = 20, gain: float = 1.0 / 60.0):
        self.cells = cells
        self.gain = gain
        self.competence = np.zeros((cells, cells))

    def episode_return(self, unit_task: np.ndarray) -> float:
        """Play one episode on ``unit_task`` (in [0, 1]^2) and return its return."""
        if not is_learnable(unit_task):
            return 0.0
        column, row = (min(int(value * self.cells), self.cells - 1) for value in unit_task)
        episode_return = float(self.competence[column, row])
        self.competence[column, row] = min(1.0, episode_return + self.gain)
        return episode_return

    @property
    def mastered_share(self) -> float:
        """Share of the learnable half's cells at full competence."""
        learnable = self.competence[: self.cells // 2]
        return float(np.mean(learnable >= 1.0 - 1e-9))


def is_learnable(unit_task: np.ndarray) -> bool:
    """Whether a task lies in :class:`CompetenceGridStudent`'s learnable half."""
    return bool(unit_task[0] < 0.5)


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
    """One teacher under measurement, with its own student and running totals."""

    label: str
    teacher: Teacher
    student: CompetenceGridStudent = field(default_factory=CompetenceGridStudent)
    seconds: float = 0.0
    learnable_samples: int = 0

    def episode(self) -> None:
        """One sample/update round; only the teacher's calls are timed."""
        start = time.perf_counter()
        task = self.teacher.sample_task()
        self.seconds += time.perf_counter() - start
        episode_return = self.student.episode_return(task)
        start = time.perf_counter()
        self.teacher.update(task, episode_return)
        self.seconds += time.perf_counter() - start
        self.learnable_samples += is_learnable(task)


@dataclass
class Result:
    """Totals of one teacher over all seeds."""

    label: str
    seconds: float = 0.0
    episodes: int = 0
    mastered_shares: list[float] = field(default_factory=list)
    learnable_shares: list[float] = field(default_factory=list)

    @property
    def ms_per_episode(self) -> float:
        """Amortised teacher cost per episode in milliseconds."""
        return 1e3 * self.seconds / self.episodes


def run(episodes: int, seeds: int) -> dict[str, Result]:
    """Drive the reference, ``alp-gmm`` and ``random`` in lockstep for ``episodes`` episodes per seed."""
    results: dict[str, Result] = {}
    for seed in range(seeds):
        contenders = [
            Contender("reference", ReferenceALPGMM(TASK_SPACE, capacity=episodes, seed=seed)),
            Contender("alp-gmm", ALPGMMTeacher(TASK_SPACE, seed=seed)),
            Contender("random", make_teacher("random", TASK_SPACE, seed=seed)),
        ]
        for _ in range(episodes):
            for contender in contenders:
                contender.episode()
        for contender in contenders:
            result = results.setdefault(contender.label, Result(contender.label))
            result.seconds += contender.seconds
            result.episodes += episodes
            result.mastered_shares.append(contender.student.mastered_share)
            result.learnable_shares.append(contender.learnable_samples / episodes)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20000, help="episodes per seed")
    parser.add_argument("--seeds", type=int, default=3, help="seeds (teacher seeds 0, 1, ...)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if the speed ratio is over {TARGET_RATIO}")
    args = parser.parse_args(argv)
    for name in ("episodes", "seeds"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be positive, got {getattr(args, name)}")

    with single_blas_thread():
        results = run(args.episodes, args.seeds)
    print(f"{args.episodes} episodes x {args.seeds} seed(s) on a 2-D task space, BLAS pinned to one thread")
    print(f"{'teacher':<12} {'ms/episode':>10} {'mastered share':>15} {'learnable samples':>18}")
    for result in results.values():
        print(f"{result.label:<12} {result.ms_per_episode:>10.3f} {_mean_spread(result.mastered_shares):>15} "
              f"{_mean_spread(result.learnable_shares):>18}")
    ratio = results["alp-gmm"].seconds / results["reference"].seconds
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"\nspeed ratio {ratio:.3f} (alp-gmm / reference, total teacher time); {verdict} the {TARGET_RATIO} target")
    return 1 if args.check and ratio > TARGET_RATIO else 0


def _mean_spread(values: list[float]) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.2f} +- {spread:.2f}"


if __name__ == "__main__":
    sys.exit(main())

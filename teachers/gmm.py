"""Gaussian mixtures for the GMM teachers (ALP-GMM, Covar-GMM): a fast EM fit with AIC model selection.

The fit follows scikit-learn's ``GaussianMixture(covariance_type="full")`` defaults (k-means initialisation,
``reg_covar=1e-6``, tolerance 1e-3 on the mean log-likelihood, at most 100 EM iterations, AIC as
``-2 * n * mean_log_likelihood + 2 * n_parameters``) but is written for the teachers' case: a few hundred rows, a
handful of dimensions, nine candidate component counts every refit. Every EM step is one batch of numpy calls over
all samples and components (data kept as ``(dims, samples)`` so the long axis is contiguous, Cholesky-based
log-densities), without scikit-learn's per-call validation and per-component Python loops. A refit (k = 2..10 on
250 rows, one BLAS thread) costs about 16 ms in 3 dimensions and 28 ms in 13, where scikit-learn's took 100-130 ms
on the same 2-core machine (about 350 ms on the reference machine class); see
``teachgym.benchmarks.perf.alp_gmm_speed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from teachgym.validation import check_integer

REG_COVAR = 1e-6  # added to every covariance diagonal (sklearn's default): keeps collapsed components invertible
TOLERANCE = 1e-3  # EM stops when the mean log-likelihood per sample changes by less (sklearn's default)
MAX_EM_ITERATIONS = 100  # sklearn's default
MAX_KMEANS_ITERATIONS = 20  # Lloyd steps after k-means++ seeding; on a few hundred rows they settle in a handful
_LOG_2PI = float(np.log(2.0 * np.pi))
_EMPTY_COMPONENT_MASS = 10.0 * np.finfo(np.float64).eps  # sklearn's guard against dividing by an empty component


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A fitted Gaussian mixture with full covariances (arrays only, so it deep-copies and pickles as teacher state).

    Attributes:
        weights: ``(k,)`` mixing weights, summing to 1.
        means: ``(k, D)`` component means.
        covariances: ``(k, D, D)`` component covariances.
        cholesky: ``(k, D, D)`` lower Cholesky factors of ``covariances``.
        mean_log_likelihood: mean log-density of the rows it was fitted on (sklearn's ``score``).
        n_samples: how many rows it was fitted on.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    cholesky: np.ndarray
    mean_log_likelihood: float
    n_samples: int

    @property
    def n_components(self) -> int:
        """Number of components ``k``."""
        return len(self.weights)

    @property
    def n_parameters(self) -> int:
        """Free parameters: means, covariance triangles and ``k - 1`` weights (as sklearn counts them)."""
        k, dims = self.means.shape
        return k * dims + k * dims * (dims + 1) // 2 + k - 1

    @property
    def aic(self) -> float:
        """Akaike information criterion on the fitted rows (lower is better), as sklearn's ``aic(X)``."""
        return -2.0 * self.mean_log_likelihood * self.n_samples + 2.0 * self.n_parameters

    def log_likelihood(self, data: np.ndarray) -> np.ndarray:
        """Log-density of each row of ``data`` (shape ``(n, D)``) under the mixture, shape ``(n,)``."""
        data_t = np.ascontiguousarray(np.asarray(data, dtype=np.float64).T)
        return _log_normaliser(_weighted_log_densities(data_t, self.weights, self.means, self.cholesky))

    def sample_marginal(self, rng: np.random.Generator, component: int, ndim: int) -> np.ndarray:
        """Draw the first ``ndim`` coordinates from one component: its marginal, i.e. a full draw with the trailing
        coordinates dropped (the leading block of a Cholesky factor is the factor of the leading covariance block)."""
        return self.means[component, :ndim] + self.cholesky[component, :ndim, :ndim] @ rng.standard_normal(ndim)


def fit_mixture(data: np.ndarray, n_components: int, rng: np.random.Generator) -> GaussianMixture:
    """Fit a ``n_components`` Gaussian mixture to the rows of ``data`` (shape ``(n, D)``) by EM from a k-means start.

    Raises:
        ValueError: if ``n_components`` is not in ``[1, n]``.
        numpy.linalg.LinAlgError: if a covariance is not positive definite (data too large for ``REG_COVAR``).
    """
    data_t = _samples_last(data)
    _check_components(n_components, data_t.shape[1])
    return _fit(data_t, n_components, rng)


def select_mixture(data: np.ndarray, potential_ks: Iterable[int], rng: np.random.Generator,
                   n_init: int = 1) -> GaussianMixture | None:
    """Fit a mixture for every k in ``potential_ks`` (best of ``n_init`` EM runs each, by likelihood) and return the
    one with the lowest AIC (the smallest k on ties), or None when no k gave a finite fit.

    Raises:
        ValueError: if a k is not in ``[1, n]`` or ``n_init < 1``.
    """
    data_t = _samples_last(data)
    ks = list(potential_ks)
    for k in ks:
        _check_components(k, data_t.shape[1])
    check_integer("n_init", n_init, minimum=1)
    best: GaussianMixture | None = None
    for k in ks:
        runs = [run for run in (_finite_fit(data_t, k, rng) for _ in range(n_init)) if run is not None]
        if not runs:
            continue
        candidate = max(runs, key=lambda run: run.mean_log_likelihood)
        if best is None or candidate.aic < best.aic:
            best = candidate
    return best


# ------------------------------------------------------------------------------------------------------ the EM fit
def _samples_last(data: np.ndarray) -> np.ndarray:
    array = np.asarray(data, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"data must be a non-empty (n, D) array, got shape {array.shape}")
    return np.ascontiguousarray(array.T)


def _check_components(n_components: int, n_samples: int) -> None:
    if not 1 <= n_components <= n_samples:
        raise ValueError(f"n_components must be in [1, {n_samples}] for {n_samples} rows, got {n_components}")


def _finite_fit(data_t: np.ndarray, k: int, rng: np.random.Generator) -> GaussianMixture | None:
    """:func:`_fit`, or None where the data overwhelm ``REG_COVAR`` (a covariance not positive definite)."""
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # such fits are discarded, not warned of
            mixture = _fit(data_t, k, rng)
    except np.linalg.LinAlgError:
        return None
    return mixture if np.isfinite(mixture.aic) else None


def _fit(data_t: np.ndarray, k: int, rng: np.random.Generator) -> GaussianMixture:
    """EM on ``data_t`` (shape ``(D, n)``); ends on parameters whose likelihood was evaluated, so the AIC is exact."""
    weights, means, covariances = _estimate_parameters(data_t, _kmeans_responsibilities(data_t, k, rng))
    previous = -np.inf
    for iteration in range(MAX_EM_ITERATIONS + 1):
        cholesky = np.linalg.cholesky(covariances)
        log_prob = _weighted_log_densities(data_t, weights, means, cholesky)
        log_norm = _log_normaliser(log_prob)
        mean_log_likelihood = float(log_norm.mean())
        if abs(mean_log_likelihood - previous) < TOLERANCE or iteration == MAX_EM_ITERATIONS \
                or not np.isfinite(mean_log_likelihood):
            break
        previous = mean_log_likelihood
        weights, means, covariances = _estimate_parameters(data_t, np.exp(log_prob - log_norm))
    return GaussianMixture(weights, means, covariances, cholesky, mean_log_likelihood, data_t.shape[1])


def _weighted_log_densities(data_t: np.ndarray, weights: np.ndarray, means: np.ndarray,
                            cholesky: np.ndarray) -> np.ndarray:
    """``log(weight_k) + log N(x_n | mean_k, cov_k)`` as a ``(k, n)`` array."""
    dims = data_t.shape[0]
    centred = data_t[None, :, :] - means[:, :, None]
    # Inverting the (k, D, D) factors then one batched matmul is ~10x faster than a batched solve on (D, n) blocks.
    whitened = np.linalg.inv(cholesky) @ centred
    mahalanobis = np.einsum("kdn,kdn->kn", whitened, whitened)
    half_log_det = np.log(np.diagonal(cholesky, axis1=1, axis2=2)).sum(axis=1)
    return (np.log(weights) - half_log_det - 0.5 * dims * _LOG_2PI)[:, None] - 0.5 * mahalanobis


def _log_normaliser(log_prob: np.ndarray) -> np.ndarray:
    """Log-sum-exp over components (axis 0): each sample's log-density under the mixture."""
    peak = log_prob.max(axis=0)
    return peak + np.log(np.exp(log_prob - peak).sum(axis=0))


def _estimate_parameters(data_t: np.ndarray,
                         responsibilities: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The M-step: weights, means and regularised covariances from ``(k, n)`` responsibilities."""
    mass = responsibilities.sum(axis=1) + _EMPTY_COMPONENT_MASS
    means = (responsibilities @ data_t.T) / mass[:, None]
    centred = data_t[None, :, :] - means[:, :, None]
    covariances = (centred * responsibilities[:, None, :]) @ centred.transpose(0, 2, 1) / mass[:, None, None]
    diagonal = np.arange(data_t.shape[0])
    covariances[:, diagonal, diagonal] += REG_COVAR
    return mass / mass.sum(), means, covariances


def _kmeans_responsibilities(data_t: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Hard ``(k, n)`` responsibilities of k-means (greedy k-means++ seeds, then Lloyd steps), sklearn's default
    start."""
    n = data_t.shape[1]
    centres = np.empty((k, data_t.shape[0]))
    centres[0] = data_t[:, rng.integers(n)]
    closest = _squared_distances(data_t, centres[:1])[0]
    trials = 2 + int(np.log(k))  # sklearn's greedy k-means++: the best of a few candidates keeps outliers out
    for j in range(1, k):
        total = closest.sum()
        if total > 0:
            # Points already chosen have weight 0, so they are never drawn again.
            candidates = np.searchsorted(np.cumsum(closest), rng.random(trials) * total, side="right")
            candidates = np.minimum(candidates, n - 1)
        else:  # every point coincides with a centre
            candidates = rng.integers(n, size=trials)
        potentials = np.minimum(closest, _squared_distances(data_t, data_t[:, candidates].T))
        best = int(potentials.sum(axis=1).argmin())
        centres[j] = data_t[:, candidates[best]]
        closest = potentials[best]
    components = np.arange(k)[:, None]
    labels = _squared_distances(data_t, centres).argmin(axis=0)
    for _ in range(MAX_KMEANS_ITERATIONS):
        members = (labels == components).astype(np.float64)
        counts = members.sum(axis=1)
        filled = counts > 0  # an emptied cluster keeps its centre
        centres[filled] = (members[filled] @ data_t.T) / counts[filled, None]
        new_labels = _squared_distances(data_t, centres).argmin(axis=0)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return (labels == components).astype(np.float64)


def _squared_distances(data_t: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances from each of ``centres`` (``(c, D)``) to each sample, shape ``(c, n)``."""
    centred = data_t[None, :, :] - centres[:, :, None]
    return np.einsum("cdn,cdn->cn", centred, centred)

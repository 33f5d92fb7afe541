"""The Gaussian-mixture fit of the GMM teachers, checked against scikit-learn's GaussianMixture on the same data."""

import copy
import pickle

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture as SklearnMixture

from teachgym.teachers.blas import single_blas_thread
from teachgym.teachers.gmm import GaussianMixture, fit_mixture, select_mixture

KS = range(2, 11)


@pytest.fixture(autouse=True)
def one_blas_thread():
    """As in the teachers: with default threads scikit-learn's tiny solves crawl on small machines."""
    with single_blas_thread():
        yield


def blobs(centres: np.ndarray, per_blob: int, scale: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([centre + scale * rng.standard_normal((per_blob, len(centre))) for centre in centres])


def sklearn_choice(data: np.ndarray) -> SklearnMixture:
    """sklearn's best mixture by AIC, fitted the way the published ALP-GMM does."""
    fits = [SklearnMixture(n_components=k, covariance_type="full", random_state=0).fit(data) for k in KS]
    return fits[int(np.argmin([fit.aic(data) for fit in fits]))]


def matched(means: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``means`` reordered to pair each target with its nearest mean; each mean is used exactly once."""
    nearest = np.linalg.norm(means[None, :, :] - targets[:, None, :], axis=2).argmin(axis=1)
    assert sorted(nearest) == list(range(len(means))), "the means do not pair one to one with the targets"
    return means[nearest]


# Clear clusters: enough rows per blob that AIC's optimum is the true count. With fewer, AIC over full covariances
# often prefers spurious thin components, for scikit-learn as for us, depending on the initialisation.
CASES = {
    "3 blobs in 3-D": (np.array([[0.2, 0.2, 0.1], [0.8, 0.3, 0.5], [0.5, 0.8, 0.9]]), 80, 0.05),
    "3 blobs in 13-D": (np.random.default_rng(7).uniform(0.0, 1.0, (3, 13)), 150, 0.03),
    "5 blobs in 2-D": (np.array([[0.1, 0.1], [0.9, 0.1], [0.5, 0.5], [0.1, 0.9], [0.9, 0.9]]), 50, 0.03),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_aic_selection_matches_sklearn_on_clear_clusters(case):
    centres, per_blob, scale = CASES[case]
    data = blobs(centres, per_blob, scale, seed=1)
    ours = select_mixture(data, KS, np.random.default_rng(0))
    reference = sklearn_choice(data)
    assert ours.n_components == reference.n_components == len(centres)
    np.testing.assert_allclose(matched(ours.means, reference.means_), reference.means_, atol=1e-3)
    np.testing.assert_allclose(matched(ours.means, centres), centres, atol=3 * scale)
    assert ours.mean_log_likelihood == pytest.approx(reference.score(data), abs=1e-3)
    np.testing.assert_allclose(ours.log_likelihood(data), reference.score_samples(data), atol=1e-2)
    assert ours.aic == pytest.approx(reference.aic(data), abs=0.5)


def test_likelihood_parameter_count_and_aic_follow_sklearns_definitions():
    data = blobs(CASES["3 blobs in 3-D"][0], 80, 0.05, seed=2)
    for k in (1, 3, 6):
        ours = fit_mixture(data, k, np.random.default_rng(k))
        reference = SklearnMixture(n_components=k, covariance_type="full", random_state=0).fit(data)
        assert ours.n_parameters == reference._n_parameters()
        assert ours.mean_log_likelihood == pytest.approx(ours.log_likelihood(data).mean(), abs=1e-12)
        assert ours.aic == pytest.approx(-2 * ours.log_likelihood(data).sum() + 2 * ours.n_parameters)
        np.testing.assert_allclose(ours.weights.sum(), 1.0)
        np.testing.assert_allclose(ours.cholesky @ ours.cholesky.transpose(0, 2, 1), ours.covariances, atol=1e-14)


def test_the_lowest_aic_wins_and_one_component_fits_a_single_blob():
    data = blobs(np.array([[0.5, 0.5, 0.5]]), 200, 0.1, seed=3)
    chosen = select_mixture(data, range(1, 6), np.random.default_rng(0))
    assert chosen.n_components == 1
    np.testing.assert_allclose(chosen.means[0], data.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(chosen.covariances[0], np.cov(data.T, bias=True) + 1e-6 * np.eye(3), atol=1e-12)
    candidates = [fit_mixture(data, k, np.random.default_rng(0)) for k in range(1, 6)]
    assert chosen.aic == pytest.approx(min(candidate.aic for candidate in candidates), rel=1e-3)


def test_more_em_runs_never_lower_the_likelihood_of_a_k():
    data = np.random.default_rng(4).uniform(0.0, 1.0, (250, 3))
    single = select_mixture(data, [5], np.random.default_rng(0), n_init=1)
    several = select_mixture(data, [5], np.random.default_rng(0), n_init=4)
    assert several.mean_log_likelihood >= single.mean_log_likelihood


def test_fits_are_deterministic_given_the_generator_and_copy_as_plain_state():
    data = np.random.default_rng(5).uniform(0.0, 1.0, (250, 3))
    first = select_mixture(data, KS, np.random.default_rng(11))
    second = select_mixture(data, KS, np.random.default_rng(11))
    other = select_mixture(data, KS, np.random.default_rng(12))
    assert pickle.dumps(first) == pickle.dumps(second)
    assert pickle.dumps(first) != pickle.dumps(other)
    copied = copy.deepcopy(first)
    assert isinstance(copied, GaussianMixture) and copied.means is not first.means
    np.testing.assert_array_equal(copied.covariances, first.covariances)


def test_sample_marginal_draws_the_leading_coordinates_of_a_component():
    centres = np.array([[0.1, 0.1, 0.1, 0.0], [0.9, 0.9, 0.9, 0.5]])
    mixture = fit_mixture(blobs(centres, 125, 0.1, seed=6), 2, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    draws = np.array([mixture.sample_marginal(rng, 1, 3) for _ in range(20000)])
    assert draws.shape == (20000, 3)
    np.testing.assert_allclose(draws.mean(axis=0), mixture.means[1, :3], atol=0.005)
    np.testing.assert_allclose(np.cov(draws.T), mixture.covariances[1, :3, :3], atol=0.001)


def test_duplicate_rows_still_give_a_finite_fit():
    data = np.repeat(np.array([[0.1, 0.2, 0.0], [0.7, 0.7, 0.0]]), 100, axis=0)
    chosen = select_mixture(data, KS, np.random.default_rng(0))
    assert np.isfinite(chosen.aic)
    points = np.array([[0.1, 0.2, 0.0], [0.7, 0.7, 0.0]])
    np.testing.assert_allclose(matched(chosen.means[chosen.weights > 0.01], points), points, atol=1e-9)


def test_data_too_large_for_the_regularisation_give_no_mixture():
    data = np.random.default_rng(8).uniform(0.0, 1.0, (50, 2)) * np.array([1.0, 1e160])
    assert select_mixture(data, [2, 3], np.random.default_rng(0)) is None


@pytest.mark.parametrize(("ks", "n_init", "fragment"), [
    ([0, 2], 1, "n_components must be in [1, 10]"),
    ([11], 1, "n_components must be in [1, 10]"),
    ([2], 0, "n_init must be an integer >= 1, got 0"),
])
def test_impossible_requests_raise(ks, n_init, fragment):
    with pytest.raises(ValueError) as raised:
        select_mixture(np.zeros((10, 2)), ks, np.random.default_rng(0), n_init=n_init)
    assert fragment in str(raised.value)

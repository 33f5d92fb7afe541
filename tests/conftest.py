"""Shared test settings: a hypothesis profile sized for 2-core CI machines, and SB3's log folders kept in pytest's
temporary directory."""

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "teachgym", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("teachgym")


@pytest.fixture(autouse=True, scope="session")
def sb3_logs_in_pytest_temp(tmp_path_factory):
    """SB3 makes a log folder (``SB3-<date>``) for every ``learn`` without a logger of its own, in ``$SB3_LOGDIR`` or
    else the system's temporary directory: about a thousand empty folders a test run, which this keeps out of
    ``/tmp``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SB3_LOGDIR", str(tmp_path_factory.mktemp("sb3-logs")))
        yield

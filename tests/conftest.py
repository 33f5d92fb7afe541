"""Shared test settings: a hypothesis profile sized for 2-core CI machines."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "teachgym", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("teachgym")

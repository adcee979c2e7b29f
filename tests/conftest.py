"""Shared test settings: a bounded, reproducible hypothesis profile for CI."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


import pytest  # noqa: E402


@pytest.fixture
def torch():
    """PyTorch, the optional independent oracle; the test is skipped where it is not installed.

    Only the tests that ask for this fixture (marked ``torch``) need it, so every other test
    of a module runs without PyTorch.
    """
    return pytest.importorskip("torch", reason="PyTorch is not installed: this oracle test needs it")


def pytest_collection_modifyitems(items):
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)

"""Shared fixtures of the test suite."""

from __future__ import annotations

import os

import pytest


def _hermetic_aws_environment() -> None:
    """The suite runs whatever the machine holds: no AWS_* variable, profile or ~/.aws file
    of the developer's reaches it (or the pytester runs it starts). Tests that need hostile
    variables (canary credentials, container-credential URIs) set them themselves."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


_hermetic_aws_environment()


@pytest.fixture(autouse=True)
def _isolate_inner_pytest_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # pytester runs nested sessions; under xdist they would otherwise see this worker's
    # variables and behave like a worker themselves.
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)


def _hypothesis_profiles() -> None:
    """Deadlines and timing health checks measure the machine as much as the code.

    ``dev`` keeps them (a deadline five times Hypothesis's default: a generated example takes
    milliseconds, so a second means a real regression). ``ci`` is for shared, loaded machines
    (CI, ``-n 4`` on two cores): no deadline and no ``too_slow`` check, because there a slow
    example says nothing about our code; every other health check (data too large, filtering
    too much, ...) stays on. Chosen by ``--hypothesis-profile``, else ``ci`` when ``CI`` is set
    or under pytest-xdist, else ``dev``. ``release`` is ``ci`` with 10 examples a test instead
    of 100, for the release sessions (``nox -s sdist lowest``): they run the suite again to check
    the built package and the lower bounds, not to search; the main suite searches. Tests that
    set their own ``max_examples`` (searches that must find something, shrinking) keep it.
    Speed is checked by ``benchmarks/run.py``.
    """
    import datetime as dt
    import os

    from hypothesis import HealthCheck, settings

    settings.register_profile("dev", deadline=dt.timedelta(seconds=1))
    settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("release", settings.get_profile("ci"), max_examples=10)
    loaded = os.environ.get("CI") or os.environ.get("PYTEST_XDIST_WORKER")
    settings.load_profile("ci" if loaded else "dev")


_hypothesis_profiles()


@pytest.fixture
def no_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any request that reaches botocore's HTTP layer: every mode answers before it."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request reached the HTTP layer")

    monkeypatch.setattr("botocore.httpsession.URLLib3Session.send", refuse)

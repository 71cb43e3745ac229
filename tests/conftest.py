"""Shared fixtures of the test suite."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolate_inner_pytest_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # pytester runs nested sessions; under xdist they would otherwise see this worker's
    # variables and behave like a worker themselves.
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)

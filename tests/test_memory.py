"""Memory stays flat over thousands of tests: per-test objects are released after each test."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

TESTS = 300
WARMUP = 100

CONFTEST = f"""
import gc
import json
import tracemalloc

SEEN = []
SAMPLES = {{}}


def pytest_sessionstart(session):
    tracemalloc.start()


def pytest_runtest_logfinish(nodeid, location):
    SEEN.append(nodeid)
    if len(SEEN) in ({WARMUP}, {TESTS}):
        gc.collect()
        SAMPLES[len(SEEN)] = tracemalloc.get_traced_memory()[0]


def pytest_sessionfinish(session):
    with open("memory.json", "w") as f:
        json.dump(SAMPLES, f)
"""

SUITE = f"""
import pytest


@pytest.mark.parametrize("n", range({TESTS // 3}))
def test_stub(list_jobs_stub, n):
    chain = list_jobs_stub.generate(jobs=50)
    client = list_jobs_stub.client
    pages = client.get_paginator("list_jobs").paginate(
        appId=chain.app_id, branchName=chain.branch_name
    )
    assert sum(len(p["jobSummaries"]) for p in pages) == 50


@pytest.mark.parametrize("n", range({TESTS // 3}))
def test_intercept(amplify_intercept, n):
    chain = amplify_intercept.generate(jobs=50, page_size=50)
    page = amplify_intercept.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    assert len(page["jobSummaries"]) == 50


@pytest.mark.parametrize("n", range({TESTS // 3}))
def test_fake(amplify_fake, n):
    history = amplify_fake.add_branch(app_id="d1abc", branch_name="main", jobs=50)
    page = amplify_fake.client.list_jobs(appId="d1abc", branchName="main")
    assert page["jobSummaries"] == history
"""


PLAIN = f"""
import pytest


@pytest.mark.parametrize("n", range({TESTS}))
def test_plain(n):
    assert n >= 0
"""


def _kept_per_test(pytester: pytest.Pytester, name: str, suite: str) -> float:
    pytester.makepyfile(**{name: suite})
    result = pytester.runpytest_subprocess(
        f"{name}.py", "-p", "no:randomly", "-q", "--disable-socket"
    )
    result.assert_outcomes(passed=TESTS)
    samples = {
        int(k): v for k, v in json.loads((pytester.path / "memory.json").read_text()).items()
    }
    return (samples[TESTS] - samples[WARMUP]) / (TESTS - WARMUP)


def test_memory_per_test_is_flat(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    ours = _kept_per_test(pytester, "test_plugin_fixtures", SUITE)
    # pytest keeps a report per test whatever the test does (2-8 KiB, by pytest and Python
    # version): measured in the same run with trivial tests and subtracted.
    pytest_own = _kept_per_test(pytester, "test_plain", PLAIN)
    # Before objects were released, each of these tests kept ~50 KiB (its chain, client,
    # Stubber, request log) until the session ended.
    print(f"{ours:.0f} bytes kept per test, {pytest_own:.0f} of them pytest's own")
    assert ours - pytest_own < 3 * 1024, (
        f"{ours:.0f} bytes kept per test, pytest's {pytest_own:.0f}"
    )

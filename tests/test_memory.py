"""Memory stays flat over thousands of tests: per-test objects are released after each test."""

from __future__ import annotations

import json

import pytest

TESTS = 600
WARMUP = 150

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


def test_memory_per_test_is_flat(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(SUITE)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-q", "--disable-socket")
    result.assert_outcomes(passed=TESTS)
    samples = {
        int(k): v for k, v in json.loads((pytester.path / "memory.json").read_text()).items()
    }
    per_test = (samples[TESTS] - samples[WARMUP]) / (TESTS - WARMUP)
    # Before objects were released, each of these tests kept ~50 KiB (its chain, client,
    # Stubber, request log) until the session ended. What remains is pytest's own report.
    print(f"{per_test:.0f} bytes kept per test")
    assert per_test < 6 * 1024, f"{per_test:.0f} bytes kept per test"

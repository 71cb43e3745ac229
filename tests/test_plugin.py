"""The pytest plugin, driven through real pytest runs with pytester."""

from __future__ import annotations

import json
import re

import pytest

pytest_plugins = ["pytester"]

LISTING = """
def list_all(client, chain, page_size=None):
    config = {"PageSize": page_size} if page_size else {}
    pages = client.get_paginator("list_jobs").paginate(
        appId=chain.app_id, branchName=chain.branch_name, PaginationConfig=config
    )
    return [job for page in pages for job in page["jobSummaries"]]
"""


def test_fixtures_come_from_the_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        LISTING
        + """
def test_it(list_jobs_stub, amplify_client, amplify_stubber):
    assert list_jobs_stub.client is amplify_client
    assert list_jobs_stub.stubber is amplify_stubber
    chain = list_jobs_stub.generate(jobs=9, page_size=4)
    assert list_all(list_jobs_stub.client, chain) == list(chain.jobs)
    assert len(list_jobs_stub.calls) == 3
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_unconsumed_pages_fail_at_teardown_with_each_pending_call(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
def test_stops_early(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=6, page_size=2)
    list_jobs_stub.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_stops_early*",
            "*2 queued call(s) were never made:",
            "*call 1 of chain * (page 2 of 3, expects nextToken=*",
            "*call 2 of chain * (page 3 of 3, expects nextToken=*",
            "*@pytest.mark.amplify_jobs(assert_all_consumed=False)*",
        ]
    )


def test_opting_out_and_a_failing_test_give_no_teardown_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.amplify_jobs(assert_all_consumed=False)
def test_opted_out(list_jobs_stub):
    list_jobs_stub.generate(jobs=6, page_size=2)

def test_fails(list_jobs_stub):
    list_jobs_stub.generate(jobs=6, page_size=2)
    assert False, "the test's own failure"
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.no_fnmatch_line("*ERROR at teardown*")


def test_stubber_is_deactivated_even_when_the_test_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
CLIENTS = []

def test_fails(amplify_stubber, amplify_client):
    CLIENTS.append(amplify_client)
    raise RuntimeError("boom")

def test_after():
    handlers = CLIENTS[0].meta.events._emitter._lookup_cache
    client = CLIENTS[0]
    # With the Stubber gone the call is refused by the client's guard, not served by a queue.
    from botocore.exceptions import StubResponseError
    from pytest_amplify_jobs._routing import RefusedCall
    try:
        client.list_jobs(appId="d1", branchName="main")
    except RefusedCall as error:
        assert "no Stubber is active on it" in str(error)
    except StubResponseError:
        raise AssertionError("the stubber is still active")
"""
    )
    result = pytester.runpytest("-p", "no:randomly", "--disable-socket")
    result.assert_outcomes(passed=1, failed=1)


def test_marker_defaults_closest_wins_and_unknown_keys(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

pytestmark = pytest.mark.amplify_jobs(jobs=5, page_size=5)

def test_module_default(list_jobs_stub):
    chain = list_jobs_stub.generate()
    assert (len(chain.jobs), chain.page_size) == (5, 5)
    list_jobs_stub.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)

@pytest.mark.amplify_jobs(jobs=2, page_size=1, branch_name="develop")
def test_closest_wins(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=1)
    assert (len(chain.jobs), chain.page_size, chain.branch_name) == (1, 1, "develop")
    list_jobs_stub.client.list_jobs(appId=chain.app_id, branchName="develop")

@pytest.mark.amplify_jobs(job=3)
def test_unknown_key(list_jobs_stub):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.amplify_jobs got unknown key(s) 'job' on *test_unknown_key; allowed: jobs, page_size*"
        ]
    )


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.amplify_jobs(**kwargs): default keyword arguments*"])


def test_region_option_ini_and_header(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\namplify_region = eu-west-2\n")
    pytester.makepyfile(
        """
def test_region(amplify_client, list_jobs_stub):
    print("REGION", amplify_client.meta.region_name)
    chain = list_jobs_stub.generate(jobs=1)
    print("ARN", chain.jobs[0]["jobArn"])
    list_jobs_stub.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
"""
    )
    result = pytester.runpytest_subprocess("-s", "--amplify-jobs-seed", "7")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "amplify-jobs: seed shift 7 (--amplify-jobs-seed), region eu-west-2",
            "*REGION eu-west-2",
            "ARN arn:aws:amplify:eu-west-2:*",
        ]
    )
    result = pytester.runpytest_subprocess("-s", "--amplify-region", "ap-south-1")
    result.stdout.fnmatch_lines(["*region ap-south-1", "*REGION ap-south-1"])


def test_failure_report_section(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_fails(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=5, page_size=2, error="InternalFailureException")
    list_jobs_stub.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    assert False
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- amplify-jobs -*",
            "seed: * (generated with [[]*[]])",
            "chain 0: app d*, branch *, 3 pages, 5 jobs, page_size 2, max_results None, error InternalFailureException (HTTP 500) at call 3",
            "calls made (1):",
            "  list_jobs(appId=*, branchName=*)",
            "calls pending (3):",
            "  call 1 of chain *",
            "  call 2 of chain *",
            "  call 3 of chain * (error InternalFailureException, expects nextToken=*",
        ]
    )


DUMP = """
import json, os

def test_a(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=4, page_size=2)
    dump("a", chain)
    list_jobs_stub.stubber._queue.clear()

def test_b(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=4, page_size=2)
    dump("b", chain)
    list_jobs_stub.stubber._queue.clear()

def dump(name, chain):
    out = os.path.join(os.environ["DUMP_DIR"], f"{name}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.json")
    with open(out, "w") as f:
        json.dump([j["jobArn"] + j.get("commitId", "-") for j in chain.jobs], f)
"""


def _dumps(pytester: pytest.Pytester, tag: str, *args: str) -> dict[str, list[str]]:
    out = pytester.mkdir(f"dump-{tag}")
    pytester.makepyfile(DUMP)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DUMP_DIR", str(out))
        result = pytester.runpytest_subprocess("--disable-socket", *args)
    result.assert_outcomes(passed=2)
    return {p.name.split("-")[0]: json.loads(p.read_text()) for p in out.iterdir()}


@pytest.mark.slow
def test_generated_data_is_reproducible_per_test_across_runs_workers_and_order(
    pytester: pytest.Pytester,
) -> None:
    plain = _dumps(pytester, "plain", "-p", "no:randomly")
    again = _dumps(pytester, "again", "-p", "randomly", "-p", "no:cacheprovider")
    workers = _dumps(pytester, "xdist", "-n", "2")
    shifted = _dumps(pytester, "shift", "--amplify-jobs-seed", "1")
    assert plain == again == workers
    assert plain["a"] != plain["b"]
    assert shifted["a"] != plain["a"]


def test_no_network_under_disable_socket(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        LISTING
        + """
import pytest

@pytest.mark.amplify_jobs(jobs=12, page_size=5, error="BadRequestException")
def test_listing(list_jobs_stub):
    chain = list_jobs_stub.generate()
    with pytest.raises(list_jobs_stub.client.exceptions.BadRequestException):
        list_all(list_jobs_stub.client, chain)
"""
    )
    result = pytester.runpytest_subprocess("--disable-socket", "-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_stub_list_jobs_inside_given(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        LISTING
        + """
from hypothesis import Phase, given, settings
from pytest_amplify_jobs import stub_list_jobs
from pytest_amplify_jobs.strategies import list_jobs_chains

@settings(max_examples=30, deadline=None)
@given(list_jobs_chains(max_jobs=12))
def test_lists(chain):
    with stub_list_jobs(chain) as client:
        assert list_all(client, chain) == list(chain.jobs)

# No explain phase: it reruns the failing example about 100 times (20 of this test's 25 s).
@settings(
    max_examples=5, database=None, deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
@given(list_jobs_chains(min_jobs=3, max_jobs=5, page_size=1))
def test_stops_early(chain):
    with stub_list_jobs(chain) as client:
        client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
"""
    )
    result = pytester.runpytest_subprocess("--disable-socket", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    output = result.stdout.str()
    assert "queued call(s) were never made" in output
    # The falsifying example is the chain's short, readable repr.
    assert re.search(
        r"chain=ListJobsChain\(app_id='d\w+', branch_name='[^']+', page_size=1, ", output
    )
    assert "3 jobs in 3 pages: [#3 " in output
    assert "HTTPHeaders" not in output
    assert "function_scoped_fixture" not in output


def test_two_modes_in_one_test_say_which_serves(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_both(list_jobs_stub, amplify_fake):
    pass

def test_one(amplify_fake):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:randomly", "--disable-socket")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*uses amplify_stubber and amplify_fake: only one of them can serve a call. While "
            "amplify_fake is active, amplify_fake, which serves every client from its store;*"
        ]
    )


def test_unknown_marker_keys_are_errors_with_amplify_client_alone(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.amplify_jobs(jobz=3)
def test_client(amplify_client):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:randomly", "--disable-socket")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*got unknown key(s) 'jobz'*"])

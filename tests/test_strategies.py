"""Public strategies: validity, coherence, argument checks and what they shrink to."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_amplify_jobs import (
    ListJobsChain,
    ListJobsError,
    _model,
    generate_chain,
    validate_job_history,
    validate_list_jobs_request,
    validate_list_jobs_response,
)
from pytest_amplify_jobs import strategies as aj
from pytest_amplify_jobs._choices import HypothesisChoices
from pytest_amplify_jobs._coherence import job_kind
from pytest_amplify_jobs._generate import recorded_type
from tests.helpers import COHERENCE_RULES, assert_chain_ok, assert_coherent_history

M = _model.model()


@given(aj.list_jobs_chains())
def test_chains_are_valid_and_paginate_exactly(chain: ListJobsChain) -> None:
    assert_chain_ok(chain)
    assert_coherent_history(chain.jobs)
    sizes = [len(p["jobSummaries"]) for p in chain.pages]
    assert all(size == chain.page_size for size in sizes[:-1])
    assert sizes[-1] <= chain.page_size


@given(aj.list_jobs_chains(errors=True))
def test_chains_with_errors_raise_the_modeled_error(chain: ListJobsChain) -> None:
    assert_chain_ok(chain)
    assert_coherent_history(chain.jobs, full=chain.error is None)


@given(aj.list_jobs_chains(realistic=False, max_jobs=8, errors=True))
def test_unrealistic_chains_are_model_valid(chain: ListJobsChain) -> None:
    assert_chain_ok(chain)


@given(aj.list_jobs_chains(max_results=7, errors=["LimitExceededException"]))
def test_max_results_and_error_codes_are_honoured(chain: ListJobsChain) -> None:
    assert chain.max_results == 7 and chain.page_size == 7
    assert chain.error is None or chain.error.code == "LimitExceededException"
    assert all(chain.expected_params(i)["maxResults"] == 7 for i in range(chain.call_count))


@given(aj.job_histories(min_size=1, max_size=40))
def test_histories_are_coherent(jobs: list[dict[str, Any]]) -> None:
    assert_coherent_history(jobs)
    validate_list_jobs_response({"jobSummaries": jobs})


@pytest.mark.parametrize("rule", COHERENCE_RULES)
@given(jobs=aj.job_histories(min_size=1, max_size=25))
def test_each_coherence_rule_holds(rule: str, jobs: list[dict[str, Any]]) -> None:
    COHERENCE_RULES[rule](jobs)


def _breaks(rule: str, jobs: list[dict[str, Any]]) -> None:
    """Mutate a valid history so that exactly this rule is broken."""
    newest, older = jobs[0], jobs[1]
    if rule == "sequential_ids":
        newest["jobId"] = str(int(newest["jobId"]) + 5)
    elif rule == "real_arns":
        newest["jobArn"] = newest["jobArn"].replace(":apps/", ":app/")
    elif rule == "commits":
        newest["commitId"] = "not-a-sha"
    elif rule == "aware_tzlocal":
        newest["startTime"] = newest["startTime"].astimezone(dt.timezone(dt.timedelta(hours=2)))
    elif rule == "commit_before_start":
        newest["commitTime"] = newest["startTime"] + dt.timedelta(seconds=1)
    elif rule == "end_time_when_finished":
        newest.pop("endTime")
    elif rule == "one_build_queued_newer":
        older["status"] = "RUNNING"
        older.pop("endTime", None)
    elif rule == "older_started_earlier":
        older["startTime"] = newest["startTime"] + dt.timedelta(seconds=1)
    else:
        raise AssertionError(rule)


@pytest.mark.parametrize("rule", COHERENCE_RULES)
def test_each_coherence_rule_catches_its_breakage(rule: str) -> None:
    jobs = [dict(j) for j in generate_chain(jobs=3, seed=5, page_size=3).jobs]
    jobs[0].update(status="SUCCEED", jobType="WEB_HOOK")  # a plain newest job to break
    jobs[0].pop("sourceUrl", None)
    jobs[0].pop("sourceUrlType", None)
    jobs[0]["commitId"] = "a" * 40
    jobs[0].setdefault("endTime", jobs[0]["startTime"])
    COHERENCE_RULES[rule](jobs)
    _breaks(rule, jobs)
    with pytest.raises(AssertionError):
        COHERENCE_RULES[rule](jobs)


@given(aj.job_histories(app_id="d42", branch_name="main", max_size=5, realistic=False))
def test_unrealistic_histories_keep_the_timeline(jobs: list[dict[str, Any]]) -> None:
    validate_list_jobs_response({"jobSummaries": jobs})
    for job in jobs:
        assert f":apps/d42/branches/main/jobs/{int(job['jobId']):010d}" in job["jobArn"]
        commit = job.get("commitTime", job["startTime"])  # manual deploys have no commit
        assert commit <= job["startTime"] <= job.get("endTime", job["startTime"])


@given(aj.job_summaries(statuses=["RUNNING", "FAILED"], job_types={"MANUAL"}))
def test_summaries_follow_their_restrictions(job: dict[str, Any]) -> None:
    validate_list_jobs_response({"jobSummaries": [job]})
    assert job["status"] in ("RUNNING", "FAILED")
    # The service lists a manual deploy without a commit, with jobType MANUAL or without one
    # (departure manual-deploy-summary: the sources disagree, both are generated).
    assert not {"commitId", "commitMessage", "commitTime"} & set(job)
    assert job.get("jobType", "MANUAL") == "MANUAL"
    assert job["sourceUrlType"] in M.source_url_types
    assert ("endTime" in job) == (job["status"] == "FAILED")


@given(aj.job_summaries(realistic=False))
def test_unrealistic_summaries_are_valid(job: dict[str, Any]) -> None:
    validate_list_jobs_response({"jobSummaries": [job]})


@given(aj.app_ids(), aj.branch_names(), aj.next_tokens())
def test_identities_are_valid_requests(app_id: str, branch: str, token: str) -> None:
    assert re.fullmatch(r"d[a-z0-9]{13}", app_id)
    validate_list_jobs_request({"appId": app_id, "branchName": branch, "nextToken": token})


@given(
    aj.app_ids(realistic=False), aj.branch_names(realistic=False), aj.next_tokens(realistic=False)
)
def test_unrealistic_identities_are_valid_requests(app_id: str, branch: str, token: str) -> None:
    validate_list_jobs_request({"appId": app_id, "branchName": branch, "nextToken": token})


@given(aj.list_jobs_errors())
def test_errors_carry_the_model_status(error: ListJobsError) -> None:
    assert M.errors[error.code] == error.http_status and error.message


# 300-600 jobs an example: 25 examples are enough, 100 took 25 s at the lower bounds.
@settings(max_examples=25)
@given(aj.list_jobs_chains(min_jobs=300, max_jobs=600))
def test_long_histories_are_coherent(chain: ListJobsChain) -> None:
    assert 300 <= len(chain.jobs) <= 600
    assert_coherent_history(chain.jobs)


# ------------------------------------------------------------------------------- coverage


def test_every_status_type_and_error_is_generated() -> None:
    seen: dict[str, set[str]] = {"status": set(), "jobType": set(), "code": set()}

    @settings(max_examples=600, database=None)
    @given(aj.list_jobs_chains(errors=True, min_jobs=1, max_jobs=6))
    def collect(chain: ListJobsChain) -> None:
        for job in chain.jobs:
            seen["status"].add(job["status"])
            seen["jobType"].add(recorded_type(job))
        if chain.error:
            seen["code"].add(chain.error.code)

    collect()
    assert seen["status"] == set(M.statuses)
    assert seen["jobType"] == set(M.job_types)
    assert seen["code"] == set(M.errors)


# -------------------------------------------------------------------------------- shrinking

SHRINK = settings(database=None, max_examples=2000)


@pytest.mark.slow  # shrinking: 4-9 s at Hypothesis's lower bound (nox -s lowest)
def test_a_failed_job_shrinks_to_one_page_with_one_job() -> None:
    chain = find(
        aj.list_jobs_chains(),
        lambda c: any(j["status"] == "FAILED" for j in c.jobs),
        settings=SHRINK,
    )
    assert len(chain.pages) == 1 and len(chain.jobs) == 1
    assert chain.jobs[0]["status"] == "FAILED" and chain.error is None


@pytest.mark.slow  # shrinking: 4-9 s at Hypothesis's lower bound (nox -s lowest)
def test_three_pages_shrink_to_exactly_three() -> None:
    chain = find(aj.list_jobs_chains(), lambda c: len(c.pages) >= 3, settings=SHRINK)
    assert len(chain.pages) == 3
    assert len(chain.jobs) == 3 and chain.page_size == 1


def test_a_summary_shrinks_to_an_ordinary_job() -> None:
    job = find(aj.job_summaries(), lambda j: True, settings=SHRINK)
    assert (job["status"], job["jobType"], job["jobId"]) == ("SUCCEED", "WEB_HOOK", "1")


@pytest.mark.slow  # shrinking: 4-9 s at Hypothesis's lower bound (nox -s lowest)
def test_an_error_shrinks_to_the_first_call() -> None:
    chain = find(aj.list_jobs_chains(errors=True), lambda c: c.error is not None, settings=SHRINK)
    assert chain.pages == () and chain.jobs == ()


@pytest.mark.slow  # shrinking: 4-9 s at Hypothesis's lower bound (nox -s lowest)
def test_a_history_with_a_build_shrinks_to_that_build() -> None:
    jobs = find(
        aj.job_histories(),
        lambda js: any(j["status"] == "RUNNING" for j in js),
        settings=SHRINK,
    )
    assert [j["status"] for j in jobs] == ["RUNNING"]


@settings(max_examples=60)
@given(aj.list_jobs_chains(max_jobs=30), aj.job_histories(max_size=30))
def test_a_history_is_of_one_app_kind(chain: ListJobsChain, jobs: list[dict[str, Any]]) -> None:
    # A repository's builds or manual deploys, never both (AWS API reference, JobSummary).
    for history in (list(chain.jobs), jobs):
        assert len({job_kind(job) for job in history}) <= 1
        validate_job_history(history)


@pytest.mark.slow  # shrinking: 15-50 s at Hypothesis's lower bound (nox -s lowest)
def test_a_manual_deploy_shrinks_to_one_job_and_a_history_to_repository_builds() -> None:
    jobs = find(aj.job_histories(), lambda js: any(job_kind(j) for j in js), settings=SHRINK)
    assert len(jobs) == 1 and recorded_type(jobs[0]) == "MANUAL"
    plain = find(aj.job_histories(min_size=3), lambda js: True, settings=SHRINK)
    assert [recorded_type(j) for j in plain] == ["WEB_HOOK"] * 3


# --------------------------------------------------------------------------- bad arguments

BAD: list[tuple[Callable[..., st.SearchStrategy[Any]], dict[str, Any], str]] = [
    (
        aj.list_jobs_chains,
        {"page_size": 0},
        r"page_size=0 is not allowed; expected an integer from 1 to 50",
    ),
    (aj.list_jobs_chains, {"page_size": 51}, r"page_size=51"),
    (aj.list_jobs_chains, {"max_results": 99}, r"max_results=99 .* from 0 to 50"),
    (
        aj.list_jobs_chains,
        {"page_size": 9, "max_results": 3},
        r"page_size=9 is greater than max_results=3",
    ),
    (aj.list_jobs_chains, {"min_jobs": 5, "max_jobs": 2}, r"min_jobs=5 is greater than max_jobs=2"),
    (aj.list_jobs_chains, {"min_jobs": -1}, r"min_jobs=-1 is not allowed"),
    (aj.list_jobs_chains, {"max_jobs": -3}, r"max_jobs=-3 is not allowed"),
    (
        aj.list_jobs_chains,
        {"errors": ["Nope"]},
        r"errors=\['Nope'\] has 'Nope', which the model does not know; allowed: BadRequestException",
    ),
    (aj.list_jobs_chains, {"errors": []}, r"errors=\[\] is empty"),
    (aj.list_jobs_chains, {"errors": 1}, r"errors=1 must be True, False, or a collection"),
    (aj.list_jobs_chains, {"app_id": "Abc"}, r"app_id='Abc' is rejected by the model"),
    (aj.list_jobs_chains, {"branch_name": "x" * 300}, r"branch_name=.* maximum 255"),
    (aj.list_jobs_chains, {"realistic": None}, r"realistic=None must be True or False"),
    (aj.list_jobs_chains, {"region": 5}, r"region=5 must be a region name"),
    (aj.job_histories, {"min_size": 3, "max_size": 1}, r"min_size=3 is greater than max_size=1"),
    (aj.job_histories, {"min_size": -2}, r"min_size=-2 is not allowed"),
    (aj.job_histories, {"app_id": ""}, r"app_id='' is rejected"),
    (aj.job_summaries, {"statuses": []}, r"statuses=\[\] is empty; give at least one of: CREATED"),
    (aj.job_summaries, {"statuses": ["DONE"]}, r"statuses=\['DONE'\] has 'DONE'"),
    (
        aj.job_summaries,
        {"statuses": "FAILED"},
        r"statuses='FAILED' must be a collection of strings",
    ),
    (
        aj.job_summaries,
        {"job_types": ["PUSH"]},
        r"job_types=\['PUSH'\] has 'PUSH'.*allowed: RELEASE",
    ),
    (aj.job_summaries, {"branch_name": ""}, r"branch_name='' is rejected"),
    (aj.list_jobs_errors, {"codes": ["Teapot"]}, r"codes=\['Teapot'\] has 'Teapot'"),
    (aj.list_jobs_errors, {"codes": ()}, r"codes=\(\) is empty"),
    (aj.app_ids, {"realistic": 1}, r"realistic=1 must be True or False"),
]


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"), BAD, ids=[f"{f.__name__}-{k}" for f, k, _ in BAD]
)
def test_bad_arguments_raise_invalid_argument(
    factory: Callable[..., st.SearchStrategy[Any]], kwargs: dict[str, Any], message: str
) -> None:
    strategy = factory(**kwargs)  # defining never raises: the check runs at the first draw

    @settings(max_examples=1, database=None)
    @given(strategy)
    def draw(_: Any) -> None:
        pass

    with pytest.raises(InvalidArgument, match=message):
        draw()


# ------------------------------------------------------------------------ choices (B11 fix)


def _choice_values(strategy: st.SearchStrategy[Any]) -> list[Any]:
    seen: list[Any] = []

    @settings(database=None, max_examples=60, derandomize=True)
    @given(strategy)
    def collect(value: Any) -> None:
        seen.append(value)

    collect()
    return seen


@pytest.mark.parametrize(("lo", "hi"), [(0, 1), (0, 9), (3, 130), (0, 127), (0, 128), (5, 10**6)])
def test_a_choices_integer_is_the_choice_st_integers_makes(lo: int, hi: int) -> None:
    # Narrow ranges are drawn straight from the ConjectureData: the values (and so examples,
    # shrinking and replays) must be exactly st.integers' own.
    @st.composite
    def through_choices(draw: st.DrawFn) -> int:
        return HypothesisChoices(draw).integer(lo, hi)

    assert _choice_values(through_choices()) == _choice_values(st.integers(lo, hi))


def test_the_direct_draw_is_used_where_hypothesis_has_it() -> None:
    @st.composite
    def direct(draw: st.DrawFn) -> bool:
        return HypothesisChoices(draw)._direct is not None

    # With the installed Hypothesis (at the lower bound too: nox -s lowest), the fast path is on.
    assert find(direct(), lambda d: True) is True


def test_without_the_internal_draw_choices_go_through_strategies() -> None:
    @st.composite
    def plain(draw: st.DrawFn) -> tuple[int, str, bool]:
        c = HypothesisChoices(lambda strategy: draw(strategy))  # no __self__: no direct draw
        assert c._direct is None
        return c.integer(0, 5), c.sampled(["a", "b"]), c.chance(30)

    assert find(plain(), lambda v: True) == (0, "a", False)
    assert find(plain(), lambda v: v[0] == 4 and v[1] == "b" and v[2]) == (4, "b", True)

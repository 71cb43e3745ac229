"""Issue 16: scenarios pinned everywhere histories are made, coherence of hand-built
histories, the errors AWS's front end sends, and fixtures misused inside ``@given``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_amplify_jobs import (
    IncoherentJobHistory,
    ListJobsChain,
    ListJobsError,
    _model,
    fake_amplify,
    generate_chain,
    stub_list_jobs,
    validate_job_history,
)
from pytest_amplify_jobs import strategies as aj
from pytest_amplify_jobs._coherence import RULES, job_kind
from pytest_amplify_jobs._generate import recorded_type
from pytest_amplify_jobs.cli import main
from tests.helpers import assert_coherent_history

pytest_plugins = ["pytester"]

Jobs = list[dict[str, Any]]
SCENARIOS: list[dict[str, Any]] = [
    {"newest": ["PENDING", "RUNNING"]},
    {"newest": ["FAILED"]},
    {"newest": ["CREATED", "PENDING", "PROVISIONING", "CANCELLED"]},
    {"statuses": ["FAILED", "CANCELLED"]},
    {"statuses": ["PENDING"]},
    {"statuses": ["RUNNING", "PENDING"]},
    {"statuses": ["SUCCEED", "RUNNING"], "newest": ["RUNNING"]},
    {"job_types": ["MANUAL"]},
    {"job_types": ["RETRY", "RELEASE"], "newest": ["FAILED", "FAILED"]},
    {"job_types": ["RELEASE", "MANUAL"]},  # both kinds allowed: each history is one of them
]


def assert_scenario(jobs: Jobs, scenario: dict[str, Any]) -> None:
    """The pinned part holds; the whole is valid and coherent."""
    newest = scenario.get("newest", [])
    assert [j["status"] for j in jobs[: len(newest)]] == newest
    if "statuses" in scenario:
        assert {j["status"] for j in jobs} <= set(scenario["statuses"])
    if "job_types" in scenario:
        assert {recorded_type(j) for j in jobs} <= set(scenario["job_types"])
    validate_job_history(jobs)
    assert_coherent_history(jobs)


# ------------------------------------------------------------------------ every place


@pytest.mark.parametrize("scenario", SCENARIOS, ids=json.dumps)
@pytest.mark.parametrize("seed", range(15))
def test_generate_chain_pins_the_scenario(scenario: dict[str, Any], seed: int) -> None:
    jobs = 1 if scenario.get("statuses") == ["RUNNING"] else 12
    chain = generate_chain(jobs=jobs, seed=seed, page_size=5, **scenario)
    assert len(chain.jobs) == jobs
    assert_scenario([dict(j) for j in chain.jobs], scenario)
    assert chain.violations(coherent=True) == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=json.dumps)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_job_histories_pin_the_scenario(scenario: dict[str, Any], data: st.DataObject) -> None:
    jobs = data.draw(aj.job_histories(max_size=15, **scenario))
    assert_scenario(jobs, scenario)  # type: ignore[arg-type]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=json.dumps)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_list_jobs_chains_pin_the_scenario(scenario: dict[str, Any], data: st.DataObject) -> None:
    chain = data.draw(aj.list_jobs_chains(max_jobs=15, **scenario))
    assert_scenario([dict(j) for j in chain.jobs], scenario)
    assert chain.violations(coherent=True) == []


@pytest.mark.parametrize("scenario", SCENARIOS, ids=json.dumps)
def test_the_fake_pins_the_scenario(scenario: dict[str, Any]) -> None:
    with fake_amplify(seed=4) as fake:
        history = fake.add_branch("d1abc", "main", jobs=9, **scenario)
        assert_scenario(history, scenario)  # type: ignore[arg-type]


def test_the_cli_pins_the_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--jobs", "6", "--newest", "PENDING", "RUNNING", "--job-types", "MANUAL"]) == 0
    jobs = [
        j for page in json.loads(capsys.readouterr().out)["pages"] for j in page["jobSummaries"]
    ]
    assert [j["status"] for j in jobs[:2]] == ["PENDING", "RUNNING"]
    assert {recorded_type(j) for j in jobs} == {"MANUAL"}


def test_the_cli_names_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--jobs", "3", "--newest", "SUCCEED", "PENDING"])
    assert exit_info.value.code == 2
    assert "--newest ['SUCCEED', 'PENDING'] is not a coherent history" in capsys.readouterr().err


def test_the_marker_and_generate_pin_the_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.amplify_jobs(jobs=7, newest=["PENDING", "RUNNING"], assert_all_consumed=False)
def test_marker(list_jobs_stub):
    chain = list_jobs_stub.generate()
    assert [j["status"] for j in chain.jobs[:2]] == ["PENDING", "RUNNING"]

def test_generate(amplify_intercept):
    chain = amplify_intercept.generate(jobs=5, statuses=["FAILED"])
    assert {j["status"] for j in chain.jobs} == {"FAILED"}
    import boto3
    client = boto3.client("amplify", region_name="us-east-1")
    client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    chain2 = amplify_intercept.generate(jobs=2, newest=["RUNNING", "PENDING"])
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    assert "newest=['RUNNING', 'PENDING'] is not a coherent history" in result.stdout.str()


# ------------------------------------------------------------------- impossible requests


def _draw(strategy: st.SearchStrategy[Any]) -> None:
    @settings(max_examples=1, database=None)
    @given(strategy)
    def draw(_: Any) -> None:
        pass

    draw()


IMPOSSIBLE: list[tuple[dict[str, Any], str]] = [
    ({"newest": ["RUNNING", "PROVISIONING"]}, r"newest\[1\]: one-build"),
    ({"newest": ["SUCCEED", "PENDING"]}, r"newest\[1\]: queued-newest"),
    ({"newest": ["FAILED", "RUNNING"]}, r"newest\[1\]: build-newest"),
    ({"newest": ["DONE"]}, r"newest=\['DONE'\] has 'DONE' at newest\[0\], which is not a job"),
    ({"newest": "PENDING"}, r"newest='PENDING' must be a list of statuses"),
    ({"statuses": ["FAILED"], "newest": ["SUCCEED"]}, r"statuses=\['FAILED'\] does not allow"),
    ({"statuses": ["RUNNING"]}, r"one-build: at most one build in flight.*at most 1 job"),
    ({"statuses": []}, r"statuses=\[\] is empty"),
    ({"job_types": ["NIGHTLY"]}, r"job_types=\['NIGHTLY'\] has 'NIGHTLY'"),
    ({"newest": ["RUNNING"], "statuses": ["RUNNING", "PENDING"]}, r"at most 1 job"),
]


@pytest.mark.parametrize(("kwargs", "message"), IMPOSSIBLE)
def test_impossible_requests_name_the_rule(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_chain(jobs=3, **kwargs)
    with pytest.raises(InvalidArgument, match=message):
        _draw(aj.job_histories(min_size=3, **kwargs))
    with pytest.raises(InvalidArgument, match=message):
        _draw(aj.list_jobs_chains(min_jobs=3, **kwargs))
    with fake_amplify() as fake, pytest.raises(ValueError, match=message):
        fake.add_branch("d1abc", "main", jobs=3, **kwargs)


def test_sizes_that_cannot_hold_the_pinned_jobs() -> None:
    with pytest.raises(ValueError, match=r"jobs=1 is fewer jobs than newest="):
        generate_chain(jobs=1, newest=["PENDING", "RUNNING"])
    with pytest.raises(InvalidArgument, match=r"max_size=1 is fewer jobs than newest="):
        _draw(aj.job_histories(max_size=1, newest=["PENDING", "RUNNING"]))
    # min below the pinned count is raised to it; max above what is possible is lowered.
    assert len(find(aj.job_histories(newest=["FAILED", "FAILED"]), lambda jobs: True)) == 2
    assert len(find(aj.job_histories(statuses=["RUNNING"]), lambda jobs: len(jobs) > 0)) == 1


def test_pinned_given_history_is_an_error() -> None:
    with fake_amplify() as fake:
        history = fake.add_branch("d1abc", "main", jobs=2)
        with pytest.raises(ValueError, match="pin a generated history"):
            fake.add_branch("d1abc", "main", jobs=history, newest=["FAILED"])


# ----------------------------------------------------------------------------- shrinking


@pytest.mark.slow  # shrinking: 4-9 s at Hypothesis's lower bound (nox -s lowest)
def test_pinned_histories_shrink_to_the_pinned_jobs() -> None:
    jobs = find(aj.job_histories(newest=["PENDING", "RUNNING"]), lambda jobs: True)
    assert [(j["jobId"], j["status"], recorded_type(j)) for j in jobs] == [
        ("2", "PENDING", "WEB_HOOK"),
        ("1", "RUNNING", "WEB_HOOK"),
    ]


def test_statuses_shrink_to_the_most_ordinary_allowed() -> None:
    jobs = find(aj.job_histories(statuses=["CANCELLED", "FAILED"]), lambda jobs: len(jobs) >= 3)
    assert [j["status"] for j in jobs] == ["FAILED"] * 3


def test_older_jobs_shrink_away_but_the_newest_stay() -> None:
    chain = find(
        aj.list_jobs_chains(newest=["FAILED"]),
        lambda chain: any(j["status"] == "SUCCEED" for j in chain.jobs),
    )
    assert [j["status"] for j in chain.jobs] == ["FAILED", "SUCCEED"]


# ---------------------------------------------------------------- validate_job_history


def _history() -> Jobs:
    return [dict(j) for j in generate_chain(jobs=4, seed=2, newest=["PENDING", "RUNNING"]).jobs]


def _set(index: int, key: str, value: Callable[[Jobs], Any]) -> Callable[[Jobs], None]:
    def breaker(jobs: Jobs) -> None:
        jobs[index][key] = value(jobs)

    return breaker


def _build_behind_a_finish(jobs: Jobs) -> None:
    jobs[1]["status"], jobs[1]["endTime"] = "SUCCEED", jobs[1]["startTime"]
    jobs[2]["status"] = "RUNNING"
    del jobs[2]["endTime"]


def _other_kind(jobs: Jobs) -> None:
    """Job 2 becomes a job of the other kind of app: a manual deploy among builds of a
    repository, or a webhook build among manual deploys."""
    job = jobs[2]
    if job_kind(job):
        job.update(jobType="WEB_HOOK", commitId="ab" * 20, commitMessage="Fix README")
        job["commitTime"] = job["startTime"]
    else:
        for member in ("commitId", "commitMessage", "commitTime"):
            job.pop(member, None)
        job["jobType"] = "MANUAL"


def _swap(a: int, b: int) -> Callable[[Jobs], None]:
    def breaker(jobs: Jobs) -> None:
        jobs[a], jobs[b] = jobs[b], jobs[a]

    return breaker


BREAKAGES: dict[str, tuple[Callable[[Jobs], None], str]] = {
    "ids-newest-first": (_swap(2, 3), "jobs[3].jobId"),
    "ids-unique": (_set(3, "jobId", lambda jobs: jobs[2]["jobId"]), "jobs[3].jobId"),
    "arn-matches": (
        _set(2, "jobArn", lambda jobs: jobs[2]["jobArn"].replace("/branches/", "/branches/x")),
        "jobs[2].jobArn",
    ),
    "commit-before-start": (
        _set(
            2,
            "commitTime",
            lambda jobs: jobs[2]["startTime"] + (jobs[2]["startTime"] - jobs[3]["startTime"]),
        ),
        "jobs[2].commitTime",
    ),
    "start-before-end": (
        _set(
            3,
            "endTime",
            lambda jobs: jobs[3]["startTime"] - (jobs[2]["startTime"] - jobs[3]["startTime"]),
        ),
        "jobs[3].endTime",
    ),
    "end-only-finished": (_set(1, "endTime", lambda jobs: jobs[1]["startTime"]), "jobs[1].endTime"),
    "one-build": (_set(0, "status", lambda jobs: "PROVISIONING"), "jobs[1].status"),
    "build-newest": (_build_behind_a_finish, "jobs[2].status"),
    "queued-newest": (_set(2, "status", lambda jobs: "PENDING"), "jobs[2].status"),
    "one-kind": (_other_kind, "jobs[2].jobType"),
}


def test_every_rule_has_a_breakage() -> None:
    assert set(BREAKAGES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(BREAKAGES))
def test_validate_job_history_catches_each_rule(rule: str) -> None:
    jobs = _history()
    validate_job_history(jobs)  # coherent before
    breaker, path = BREAKAGES[rule]
    breaker(jobs)
    with pytest.raises(IncoherentJobHistory) as error:
        validate_job_history(jobs)
    assert isinstance(error.value, ValueError)
    found = {(v.path, v.rule.split(":")[0]) for v in error.value.violations}
    assert (path, rule) in found, found
    assert f"{path}: {rule}: {RULES[rule]}" in str(error.value)


def test_every_violation_is_listed() -> None:
    jobs = _history()
    jobs[0]["status"] = "SUCCEED"  # the build is now older than a finished job
    jobs[3]["endTime"] = jobs[3]["startTime"].replace(year=2000)
    with pytest.raises(IncoherentJobHistory) as error:
        validate_job_history(jobs)
    rules = {v.rule.split(":")[0] for v in error.value.violations}
    assert rules == {"build-newest", "start-before-end"}


def test_validate_job_history_bad_arguments() -> None:
    with pytest.raises(TypeError, match="jobs='x' must be a list of job summaries"):
        validate_job_history("x")  # type: ignore[arg-type]
    jobs = [dict(j) for j in generate_chain(jobs=2, app_id="d1abc", branch_name="main").jobs]
    validate_job_history(jobs, app_id="d1abc", branch_name="main")
    with pytest.raises(IncoherentJobHistory, match="names app 'd1abc', not 'dother'"):
        validate_job_history(jobs, app_id="dother")
    with pytest.raises(IncoherentJobHistory, match="names branch 'main', not 'dev'"):
        validate_job_history(jobs, branch_name="dev")


def test_chains_check_coherence_on_request_only() -> None:
    chain = generate_chain(jobs=3)
    jobs = [dict(j) for j in chain.jobs]
    jobs[0]["status"], jobs[1]["status"] = "RUNNING", "RUNNING"
    jobs[0].pop("endTime", None)
    jobs[1].pop("endTime", None)
    odd = ListJobsChain(
        app_id=chain.app_id,
        branch_name=chain.branch_name,
        pages=[{"jobSummaries": jobs}],  # type: ignore[arg-type]
    )
    assert odd.violations() == []  # incoherent on purpose is allowed
    assert [v.rule.split(":")[0] for v in odd.violations(coherent=True)] == ["one-build"]
    with pytest.raises(TypeError, match="coherent='yes' must be True or False"):
        odd.violations(coherent="yes")  # type: ignore[arg-type]


def test_the_fake_refuses_incoherent_histories() -> None:
    with fake_amplify() as fake:
        jobs = fake.add_branch("d1abc", "main", jobs=3, finished=True)
        jobs[2]["status"] = "RUNNING"
        jobs[2].pop("endTime")
        with pytest.raises(IncoherentJobHistory, match=r"jobs\[2\].status: build-newest"):
            fake.add_branch("d1abc", "main", jobs=jobs)


# --------------------------------------------------------------------- common errors

COMMON = _model.common_error_codes()
# What botocore decides, mode by mode: legacy retries 5xx, 429, 509 and the throttling codes
# sent with 400; standard retries 500/502/503/504, throttling codes and transient codes.
RETRIED = {
    "legacy": {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "InternalFailure",
    },
    "standard": {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "InternalFailure",
        "RequestTimeout",
        "RequestTimeoutException",
    },
}


def test_common_errors_are_kept_apart() -> None:
    modeled = set(_model.model().errors)
    assert not modeled & set(COMMON)
    assert _model.all_error_codes() == (*_model.model().errors, *COMMON)
    for code in COMMON:
        fact = _model.error_fact(code)
        assert not fact.modeled and 400 <= fact.http_status <= 599
        assert fact.headers["x-amzn-errortype"].split(":")[0] == code
        assert ListJobsError.of(code).http_status == fact.http_status


def _client(mode: str) -> Any:
    return botocore.session.get_session().create_client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
        config=Config(retries={"mode": mode, "total_max_attempts": 3}),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("mode", ["legacy", "standard"])
@pytest.mark.parametrize("code", COMMON)
def test_common_errors_through_botocores_retry_handler(mode: str, code: str) -> None:
    with fake_amplify() as fake:
        fake.add_branch("d1abc", "main", jobs=2)
        fake.fail(code, times=5, operation="ListJobs")
        with pytest.raises(ClientError) as error:
            _client(mode).list_jobs(appId="d1abc", branchName="main")
        response = error.value.response
        assert response["Error"]["Code"] == code
        assert response["ResponseMetadata"]["HTTPStatusCode"] == _model.error_status(code)
        assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"].startswith(code)
        attempts = 3 if code in RETRIED[mode] else 1
        assert len(fake.requests) == attempts, (mode, code)
        assert response["ResponseMetadata"]["RetryAttempts"] == attempts - 1


def test_a_retried_common_error_then_succeeds() -> None:
    with fake_amplify() as fake:
        history = fake.add_branch("d1abc", "main", jobs=2)
        fake.fail("ThrottlingException", times=2)
        page = _client("standard").list_jobs(appId="d1abc", branchName="main")
        assert page["jobSummaries"] == history
        assert [r.error_code for r in fake.requests] == ["ThrottlingException"] * 2 + [None]


@pytest.mark.parametrize("code", COMMON)
def test_common_errors_through_the_stubber(code: str) -> None:
    chain = generate_chain(jobs=3, page_size=2, error=code)
    assert chain.error is not None and not chain.error.modeled
    with stub_list_jobs(chain) as client:
        pages = client.get_paginator("list_jobs").paginate(
            appId=chain.app_id, branchName=chain.branch_name
        )
        with pytest.raises(ClientError) as error:
            list(pages)
    assert error.value.response["Error"]["Code"] == code
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == _model.error_status(code)


def test_strategies_offer_common_errors_on_request_only() -> None:
    modeled = set(_model.model().errors)
    assert find(aj.list_jobs_errors(), lambda e: True).code in modeled
    with pytest.raises(Exception, match="No examples found"):
        find(aj.list_jobs_errors(), lambda e: not e.modeled)
    assert find(aj.list_jobs_errors(common=True), lambda e: not e.modeled).code == COMMON[0]
    assert (
        find(aj.list_jobs_errors(codes=["ExpiredTokenException"]), lambda e: True).http_status
        == 403
    )
    chain = find(
        aj.list_jobs_chains(common_errors=True),
        lambda c: c.error is not None and not c.error.modeled,
    )
    assert chain.error is not None and chain.error.code == COMMON[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"common": "yes"}, r"common='yes' must be True or False"),
        ({"codes": ["Teapot"]}, r"codes=\['Teapot'\] has 'Teapot'"),
    ],
)
def test_list_jobs_errors_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        _draw(aj.list_jobs_errors(**kwargs))


def test_the_fake_fails_with_any_common_error_on_any_operation() -> None:
    with fake_amplify() as fake:
        fake.add_branch("d1abc", "main", jobs=1)
        fake.fail("AccessDeniedException")  # any operation
        with pytest.raises(ClientError, match="AccessDeniedException"):
            _client("legacy").get_branch(appId="d1abc", branchName="main")


# ------------------------------------------------------------------------------- misuse


def test_per_test_fixtures_inside_given_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
from hypothesis import given, strategies as st

@given(st.integers())
def test_stub(list_jobs_stub, n):
    pass

@given(st.integers())
def test_fake(amplify_fake, n):
    pass

def test_plain(list_jobs_stub):
    pass
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*test_stub is a Hypothesis test (@given) and requests list_jobs_stub*"
            "with stub_list_jobs(chain) as ...:*",
            "*test_fake is a Hypothesis test (@given) and requests amplify_fake*"
            "with fake_amplify() as ...:*",
        ]
    )


def test_the_marker_is_rejected_by_amplify_fake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.amplify_jobs(jobs=3)
def test_fake(amplify_fake):
    pass

@pytest.mark.amplify_jobs(assert_no_refused_calls=False)
def test_checks_only(amplify_fake):
    pass
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*amplify_fake does not read them. Pass them to amplify_fake.add_branch*"]
    )

"""The fake service: real requests, real parsing, real retries, any call order."""

from __future__ import annotations

import concurrent.futures
import json
import time
from typing import Any

import boto3
import botocore.compat
import botocore.endpoint
import pytest
from botocore.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_amplify_jobs import (
    AmplifyFake,
    IncoherentJobHistory,
    _model,
    fake_amplify,
)
from pytest_amplify_jobs._fake import default_page_size
from tests.helpers import assert_coherent_history, run_aws_cli

ORIGINAL_NEEDS_RETRY = botocore.endpoint.Endpoint._needs_retry
APP, BRANCH = "d1fakeapp2345", "feature/über-login"


pytestmark = pytest.mark.usefixtures("no_http")


@pytest.fixture
def fake() -> Any:
    with fake_amplify(seed=11) as f:
        yield f


def client(**retries: Any) -> Any:
    config = Config(retries=retries) if retries else None
    return boto3.client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
        config=config,
    )


def paginate(c: Any, app: str = APP, branch: str = BRANCH, **config: Any) -> list[dict[str, Any]]:
    pages = c.get_paginator("list_jobs").paginate(
        appId=app, branchName=branch, PaginationConfig=config
    )
    return [job for page in pages for job in page["jobSummaries"]]


def test_the_default_page_size_is_the_models_maximum() -> None:
    assert default_page_size() == _model.model().max_page_size == 50


@pytest.mark.parametrize("page_size", [None, 1, 7, 50])
def test_pagination_gives_exactly_the_history(fake: AmplifyFake, page_size: int | None) -> None:
    history = fake.add_branch(APP, BRANCH, jobs=120)
    assert_coherent_history(history)
    config = {"PageSize": page_size} if page_size else {}
    assert paginate(client(), **config) == history
    sizes = [r.params.get("maxResults") for r in fake.requests]
    expected_calls = -(-120 // (page_size or 50))
    assert len(fake.requests) == expected_calls
    assert set(sizes) == {page_size}
    assert fake.requests[0].path == f"/apps/{APP}/branches/{BRANCH}/jobs"


def test_timestamps_are_aware_and_equal_to_the_history(fake: AmplifyFake) -> None:
    history = fake.add_branch(APP, BRANCH, jobs=5)
    page = client().list_jobs(appId=APP, branchName=BRANCH)
    for got, want in zip(page["jobSummaries"], history, strict=True):
        assert got["startTime"].tzinfo is not None
        assert got["startTime"] == want["startTime"]
        assert got == want
    meta = page["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200 and meta["RetryAttempts"] == 0
    assert meta["HTTPHeaders"]["content-type"] == "application/json"
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]


def test_two_interleaved_paginators_and_a_restart(fake: AmplifyFake) -> None:
    first = fake.add_branch(APP, "main", jobs=9)
    second = fake.add_branch(APP, "develop", jobs=7)
    c = client()
    a = iter(
        c.get_paginator("list_jobs").paginate(
            appId=APP, branchName="main", PaginationConfig={"PageSize": 2}
        )
    )
    b = iter(
        c.get_paginator("list_jobs").paginate(
            appId=APP, branchName="develop", PaginationConfig={"PageSize": 3}
        )
    )
    got_a: list[Any] = []
    got_b: list[Any] = []
    for _ in range(3):
        got_a += next(a)["jobSummaries"]
        got_b += next(b)["jobSummaries"]
    got_a += [j for page in a for j in page["jobSummaries"]]
    assert got_a == first and got_b == second
    # A restart from page 1 simply works again.
    assert paginate(c, branch="main", PageSize=4) == first


def test_threads_list_concurrently(fake: AmplifyFake) -> None:
    history = fake.add_branch(APP, BRANCH, jobs=60)

    def work(size: int) -> list[dict[str, Any]]:
        return paginate(client(), PageSize=size)

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, [1, 3, 7, 11, 13, 50, 2, 5]))
    assert all(result == history for result in results)


def test_tokens_are_bound_to_their_listing(fake: AmplifyFake) -> None:
    fake.add_branch(APP, "main", jobs=5)
    fake.add_branch(APP, "develop", jobs=5)
    c = client()
    token = c.list_jobs(appId=APP, branchName="main", maxResults=2)["nextToken"]
    with pytest.raises(c.exceptions.BadRequestException, match="not issued by this service"):
        c.list_jobs(appId=APP, branchName="main", nextToken="made-up")
    with pytest.raises(c.exceptions.BadRequestException, match=f"issued for {APP}/main"):
        c.list_jobs(appId=APP, branchName="develop", nextToken=token)
    fake.expire_tokens()
    with pytest.raises(c.exceptions.BadRequestException, match="expired") as info:
        c.list_jobs(appId=APP, branchName="main", nextToken=token)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [r.status for r in fake.requests[-3:]] == [400, 400, 400]
    assert fake.requests[-1].error_code == "BadRequestException"


def test_new_jobs_do_not_shift_a_listing_in_progress(fake: AmplifyFake) -> None:
    history = fake.add_branch(APP, BRANCH, jobs=6)
    c = client()
    page = c.list_jobs(appId=APP, branchName=BRANCH, maxResults=3)
    fake.add_job(APP, BRANCH)
    rest = c.list_jobs(appId=APP, branchName=BRANCH, maxResults=3, nextToken=page["nextToken"])
    assert page["jobSummaries"] + rest["jobSummaries"] == history


def test_throttling_is_retried_by_botocore(fake: AmplifyFake) -> None:
    history = fake.add_branch(APP, BRANCH, jobs=3)
    fake.fail("LimitExceededException", times=2)
    started = time.perf_counter()
    page = client(mode="standard", max_attempts=3).list_jobs(appId=APP, branchName=BRANCH)
    assert page["ResponseMetadata"]["RetryAttempts"] == 2
    assert page["jobSummaries"] == history
    assert [r.status for r in fake.requests] == [429, 429, 200]
    assert len(fake.backoffs) == 2 and all(b > 0 for b in fake.backoffs)
    assert time.perf_counter() - started < 30  # sanity only: the backoff was not slept


def test_giving_up_when_retries_are_off(fake: AmplifyFake) -> None:
    fake.add_branch(APP, BRANCH, jobs=3)
    fake.fail("LimitExceededException", times=2)
    c = client(mode="standard", max_attempts=1)
    with pytest.raises(c.exceptions.LimitExceededException) as info:
        c.list_jobs(appId=APP, branchName=BRANCH)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert (
        info.value.response["Error"]["Message"]
        == "A service quota of Amplify was exceeded by ListJobs."
    )


def test_internal_failures_are_retried_and_faults_wait_their_turn(fake: AmplifyFake) -> None:
    fake.add_branch(APP, BRANCH, jobs=4)
    fake.fail("InternalFailureException", times=1, after_calls=1)
    c = client(mode="legacy", max_attempts=3)
    first = c.list_jobs(appId=APP, branchName=BRANCH, maxResults=2)
    second = c.list_jobs(appId=APP, branchName=BRANCH, maxResults=2, nextToken=first["nextToken"])
    assert first["ResponseMetadata"]["RetryAttempts"] == 0
    assert second["ResponseMetadata"]["RetryAttempts"] == 1
    assert [r.status for r in fake.requests] == [200, 500, 200]


def test_real_delays_can_be_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    with fake_amplify(keep_retry_delays=True) as fake:
        fake.add_branch(APP, BRANCH, jobs=1)
        fake.fail("LimitExceededException")
        client(mode="standard", max_attempts=2).list_jobs(appId=APP, branchName=BRANCH)
    assert slept == fake.backoffs and len(slept) == 1


def test_a_polling_loop_waits_for_the_deploy(fake: AmplifyFake) -> None:
    fake.add_branch(APP, BRANCH, jobs=3)
    job = fake.add_job(APP, BRANCH, status="PENDING", job_type="RELEASE")
    fake.advance(job, "RUNNING", after_calls=2)
    fake.advance(job, "SUCCEED", after_calls=5)
    c = client()
    seen = []
    for _ in range(20):
        newest = c.list_jobs(appId=APP, branchName=BRANCH, maxResults=1)["jobSummaries"][0]
        seen.append(newest["status"])
        if newest["status"] == "SUCCEED":
            break
    # after_calls=N: N calls see the old status, call N+1 the new one.
    assert seen == ["PENDING", "PENDING", "RUNNING", "RUNNING", "RUNNING", "SUCCEED"]
    assert newest["jobId"] == job["jobId"] and newest["endTime"] >= newest["startTime"]
    assert_coherent_history(fake.history(APP, BRANCH))


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        ([("SUCCEED", 0)], "cannot go from PENDING to SUCCEED; allowed: PROVISIONING, RUNNING"),
        ([("RUNNING", 0), ("PENDING", 0)], "cannot go from RUNNING to PENDING"),
        ([("RUNNING", 3), ("RUNNING", 4)], "cannot go from RUNNING to RUNNING"),
        ([("CANCELLED", 0), ("RUNNING", 0)], "none \\(it has finished\\)"),
        ([("DONE", 0)], "status='DONE' is not a job status"),
    ],
)
def test_invalid_lifecycle_moves_are_clear_errors(
    fake: AmplifyFake, moves: list[tuple[str, int]], message: str
) -> None:
    fake.add_branch(APP, BRANCH, jobs=1)
    job = fake.add_job(APP, BRANCH)
    *allowed, (last_status, last_after) = moves
    for status, after in allowed:
        fake.advance(job, status, after_calls=after)
    with pytest.raises(ValueError, match=message):
        fake.advance(job, last_status, after_calls=last_after)


def test_one_build_at_a_time(fake: AmplifyFake) -> None:
    fake.add_branch(APP, BRANCH, jobs=1)
    first = fake.add_job(APP, BRANCH, status="RUNNING")
    second = fake.add_job(APP, BRANCH)
    with pytest.raises(ValueError, match=f"job {first['jobId']} of the branch is RUNNING"):
        fake.advance(second, "RUNNING")
    with pytest.raises(ValueError, match="one build at a time"):
        fake.add_job(APP, BRANCH, status="PROVISIONING")
    with pytest.raises(ValueError, match="status='SUCCEED' is not a status a new job can have"):
        fake.add_job(APP, BRANCH, status="SUCCEED")


def test_unknown_branches_are_clear_errors(fake: AmplifyFake) -> None:
    fake.add_branch(APP, "main", jobs=1)
    c = client()
    # The service's text (aws-amplify/amplify-hosting#2361); ListJobs models no NotFound.
    with pytest.raises(c.exceptions.BadRequestException, match=r"^.*: Branch nope not found\.$"):
        c.list_jobs(appId=APP, branchName="nope")
    with pytest.raises(ValueError, match="the fake has no branch"):
        fake.add_job(APP, "nope")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": "x"}, "seed='x' must be an integer"),
        ({"keep_retry_delays": 1}, "keep_retry_delays=1 must be True or False"),
        ({"region": ""}, "region='' must be a region name"),
    ],
)
def test_bad_constructor_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fake_amplify(**kwargs)


def test_bad_arguments(fake: AmplifyFake) -> None:
    with pytest.raises(ValueError, match="code='Teapot' is not a modeled ListJobs error"):
        fake.fail("Teapot")
    with pytest.raises(ValueError, match="times=0 is not allowed"):
        fake.fail("LimitExceededException", times=0)
    with pytest.raises(ValueError, match="app_id='X' is rejected by the model"):
        fake.add_branch("X", "main")
    with pytest.raises(ValueError, match="jobs='many' must be a count"):
        fake.add_branch(APP, "main", jobs="many")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="jobs=-1 is not allowed"):
        fake.add_branch(APP, "main", jobs=-1)
    fake.add_branch(APP, "main", jobs=1)
    with pytest.raises(
        ValueError,
        match=r"job_type='PUSH' is not a job type app \S+ \(connected to a repository\) makes; "
        r"allowed: WEB_HOOK, RELEASE, RETRY, or None \(default: WEB_HOOK\)",
    ):
        fake.add_job(APP, "main", job_type="PUSH")
    with pytest.raises(ValueError, match="job='arn:nope' is not a job the fake serves"):
        fake.advance("arn:nope", "RUNNING")
    with pytest.raises(ValueError, match="after_calls=-1 is not allowed"):
        fake.advance(fake.history(APP, "main")[0], "RUNNING", after_calls=-1)


def test_a_given_history_is_validated_and_served(fake: AmplifyFake) -> None:
    history = fake.add_branch(APP, "main", jobs=4, seed=3)
    assert fake.add_branch(APP, "main", jobs=history) == history
    assert paginate(client(), branch="main") == history
    with pytest.raises(IncoherentJobHistory, match="ids-newest-first"):
        fake.add_branch(APP, "main", jobs=list(reversed(history)))
    # The fake's lifecycle relies on coherent histories: another branch's jobs are refused.
    with pytest.raises(IncoherentJobHistory, match="names branch 'main', not 'copy'"):
        fake.add_branch(APP, "copy", jobs=history)


def test_the_aws_cli_lists_through_the_fake(
    fake: AmplifyFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    history = fake.add_branch(APP, "main", jobs=75)
    rc, out = run_aws_cli(
        "list-jobs",
        "--app-id",
        APP,
        "--branch-name",
        "main",
        "--region",
        "us-east-1",
        "--output",
        "json",
        "--page-size",
        "20",
    )
    assert rc == 0
    printed = json.loads(out)["jobSummaries"]
    assert [j["jobId"] for j in printed] == [j["jobId"] for j in history]
    # awscli v1 prints timestamps as they came on the wire: epoch seconds.
    assert printed[0]["startTime"] == history[0]["startTime"].timestamp()
    assert len(fake.requests) == 4


def test_leaving_restores_botocore() -> None:
    with fake_amplify() as fake:
        fake.add_branch(APP, "main", jobs=1)
        assert botocore.endpoint.Endpoint._needs_retry is not ORIGINAL_NEEDS_RETRY
    assert botocore.endpoint.Endpoint._needs_retry is ORIGINAL_NEEDS_RETRY
    assert botocore.endpoint.time is time


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 80), st.integers(1, 50))
def test_inside_given_any_size_and_page_size(jobs: int, size: int) -> None:
    with fake_amplify(seed=jobs) as fake:
        history = fake.add_branch(APP, BRANCH, jobs=jobs)
        assert paginate(client(), PageSize=size) == history
        assert len(fake.requests) == max(1, -(-jobs // size))


def test_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3

def test_fake(amplify_fake):
    history = amplify_fake.add_branch(app_id="d1abc", branch_name="main", jobs=12)
    c = boto3.client("amplify", region_name="us-east-1")
    pages = c.get_paginator("list_jobs").paginate(appId="d1abc", branchName="main",
                                                  PaginationConfig={"PageSize": 5})
    assert [j for p in pages for j in p["jobSummaries"]] == history

def test_fails(amplify_fake):
    amplify_fake.add_branch(app_id="d1abc", branch_name="main", jobs=2)
    boto3.client("amplify", region_name="us-east-1").list_jobs(appId="d1abc", branchName="main")
    assert False
"""
    )
    result = pytester.runpytest_subprocess("--disable-socket", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- amplify-jobs -*",
            "seed: *",
            "branch d1abc/main: 2 jobs, 1 calls",
            "requests (1):",
            "  GET /apps/d1abc/branches/main/jobs (appId='d1abc', branchName='main') -> 200",
        ]
    )


def test_fake_requests_are_unsigned(fake: AmplifyFake, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    original = fake.on_before_send

    def spy(request: Any, operation: str, client: Any) -> Any:
        seen.append(dict(request.headers))
        return original(request, operation, client)

    monkeypatch.setattr(fake, "on_before_send", spy)
    fake.add_branch(APP, "main", jobs=1)
    client().list_jobs(appId=APP, branchName="main")
    assert "Authorization" not in seen[0]


def test_clock_is_after_the_history(fake: AmplifyFake) -> None:
    history = fake.add_branch(APP, BRANCH, jobs=3)
    job = fake.add_job(APP, BRANCH)
    newest = max(j.get("endTime", j["startTime"]) for j in history)
    assert job["startTime"] > newest
    # Aware, in the zone botocore's parser hands timestamps out in (tzlocal()).
    assert type(job["startTime"].tzinfo) is botocore.compat.get_tzinfo_options()[0]


def test_a_finished_branch_is_ready_for_a_new_build(fake: AmplifyFake) -> None:
    m = _model.model()
    for seed in range(20):
        history = fake.add_branch(APP, f"b{seed}", jobs=6, seed=seed, finished=True)
        assert all(job["status"] in m.finished_statuses for job in history)
        assert_coherent_history(history)
        fake.add_job(APP, f"b{seed}", status="RUNNING")


# ------------------------------------------------------------- after_calls: one meaning


def _observe(c: Any) -> str:
    """One ListJobs call: the newest job's status, or the error code it got."""
    try:
        return str(
            c.list_jobs(appId=APP, branchName=BRANCH, maxResults=1)["jobSummaries"][0]["status"]
        )
    except c.exceptions.ClientError as error:
        return str(error.response["Error"]["Code"])


@pytest.mark.parametrize("after_calls", [0, 1, 2, 3])
@pytest.mark.parametrize("method", ["fail", "advance"])
def test_after_calls_lets_n_calls_see_the_old_state(
    fake: AmplifyFake, method: str, after_calls: int
) -> None:
    fake.add_branch(APP, BRANCH, jobs=2, finished=True)
    job = fake.add_job(APP, BRANCH, "PENDING")
    if method == "fail":
        fake.fail("InternalFailureException", after_calls=after_calls)
        new = "InternalFailureException"
    else:
        fake.advance(job, "RUNNING", after_calls=after_calls)
        new = "RUNNING"
    c = client(total_max_attempts=1)  # one HTTP attempt per call
    seen = [_observe(c) for _ in range(after_calls + 1)]
    assert seen == ["PENDING"] * after_calls + [new]


def test_a_retried_attempt_is_a_call(fake: AmplifyFake) -> None:
    fake.add_branch(APP, BRANCH, jobs=2, finished=True)
    job = fake.add_job(APP, BRANCH, "PENDING")
    fake.fail("InternalFailureException")  # the first attempt: a 500, retried by botocore
    fake.advance(job, "RUNNING", after_calls=1)  # the retry is call 2: it sees RUNNING
    assert _observe(client()) == "RUNNING"
    assert [r.status for r in fake.requests] == [500, 200]


def test_one_build_at_every_moment_whatever_the_order_of_scheduled_moves(
    fake: AmplifyFake,
) -> None:
    fake.add_branch(APP, BRANCH, jobs=2, finished=True)
    older = fake.add_job(APP, BRANCH, "PENDING")
    newer = fake.add_job(APP, BRANCH, "PENDING")
    # One queue: the newer job cannot build while the older one waits in it.
    with pytest.raises(ValueError, match=r"job 3 of the branch is queued before job 4 \(PENDING\)"):
        fake.advance(newer, "RUNNING", after_calls=2)
    fake.advance(older, "RUNNING", after_calls=2)
    # The newer job would build from call 2 while the older one builds from call 3.
    with pytest.raises(ValueError, match="one build at a time"):
        fake.advance(newer, "RUNNING", after_calls=1)
    fake.advance(older, "SUCCEED", after_calls=4)
    fake.advance(newer, "RUNNING", after_calls=4)  # once the older one has finished: fine
    # A move cannot be due before one already scheduled for the same job.
    with pytest.raises(ValueError, match=r"cannot come before it \(allowed: after_calls >= 4\)"):
        fake.advance(newer, "FAILED", after_calls=1)
    c = client(total_max_attempts=1)
    building = []
    for _ in range(6):
        jobs = c.list_jobs(appId=APP, branchName=BRANCH)["jobSummaries"]
        building.append([j["jobId"] for j in jobs if j["status"] in ("PROVISIONING", "RUNNING")])
    assert all(len(ids) <= 1 for ids in building), building
    assert building[-1] == [newer["jobId"]]


def test_a_branch_added_is_of_its_apps_kind() -> None:
    from pytest_amplify_jobs._coherence import job_kind

    with fake_amplify(seed=3) as fake:
        fake.add_app("d1manualapp01", kind="manual")
        fake.add_app("d1repoapp0001")
        assert all(job_kind(j) for j in fake.add_branch("d1manualapp01", "main", jobs=4))
        built = fake.add_branch("d1repoapp0001", "main", jobs=4, job_types=["MANUAL", "RELEASE"])
        assert {j.get("jobType") for j in built} <= {"RELEASE", None}  # MANUAL: not this kind
        with pytest.raises(ValueError, match=r"job_types=\['MANUAL'\]: app d1repoapp0001 is "):
            fake.add_branch("d1repoapp0001", "dev", jobs=2, job_types=["MANUAL"])

        def moved(app_id: str) -> list[dict[str, Any]]:
            jobs = fake.history("d1manualapp01", "main")
            return [{**j, "jobArn": j["jobArn"].replace("d1manualapp01", app_id)} for j in jobs]

        with pytest.raises(ValueError, match="jobs: manual deploys, but app d1repoapp0001"):
            fake.add_branch("d1repoapp0001", "main", jobs=moved("d1repoapp0001"))
        # A new app takes the kind of the history given.
        fake.add_branch("d1newapp00001", "main", jobs=moved("d1newapp00001"))
        assert "repository" not in fake.apps()[-1]

"""Responses of every job operation (issue 15): generated, coherent, queued in every mode."""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from botocore.exceptions import StubAssertionError, UnStubbedResponseError
from botocore.parsers import create_parser
from botocore.stub import ANY, Stubber
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_amplify_jobs import (
    AmplifyIntercept,
    InvalidResponse,
    ResponseScript,
    _model,
    _wire,
    generate_chain,
    generate_response,
    stub_list_jobs,
    validate_response,
)
from pytest_amplify_jobs._client import make_client
from pytest_amplify_jobs._responses import OPERATIONS
from pytest_amplify_jobs._stubbing import AmplifyStub
from pytest_amplify_jobs.strategies import amplify_responses, list_jobs_chains

pytest_plugins = ["pytester"]

FINISHED = ("SUCCEED", "FAILED", "CANCELLED")
NOT_LISTJOBS = tuple(op for op in OPERATIONS if op != "ListJobs")
REPOSITORY_TYPES = ["WEB_HOOK", "RELEASE", "RETRY"]


def kind_for(operation: str) -> list[str] | None:
    """The job types of the app kind ``operation`` needs: the service refuses a deployment
    on an app connected to a repository, and StartJob on a manual one."""
    if operation in ("CreateDeployment", "StartDeployment"):
        return ["MANUAL"]
    return REPOSITORY_TYPES if operation == "StartJob" else None


def _norm(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dt.datetime):
        return round(value.timestamp(), 3)
    return value


def assert_parses(operation: str, response: dict[str, Any]) -> None:
    """Strictly valid, and botocore's own parser reads its wire form back to the same data."""
    validate_response(operation, response)
    shape = _model.operation(operation).output_shape
    http = {"body": _wire.wire_body(response), "headers": {}, "status_code": 200}
    parsed = create_parser("rest-json").parse(http, shape)
    assert _norm(parsed) == _norm(response)


# ------------------------------------------------------------------------------ generated


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_operation_is_valid_and_parses(operation: str, seed: int) -> None:
    types = kind_for(operation)
    # A deployment waits for the branch's newest job to finish (the service's refusal).
    newest = ["SUCCEED"] if types == ["MANUAL"] else None
    chain = (
        generate_chain(jobs=12 * seed, seed=seed, job_types=types, newest=newest) if seed else None
    )
    try:
        response = generate_response(operation, chain=chain, seed=seed)
    except ValueError as error:  # StopJob with nothing in flight: the service's error
        assert operation == "StopJob" and "BadRequestException" in str(error)
        return
    assert_parses(operation, response)
    assert generate_response(operation, chain=chain, seed=seed) == response  # seeded


def test_get_job_of_a_chain_job_is_that_summary_with_fitting_steps() -> None:
    chain = generate_chain(jobs=40, seed=5)
    for job in chain.jobs:
        got = generate_response("GetJob", {"jobId": job["jobId"]}, chain=chain)["job"]
        assert got["summary"] == job
        for step in got["steps"]:
            assert job["startTime"] <= step["startTime"] <= step["endTime"] <= job["endTime"]
        assert bool(got["steps"]) <= (job["status"] in FINISHED)


def test_start_job_takes_the_next_id_behind_the_running_build() -> None:
    chain = generate_chain(jobs=200, page_size=50, seed=3, newest=["RUNNING"])
    assert chain.jobs[0]["status"] == "RUNNING"
    script = ResponseScript(chain, seed=3)
    started = script.response("StartJob", {"jobType": "RELEASE"})["jobSummary"]
    assert (started["jobId"], started["status"]) == ("201", "PENDING")
    assert "startTime" not in started  # as the service answers StartJob (start-job-summary)
    whole = script.response("GetJob", {"jobId": "201"})["job"]["summary"]
    assert whole["startTime"] >= chain.jobs[0]["startTime"]
    polls = [r["job"]["summary"]["status"] for r in script.job_progress()]
    assert polls == ["PENDING", "RUNNING", "SUCCEED"]  # no PROVISIONING, as polls see it
    # The build that was running ahead finished first.
    assert script.response("GetJob", {"jobId": "200"})["job"]["summary"]["status"] == "SUCCEED"


def test_get_branch_agrees_with_the_chain_and_the_script() -> None:
    chain = generate_chain(jobs=200, page_size=50, calls=1, seed=4, job_types=REPOSITORY_TYPES)
    branch = generate_response("GetBranch", chain=chain)["branch"]
    assert branch["branchName"] == chain.branch_name
    assert (branch["activeJobId"], branch["totalNumberOfJobs"]) == ("0000000200", "200")
    script = ResponseScript(chain, seed=4)
    script.response("StartJob")
    assert script.response("GetBranch")["branch"]["totalNumberOfJobs"] == "201"
    listed = script.response("ListBranches", {"appId": chain.app_id})["branches"]
    assert [b["branchName"] for b in listed] == [chain.branch_name]
    assert script.response("GetApp")["app"]["appId"] == chain.app_id


def test_deployments_create_a_job_then_start_it() -> None:
    chain = generate_chain(jobs=5, seed=1, job_types=["MANUAL"], newest=["SUCCEED"])
    script = ResponseScript(chain)
    created = script.response("CreateDeployment", {"fileMap": {"index.html": "abc"}})
    assert created["jobId"] == "6" and set(created["fileUploadUrls"]) == {"index.html"}
    assert script.response("GetJob", {"jobId": "6"})["job"]["summary"]["status"] == "CREATED"
    started = script.response("StartDeployment")["jobSummary"]
    # As the service answers (departure start-deployment-summary).
    assert started == {"jobArn": started["jobArn"], "jobId": "6", "status": "PENDING"}


def test_apps_are_of_both_kinds_with_the_members_real_apps_carry() -> None:
    # Recorded apps (tests/published/ 001, 004, 014, 021): no description; a manual-deploy
    # app has no repository or environmentVariables; customRules, buildSpec, tags,
    # repositoryCloneMethod and platform WEB_COMPUTE appear on real apps.
    apps = []
    for seed in range(40):
        apps.append(generate_response("GetApp", seed=seed)["app"])
        apps += generate_response("ListApps", seed=seed)["apps"]
    manual = [app for app in apps if "repository" not in app]
    built = [app for app in apps if "repository" in app]
    assert manual and built
    assert all("description" not in app for app in apps)
    for app in manual:
        assert not {"environmentVariables", "buildSpec", "repositoryCloneMethod"} & set(app)
        assert app["platform"] == "WEB"
    for member in ("buildSpec", "tags", "repositoryCloneMethod", "environmentVariables"):
        assert any(member in app for app in built), member
        assert any(member not in app for app in built), member
    assert {"WEB", "WEB_COMPUTE"} <= {app["platform"] for app in built}
    assert all("customRules" in app for app in apps)
    assert {bool(app["customRules"]) for app in apps} == {True, False}
    complete = [generate_response("GetApp", seed=s, model_complete=True)["app"] for s in range(20)]
    for app in complete:
        validate_response("GetApp", {"app": app}, model_strict=True)
    assert {app["repository"] == "" for app in complete} == {True, False}  # both kinds


@pytest.mark.slow  # shrinking: 15-50 s at Hypothesis's lower bound (nox -s lowest)
def test_the_strategy_draws_both_kinds_of_app_and_shrinks_to_a_repositorys() -> None:
    found = find(amplify_responses(operation="GetApp"), lambda r: True)
    assert found["app"]["repository"].startswith("https://")
    manual = find(
        amplify_responses(operation="GetApp"),
        lambda r: "repository" not in r["app"],
        settings=settings(max_examples=200, database=None),
    )
    assert not {"repository", "environmentVariables", "description"} & set(manual["app"])


def test_a_chains_app_is_of_its_jobs_kind() -> None:
    manual = generate_chain(jobs=4, seed=1, job_types=["MANUAL"], newest=["SUCCEED"])
    built = generate_chain(jobs=4, seed=1, job_types=REPOSITORY_TYPES)
    assert "repository" not in generate_response("GetApp", chain=manual)["app"]
    assert generate_response("GetApp", chain=built)["app"]["repository"]
    assert generate_response("CreateDeployment", chain=manual)["jobId"] == "5"
    with pytest.raises(ValueError, match=r"job_types=\['WEB_HOOK', 'RELEASE', 'RETRY'\]"):
        generate_response("StartJob", chain=manual)
    with pytest.raises(ValueError, match=r"already connected a repository.*job_types=\['MANUAL'\]"):
        generate_response("CreateDeployment", chain=built)
    # Without a chain, the branch drawn is of the kind the call needs.
    for seed in range(6):
        assert generate_response("StartDeployment", seed=seed)["jobSummary"]["status"]
        assert generate_response("StartJob", seed=seed)["jobSummary"]["status"] == "PENDING"


def test_errors_the_service_would_send_are_named() -> None:
    chain = generate_chain(jobs=3, seed=2)
    with pytest.raises(ValueError, match=r"NotFoundException.*add_client_error\('GetJob'"):
        generate_response("GetJob", {"jobId": "99"}, chain=chain)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: generate_response("PutObject"), ValueError, "operation_name='PutObject'"),
        (lambda: generate_response(3), TypeError, "operation_name=3"),  # type: ignore[arg-type]
        (lambda: generate_response("GetJob", ["x"]), TypeError, "params=\\['x'\\]"),  # type: ignore[arg-type]
        (lambda: generate_response("GetJob", {"jobId": "x"}), ValueError, "jobId: 'x'"),
        (lambda: generate_response("GetJob", chain="c"), TypeError, "chain='c'"),  # type: ignore[arg-type]
        (lambda: generate_response("GetJob", seed="1"), TypeError, "seed='1'"),  # type: ignore[arg-type]
        (lambda: generate_response("GetJob", region="moon"), ValueError, "moon"),
        (lambda: ResponseScript().job_progress(to="DONE"), ValueError, "to='DONE'"),
        (lambda: ResponseScript().job_progress(job_id=5), TypeError, "jobId=5"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------------------- calls=N


def test_calls_queues_only_the_first_pages() -> None:
    chain = generate_chain(jobs=200, page_size=50, calls=1)
    assert (chain.queued_calls, len(chain.pages), len(chain.jobs)) == (1, 4, 200)
    with stub_list_jobs(chain) as client:
        page = client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    assert "nextToken" in page and page["jobSummaries"] == list(chain.jobs[:50])
    with pytest.raises(ValueError, match=r"calls=5 is beyond the chain"):
        generate_chain(jobs=200, page_size=50, calls=5)
    with pytest.raises(ValueError, match=r"calls=0 is not allowed"):
        generate_chain(calls=0)


@pytest.mark.amplify_jobs(jobs=30, page_size=10, calls=2)
def test_the_marker_takes_calls(list_jobs_stub: AmplifyStub) -> None:
    chain = list_jobs_stub.generate()
    client = list_jobs_stub.client
    first = client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    client.list_jobs(appId=chain.app_id, branchName=chain.branch_name, nextToken=first["nextToken"])
    assert list_jobs_stub.pending() == []


# --------------------------------------------------------------------- queueing, both modes


@pytest.fixture(params=["stubber", "intercept"])
def queue(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(
        "amplify_stub" if request.param == "stubber" else "amplify_intercept"
    )


def test_hand_written_responses_are_strictly_validated(queue: Any) -> None:
    with pytest.raises(InvalidResponse, match=r"jobSummary.jobId: 'abc'"):
        queue.add_response("StopJob", {"jobSummary": {"jobId": "abc"}})
    assert queue.pending() == []


def test_parameters_are_checked_and_named(queue: Any) -> None:
    chain = queue.generate(jobs=3, calls=1)
    queue.add_response(
        "get_job", expected_params={"appId": chain.app_id, "branchName": ANY, "jobId": "2"}
    )
    queue.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    with pytest.raises(StubAssertionError, match=r"jobId: expected '2', got '3'"):
        queue.client.get_job(appId=chain.app_id, branchName=chain.branch_name, jobId="3")
    queue.client.get_job(appId=chain.app_id, branchName=chain.branch_name, jobId="2")
    from pytest_amplify_jobs._routing import refusals

    refusals.forget(0)  # the mismatch above was expected


@pytest.mark.amplify_jobs(assert_no_refused_calls=False)
def test_client_errors_have_the_models_status(queue: Any) -> None:
    chain = queue.generate(jobs=3, calls=1)
    queue.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    queue.add_client_error("StartJob", "LimitExceededException")
    with pytest.raises(queue.client.exceptions.LimitExceededException) as info:
        queue.client.start_job(appId=chain.app_id, branchName=chain.branch_name, jobType="RELEASE")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert info.value.response["message"] == "A service quota of Amplify was exceeded by StartJob."
    with pytest.raises(ValueError, match=r"service_error_code='NoSuchKey'.*allowed: "):
        queue.add_client_error("GetJob", "NoSuchKey")
    with pytest.raises(ValueError, match=r"http_status_code=200"):
        queue.add_client_error("GetJob", "NotFoundException", http_status_code=200)


@pytest.mark.amplify_jobs(assert_all_consumed=False)
def test_unmade_calls_are_pending_by_name(queue: Any) -> None:
    chain = queue.generate(jobs=120, page_size=50, calls=1, job_types=REPOSITORY_TYPES)
    queue.add_response("StartJob")
    polls = queue.add_job_progress()
    pending = queue.pending()
    assert len(pending) == 1 + 1 + len(polls)
    assert "start_job(any parameters) -> job 121 PENDING" in pending[1]
    assert "get_job(appId=" in pending[-1] and "job 121 SUCCEED" in pending[-1]
    assert chain.app_id in queue.report()


def test_intercept_queues_per_operation() -> None:
    with AmplifyIntercept(seed=2) as intercept:
        chain = intercept.generate(jobs=120, page_size=50)  # 3 pages, the code reads one
        started = intercept.add_response("StartJob")["jobSummary"]
        client = boto3.client(
            "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        job = client.start_job(appId=chain.app_id, branchName=chain.branch_name, jobType="RELEASE")
        assert job["jobSummary"] == started
        client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
        assert len(intercept.pending()) == 2  # the pages never read are still reported
        with pytest.raises(UnStubbedResponseError, match=r"no StartJob response is left"):
            client.start_job(appId=chain.app_id, branchName=chain.branch_name, jobType="RELEASE")
    assert [c["jobType"] for c in intercept.calls_to("start_job")] == ["RELEASE", "RELEASE"]


def test_a_plain_stubber_client_is_served_with_the_stubbers_own_queue() -> None:
    client = make_client()
    with Stubber(client) as stubber:
        stub = AmplifyStub(client, stubber, seed=1)
        stub.add_response("GetApp", expected_params={"appId": "d1abc"})
        assert client.get_app(appId="d1abc")["app"]["appId"] == "d1abc"
        stubber.assert_no_pending_responses()
        stub.close()


# ------------------------------------------------------------------------------ the story


def deploy_after_newest(client: Any, app_id: str, branch: str) -> tuple[str, str, list[str]]:
    """Code under test: read the newest job, start a release, poll it until it finishes."""
    newest = client.list_jobs(appId=app_id, branchName=branch)["jobSummaries"][0]
    job = client.start_job(appId=app_id, branchName=branch, jobType="RELEASE")["jobSummary"]
    seen: list[str] = []
    while not seen or seen[-1] not in FINISHED:
        got = client.get_job(appId=app_id, branchName=branch, jobId=job["jobId"])
        seen.append(got["job"]["summary"]["status"])
    return newest["jobId"], job["jobId"], seen


@pytest.mark.parametrize("mode", ["stubber", "intercept", "fake"])
def test_newest_page_of_200_jobs_then_start_then_poll(
    mode: str, request: pytest.FixtureRequest
) -> None:
    if mode == "fake":
        fake = request.getfixturevalue("amplify_fake")
        fake.add_branch("d1abc", "main", jobs=200, finished=True)
        client, app_id, branch = fake.client, "d1abc", "main"
    else:
        stub = request.getfixturevalue("amplify_stub" if mode == "stubber" else "amplify_intercept")
        chain = stub.generate(
            jobs=200,
            page_size=50,
            calls=1,
            app_id="d1abc",
            branch_name="main",
            job_types=REPOSITORY_TYPES,  # StartJob: an app connected to a repository
        )
        stub.add_response(
            "StartJob", expected_params={**chain.expected_params(0), "jobType": "RELEASE"}
        )
        stub.add_job_progress()
        client, app_id, branch = stub.client, chain.app_id, chain.branch_name

    newest, started, seen = deploy_after_newest(client, app_id, branch)

    assert (newest, started) == ("200", "201")
    assert seen[-2:] == ["RUNNING", "SUCCEED"]
    assert "PROVISIONING" not in seen  # polling code does not see it on the service


# ------------------------------------------------------------------------------ strategies


@settings(max_examples=30, deadline=None, database=None)
@given(st.sampled_from(OPERATIONS), st.data())
def test_strategy_responses_are_valid_and_coherent(operation: str, data: st.DataObject) -> None:
    types = kind_for(operation)
    # A deployment waits for the branch's newest job to finish (the service's refusal).
    newest = ["SUCCEED"] if types == ["MANUAL"] else None
    chain = data.draw(list_jobs_chains(min_jobs=1, max_jobs=20, job_types=types, newest=newest))
    try:
        response = data.draw(amplify_responses(operation=operation, chain=chain))
    except ValueError as error:  # nothing in flight to stop, or nothing finished to delete
        assert operation in ("StopJob", "DeleteJob") and "BadRequestException" in str(error)
        return
    assert_parses(operation, response)
    if operation == "GetJob":
        assert response["job"]["summary"] in chain.jobs
    if operation == "StartJob":
        assert int(response["jobSummary"]["jobId"]) == len(chain.jobs) + 1


@pytest.mark.parametrize("status", ["CREATED", "PENDING", "PROVISIONING", "RUNNING"])
def test_artifacts_of_a_branch_with_a_build_in_flight(status: str) -> None:
    # Nothing can build while a job is queued or building (found at the lower bounds'
    # Hypothesis: these raised "one build at a time"): ListArtifacts answers for the newest
    # job, which has not built, and GetArtifactUrl an artifact of a build on another branch.
    chain = generate_chain(jobs=1, newest=[status])
    one = settings(phases=[Phase.generate], database=None, max_examples=1)  # no shrinking
    listed = find(
        amplify_responses(operation="ListArtifacts", chain=chain), lambda r: True, settings=one
    )
    assert_parses("ListArtifacts", listed)
    assert listed["artifacts"] == []
    url = find(
        amplify_responses(operation="GetArtifactUrl", chain=chain), lambda r: True, settings=one
    )
    assert_parses("GetArtifactUrl", url)
    assert url["artifactId"] and "/BUILD/artifacts.zip" in url["artifactUrl"]
    assert chain.jobs[0]["status"] == status


@settings(max_examples=30, deadline=None, database=None)
@given(st.sampled_from(NOT_LISTJOBS), st.data())
def test_strategy_without_a_chain(operation: str, data: st.DataObject) -> None:
    assert_parses(operation, data.draw(amplify_responses(operation=operation)))


@pytest.mark.slow  # shrinking: 15-50 s at Hypothesis's lower bound (nox -s lowest)
def test_strategy_shrinks_to_one_succeeded_job_on_main() -> None:
    found = find(amplify_responses(operation="GetJob"), lambda r: True)
    summary = found["job"]["summary"]
    assert (summary["jobId"], summary["status"], summary["jobType"]) == ("1", "SUCCEED", "WEB_HOOK")
    assert "/branches/main/" in summary["jobArn"]
    failed = find(
        amplify_responses(operation="GetJob"),
        lambda r: r["job"]["summary"]["status"] == "FAILED",
        settings=settings(max_examples=500, database=None),
    )
    assert failed["job"]["summary"]["jobId"] == "1"
    assert [s["status"] for s in failed["job"]["steps"]][-1] == "FAILED"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"operation": "PutObject"}, "operation='PutObject'"),
        ({"operation": 3}, "operation=3"),
        ({"operation": "GetJob", "params": ["x"]}, "params=\\['x'\\]"),
        ({"operation": "GetJob", "chain": "c"}, "chain='c'"),
    ],
)
def test_strategy_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    strategy = amplify_responses(**kwargs)
    with pytest.raises(InvalidArgument, match=match):
        find(strategy, lambda r: True)


@pytest.mark.parametrize("operation", ["GetJob", "StopJob", "DeleteJob"])
@pytest.mark.parametrize("job_id", ["1", "40"])
def test_without_a_chain_the_named_job_exists_and_fits(operation: str, job_id: str) -> None:
    response = generate_response(operation, {"appId": "d1zz", "jobId": job_id}, seed=7)
    assert_parses(operation, response)
    summary = response.get("jobSummary") or response["job"]["summary"]
    assert summary["jobId"] == job_id and ":apps/d1zz/branches/" in summary["jobArn"]
    assert (summary["status"] == "CANCELLING") == (operation == "StopJob")


@pytest.mark.amplify_jobs(assert_all_consumed=False)
def test_a_hand_written_start_is_followed_by_its_progress(queue: Any) -> None:
    chain = queue.generate(jobs=5, calls=1)
    written = generate_response("StartJob", chain=chain, seed=9)  # stands for one typed by hand
    queue.add_response("StartJob", written)
    polls = queue.add_job_progress()
    assert {p["job"]["summary"]["jobId"] for p in polls} == {written["jobSummary"]["jobId"]}
    assert polls[-1]["job"]["summary"]["status"] == "SUCCEED"


@pytest.mark.parametrize("fixture", ["amplify_stub", "amplify_intercept"])
def test_a_start_never_made_fails_at_teardown_by_name(
    pytester: pytest.Pytester, fixture: str
) -> None:
    pytester.makepyfile(
        f"""
def test_never_starts({fixture}):
    chain = {fixture}.generate(
        jobs=60, page_size=50, calls=1, app_id="d1abc", job_types=["WEB_HOOK", "RELEASE"]
    )
    {fixture}.client.list_jobs(appId="d1abc", branchName=chain.branch_name)
    {fixture}.add_response("StartJob", expected_params={{"appId": "d1abc"}})
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*1 queued call(s) were never made*", "*start_job(appId='d1abc') -> job 61 PENDING*"]
    )


@pytest.mark.parametrize("code", ["ThrottlingException", "AccessDeniedException"])
def test_add_client_error_takes_the_errors_aws_front_end_sends(code: str) -> None:
    from botocore.exceptions import ClientError

    from pytest_amplify_jobs import _model

    with AmplifyIntercept() as intercept:
        intercept.add_client_error("StartJob", code)
        client = intercept.client
        with pytest.raises(ClientError) as info:
            client.start_job(appId="d1abc", branchName="main", jobType="RELEASE")
    response = info.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == _model.error_status(code)

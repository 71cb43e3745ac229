"""The fake as a stateful Amplify jobs service: apps -> branches -> jobs (with steps), every
operation on the wire, every response strictly valid, the store coherent after each call."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from pytest_amplify_jobs import (
    AmplifyFake,
    _model,
    fake_amplify,
    validate_job_history,
)
from pytest_amplify_jobs import validate_response as _validate_response
from pytest_amplify_jobs._fake.wire import served_operations
from tests.helpers import profile_examples, run_aws_cli

APP, BRANCH = "d1fakeapp2345", "main"
BUILDING = ("PROVISIONING", "RUNNING", "CANCELLING")


pytestmark = pytest.mark.usefixtures("no_http")


MANUAL = "d1manualapp01"  # deployed manually (no repository)


@pytest.fixture
def fake() -> Any:
    with fake_amplify(seed=5) as f:
        f.add_branch(APP, BRANCH, jobs=4, finished=True)
        f.add_app(MANUAL, kind="manual")
        f.add_branch(MANUAL, BRANCH, jobs=2, finished=True)
        yield f


def client() -> Any:
    return boto3.client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
    )


def call(c: Any, method: str, operation: str, **params: Any) -> dict[str, Any]:
    """One call; its response is checked strictly against the model."""
    response: dict[str, Any] = getattr(c, method)(**params)
    _validate_response(operation, response)
    return response


def listed(c: Any, app: str = APP, branch: str = BRANCH) -> list[dict[str, Any]]:
    pages = c.get_paginator("list_jobs").paginate(appId=app, branchName=branch)
    return [job for page in pages for job in page["jobSummaries"]]


def poll(c: Any, job_id: str, limit: int = 20, app: str = APP) -> list[str]:
    """GetJob until the job finishes: the statuses seen."""
    seen = []
    for _ in range(limit):
        job = call(c, "get_job", "GetJob", appId=app, branchName=BRANCH, jobId=job_id)["job"]
        seen.append(job["summary"]["status"])
        if job["summary"]["status"] in _model.model().finished_statuses:
            return seen
    return seen


def test_every_operation_of_the_model_is_served() -> None:
    assert set(served_operations()) == set(_model.operation_names())
    assert len(served_operations()) == 37


# ------------------------------------------------------------------------------- GetJob


def test_get_job_is_the_listjobs_entry_plus_coherent_steps(fake: AmplifyFake) -> None:
    c = client()
    for summary in listed(c):
        job = call(c, "get_job", "GetJob", appId=APP, branchName=BRANCH, jobId=summary["jobId"])
        got = job["job"]
        assert got["summary"] == summary
        assert got["steps"], "a finished job has finished steps"
        for step in got["steps"]:
            assert summary["startTime"] <= step["startTime"] <= step["endTime"]
            assert step["endTime"] <= summary["endTime"]
            assert step["status"] in _model.model().finished_statuses
        assert got["steps"][-1]["status"] == summary["status"]


def test_unknown_jobs_branches_and_apps_are_not_found(fake: AmplifyFake) -> None:
    c = client()
    with pytest.raises(c.exceptions.NotFoundException, match=r"operation: Job 999 not found\.$"):
        c.get_job(appId=APP, branchName=BRANCH, jobId="999")
    # The service's own text (aws-amplify/amplify-hosting#2361).
    with pytest.raises(
        c.exceptions.NotFoundException, match=r"operation: Branch nope not found\.$"
    ):
        c.get_branch(appId=APP, branchName="nope")
    with pytest.raises(c.exceptions.NotFoundException, match=r"operation: App d1nope not found\.$"):
        c.get_app(appId="d1nope")
    # ListBranches does not model NotFoundException: BadRequestException, as ListJobs does.
    with pytest.raises(c.exceptions.BadRequestException, match="App d1nope not found"):
        c.list_branches(appId="d1nope")
    with pytest.raises(c.exceptions.BadRequestException):
        c.list_jobs(appId=APP, branchName="nope")


def test_requests_are_validated_like_listjobs(fake: AmplifyFake) -> None:
    c = client()
    with pytest.raises(c.exceptions.BadRequestException, match="does not match"):
        # botocore checks types and required members only; the service checks the pattern.
        c.get_job(appId=APP, branchName=BRANCH, jobId="x1")


# ------------------------------------------------------------------------------ StartJob


def test_start_job_then_poll_until_it_finishes(fake: AmplifyFake) -> None:
    c = client()
    newest = listed(c)[0]
    started = call(c, "start_job", "StartJob", appId=APP, branchName=BRANCH, jobType="RELEASE")
    summary = started["jobSummary"]
    assert int(summary["jobId"]) == int(newest["jobId"]) + 1
    assert summary["status"] == "PENDING"
    # Polling code does not observe PROVISIONING on the service: PENDING, RUNNING, the end.
    assert poll(c, summary["jobId"]) == ["RUNNING", "SUCCEED"]
    assert listed(c)[0]["status"] == "SUCCEED"


def test_provisioning_stays_reachable(fake: AmplifyFake) -> None:
    c = client()
    fake.auto_advance(provisioning=True)
    started = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    assert poll(c, started["jobId"]) == ["PROVISIONING", "RUNNING", "SUCCEED"]
    with pytest.raises(ValueError, match=r"provisioning=.yes. must be True or False"):
        fake.auto_advance(provisioning="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("final", ["FAILED", "CANCELLED"])
def test_auto_advance_ends_where_chosen(fake: AmplifyFake, final: str) -> None:
    fake.auto_advance(to=final)
    c = client()
    job = c.start_job(appId=APP, branchName=BRANCH, jobType="WEB_HOOK")["jobSummary"]
    seen = poll(c, job["jobId"])
    assert seen[-1] == final
    if final == "CANCELLED":
        assert "CANCELLING" in seen


def test_started_jobs_can_stay_put(fake: AmplifyFake) -> None:
    fake.auto_advance(to=None)
    c = client()
    job = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    assert poll(c, job["jobId"], limit=3) == ["PENDING"] * 3
    fake.advance(job, "RUNNING")
    fake.advance(job, "SUCCEED", after_calls=1)
    assert poll(c, job["jobId"]) == ["RUNNING", "SUCCEED"]


def test_a_second_start_queues_behind_the_build(fake: AmplifyFake) -> None:
    c = client()
    first = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    c.get_job(appId=APP, branchName=BRANCH, jobId=first["jobId"])  # RUNNING
    second = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    statuses = []
    for _ in range(8):
        jobs = {j["jobId"]: j["status"] for j in listed(c)}
        statuses.append((jobs[first["jobId"]], jobs[second["jobId"]]))
        assert sum(s in BUILDING for s in jobs.values()) <= 1
    assert statuses[:3] == [("SUCCEED", "PENDING"), ("SUCCEED", "RUNNING"), ("SUCCEED", "SUCCEED")]
    assert statuses[-1] == ("SUCCEED", "SUCCEED")


def test_start_job_honours_the_commit_and_retry_rebuilds_it(fake: AmplifyFake) -> None:
    c = client()
    when = listed(c)[0]["endTime"]
    job = call(
        c,
        "start_job",
        "StartJob",
        appId=APP,
        branchName=BRANCH,
        jobType="RELEASE",
        jobReason="hotfix",
        commitId="abc123",
        commitMessage="Ship it",
        commitTime=when,
    )["jobSummary"]
    # StartJob answers without startTime, commitMessage or jobType (start-job-summary) ...
    # (botocore 1.43 and older send a request's timestamp in whole seconds, dropping the
    # milliseconds the service's own times carry; newer ones keep them.)
    assert job["commitId"] == "abc123"
    assert job["commitTime"] in (when, when.replace(microsecond=0))
    assert not {"startTime", "commitMessage", "jobType"} & set(job)
    # ... and GetJob shows the job whole.
    whole = c.get_job(appId=APP, branchName=BRANCH, jobId=job["jobId"])["job"]["summary"]
    assert (whole["commitMessage"], whole["jobType"]) == ("Ship it", "RELEASE")
    assert whole["startTime"] >= when
    poll(c, job["jobId"])
    retry = call(
        c,
        "start_job",
        "StartJob",
        appId=APP,
        branchName=BRANCH,
        jobType="RETRY",
        jobId=job["jobId"],
    )["jobSummary"]
    assert int(retry["jobId"]) == int(job["jobId"]) + 1 and retry["commitId"] == "abc123"
    retried = c.get_job(appId=APP, branchName=BRANCH, jobId=retry["jobId"])["job"]["summary"]
    assert (retried["jobType"], retried["commitMessage"]) == ("RETRY", "Ship it")
    with pytest.raises(c.exceptions.BadRequestException, match="jobId is required"):
        c.start_job(appId=APP, branchName=BRANCH, jobType="RETRY")
    # aws/aws-sdk#121: the service's own text.
    with pytest.raises(
        c.exceptions.BadRequestException,
        match=r"operation: The requested jobType MANUAL does not support\.$",
    ):
        c.start_job(appId=APP, branchName=BRANCH, jobType="MANUAL")
    with pytest.raises(c.exceptions.NotFoundException):
        c.start_job(appId=APP, branchName=BRANCH, jobType="RETRY", jobId="777")


def test_start_job_is_rate_limited_and_other_operations_pass(fake: AmplifyFake) -> None:
    # Amplify throttles with a 400 BadRequestException, "Rate exceeded while calling StartJob,
    # please slow down or try again later." (aws-amplify/amplify-hosting#3748), which botocore
    # retries in neither mode: one attempt, however many the client allows.
    fake.throttle(operation="StartJob", times=10)
    c = boto3.client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="a",
        aws_secret_access_key="b",
        config=Config(retries={"mode": "standard", "max_attempts": 5}),
    )
    with pytest.raises(
        c.exceptions.BadRequestException,
        match=r"operation: Rate exceeded while calling StartJob, please slow down or try again "
        r"later\.$",
    ):
        c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")
    assert listed(c)  # other operations are untouched
    assert [r.operation for r in fake.requests][:2] == ["StartJob", "ListJobs"]
    assert fake.backoffs == []


# ----------------------------------------------------------------------- StopJob, DeleteJob


def test_stop_a_build_then_a_queued_job_then_a_finished_one(fake: AmplifyFake) -> None:
    c = client()
    first = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    c.get_job(appId=APP, branchName=BRANCH, jobId=first["jobId"])  # PROVISIONING
    second = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    stopped = call(c, "stop_job", "StopJob", appId=APP, branchName=BRANCH, jobId=first["jobId"])
    assert stopped["jobSummary"]["status"] == "CANCELLING"
    queued = call(c, "stop_job", "StopJob", appId=APP, branchName=BRANCH, jobId=second["jobId"])
    assert queued["jobSummary"]["status"] == "CANCELLED"
    assert poll(c, first["jobId"]) == ["CANCELLED"]
    with pytest.raises(c.exceptions.BadRequestException, match="already finished"):
        c.stop_job(appId=APP, branchName=BRANCH, jobId=first["jobId"])


def test_delete_a_finished_job_but_not_one_in_flight(fake: AmplifyFake) -> None:
    c = client()
    old = listed(c)[-1]
    deleted = call(c, "delete_job", "DeleteJob", appId=APP, branchName=BRANCH, jobId=old["jobId"])
    assert deleted["jobSummary"] == old
    assert old["jobId"] not in [j["jobId"] for j in listed(c)]
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_job(appId=APP, branchName=BRANCH, jobId=old["jobId"])
    running = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    with pytest.raises(c.exceptions.BadRequestException, match="only a finished job"):
        c.delete_job(appId=APP, branchName=BRANCH, jobId=running["jobId"])


def test_ids_are_never_reused_after_a_delete(fake: AmplifyFake) -> None:
    c = client()
    fake.auto_advance(to="SUCCEED")
    job = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    poll(c, job["jobId"])
    c.delete_job(appId=APP, branchName=BRANCH, jobId=job["jobId"])
    again = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")["jobSummary"]
    assert int(again["jobId"]) == int(job["jobId"]) + 1


# --------------------------------------------------------------------------- deployments


def test_manual_deploy_with_create_then_start(fake: AmplifyFake) -> None:
    c = client()
    created = call(
        c,
        "create_deployment",
        "CreateDeployment",
        appId=MANUAL,
        branchName=BRANCH,
        fileMap={"index.html": "0" * 32},
    )
    # Served by the fake itself, never S3 (no socket in this test: nothing listens on port 9).
    assert created["zipUploadUrl"].startswith("http://127.0.0.1:")
    assert set(created["fileUploadUrls"]) == {"index.html"}
    # The job exists from CreateDeployment on: ListJobs, GetJob and StopJob see it, CREATED.
    assert listed(c, MANUAL)[0]["jobId"] == created["jobId"]
    assert listed(c, MANUAL)[0]["status"] == "CREATED"
    started = call(
        c,
        "start_deployment",
        "StartDeployment",
        appId=MANUAL,
        branchName=BRANCH,
        jobId=created["jobId"],
    )["jobSummary"]
    # The service's answer: three members (departure start-deployment-summary).
    assert set(started) == {"jobArn", "jobId", "status"}
    assert (started["jobId"], started["status"]) == (created["jobId"], "PENDING")
    # The fileMap's file never arrived: the deployment fails at DEPLOY (undocumented; README).
    assert poll(c, started["jobId"], app=MANUAL)[-1] == "FAILED"
    steps = c.get_job(appId=MANUAL, branchName=BRANCH, jobId=started["jobId"])["job"]["steps"]
    assert [(s["stepName"], s["status"]) for s in steps] == [("DEPLOY", "FAILED")]
    listed_job = listed(c, MANUAL)[0]
    # A manual deploy has no commit; its jobType is MANUAL or none (manual-deploy-summary).
    assert "commitId" not in listed_job and listed_job.get("jobType", "MANUAL") == "MANUAL"
    # A fileMap deploys the files' folder (ours: undocumented), a zip deploys the zip.
    assert listed_job["sourceUrlType"] == "BUCKET_PREFIX"
    assert listed_job["sourceUrl"].endswith(f"/{created['jobId']}/files/")
    with pytest.raises(c.exceptions.BadRequestException, match="already started"):
        c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId=created["jobId"])
    with pytest.raises(c.exceptions.NotFoundException, match=r"Deployment 999 not found\."):
        c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId="999")


def test_a_second_deployment_waits_for_the_first(fake: AmplifyFake) -> None:
    c = client()
    first = c.create_deployment(appId=MANUAL, branchName=BRANCH)["jobId"]
    # aws-amplify/amplify-backend#1528, #2137: the service's text, its job number filled in.
    with pytest.raises(
        c.exceptions.BadRequestException,
        match=rf"operation: The last job\(deployment\) {first} was not finished, please wait "
        r"until it finish or use StopJob operation to cancel it before creating a new "
        r"deployment\.$",
    ):
        c.create_deployment(appId=MANUAL, branchName=BRANCH)
    # The documented way out: ListJobs, then StopJob on the stuck deployment.
    stuck = next(j for j in listed(c, MANUAL) if j["status"] == "CREATED")
    assert stuck["jobId"] == first
    assert c.stop_job(appId=MANUAL, branchName=BRANCH, jobId=first)["jobSummary"]["status"] == (
        "CANCELLED"
    )
    second = c.create_deployment(appId=MANUAL, branchName=BRANCH)["jobId"]
    assert int(second) == int(first) + 1


def test_manual_deploy_from_a_source_url(fake: AmplifyFake) -> None:
    c = client()
    started = call(
        c,
        "start_deployment",
        "StartDeployment",
        appId=MANUAL,
        branchName=BRANCH,
        sourceUrl="s3://my-bucket/site/",
        sourceUrlType="BUCKET_PREFIX",
    )["jobSummary"]
    job = c.get_job(appId=MANUAL, branchName=BRANCH, jobId=started["jobId"])["job"]["summary"]
    assert (job["sourceUrl"], job["sourceUrlType"]) == ("s3://my-bucket/site/", "BUCKET_PREFIX")
    # aws-amplify/amplify-backend#1528: the service's text.
    with pytest.raises(
        c.exceptions.BadRequestException,
        match=r"operation: Must specify jobId or sourceUrl for StartDeploymentRequest\.$",
    ):
        c.start_deployment(appId=MANUAL, branchName=BRANCH)


# ---------------------------------------------------------------------- branches and apps


def test_branches_derive_from_the_jobs(fake: AmplifyFake) -> None:
    c = client()
    for name in ("develop", "feature/login", "pr-7"):
        fake.add_branch(APP, name, jobs=2, finished=True)
    branch = call(c, "get_branch", "GetBranch", appId=APP, branchName=BRANCH)["branch"]
    jobs = listed(c)
    # Zero-padded to ten digits, as the service sends it (README: departures).
    assert branch["activeJobId"] == jobs[0]["jobId"].zfill(10)
    assert branch["totalNumberOfJobs"] == str(len(jobs))
    assert branch["branchArn"].endswith(f":apps/{APP}/branches/{BRANCH}")
    c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")
    after = c.get_branch(appId=APP, branchName=BRANCH)["branch"]
    assert int(after["totalNumberOfJobs"]) == len(jobs) + 1
    pages = list(
        c.get_paginator("list_branches").paginate(appId=APP, PaginationConfig={"PageSize": 3})
    )
    for page in pages:
        _validate_response("ListBranches", page)
    names = [b["branchName"] for p in pages for b in p["branches"]]
    assert names == [BRANCH, "develop", "feature/login", "pr-7"] and len(pages) == 2


def test_apps_are_listed_and_described(fake: AmplifyFake) -> None:
    c = client()
    second = fake.add_app("d2second")
    fake.add_branch(None, "main", jobs=1, seed=3)  # a generated app
    pages = list(c.get_paginator("list_apps").paginate(PaginationConfig={"PageSize": 2}))
    for page in pages:
        _validate_response("ListApps", page)
    apps = [a for p in pages for a in p["apps"]]
    assert [a["appId"] for a in apps][:3] == [APP, MANUAL, "d2second"] and len(apps) == 4
    got = call(c, "get_app", "GetApp", appId="d2second")["app"]
    assert got == second == apps[2]
    # Every branch of an app names the app's account.
    account = apps[0]["appArn"].split(":")[4]
    assert all(j["jobArn"].split(":")[4] == account for j in listed(c))


def test_a_request_of_no_operation_is_refused_by_name(fake: AmplifyFake) -> None:
    from pytest_amplify_jobs._fake.wire import NotServed, answer

    with pytest.raises(NotServed, match=r"serves ListJobs, GetJob, StartJob.*GET /nowhere"):
        answer(fake._store, "GET", "https://amplify.us-east-1.amazonaws.com/nowhere", b"")


# --------------------------------------------------------------------------- the AWS CLI


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def cli(*args: str) -> dict[str, Any]:
    rc, out = run_aws_cli(*args, "--output", "json")
    assert rc == 0, out
    result: dict[str, Any] = json.loads(out) if out.strip() else {}
    return result


@pytest.mark.usefixtures("cli_env")
@pytest.mark.slow
def test_every_operation_through_the_aws_cli(fake: AmplifyFake) -> None:
    where = ("--app-id", APP, "--branch-name", BRANCH)
    fake.auto_advance(provisioning=True)  # one more poll before it ends: time to stop it
    started = cli("start-job", *where, "--job-type", "RELEASE")["jobSummary"]
    job_id = started["jobId"]
    assert cli("get-job", *where, "--job-id", job_id)["job"]["summary"]["jobId"] == job_id
    assert cli("list-jobs", *where)["jobSummaries"][0]["jobId"] == job_id
    assert cli("stop-job", *where, "--job-id", job_id)["jobSummary"]["status"] == "CANCELLING"
    assert cli("get-job", *where, "--job-id", job_id)["job"]["summary"]["status"] == "CANCELLED"
    assert cli("delete-job", *where, "--job-id", job_id)["jobSummary"]["jobId"] == job_id
    manual = ("--app-id", MANUAL, "--branch-name", BRANCH)  # deployments: a manual app
    created = cli("create-deployment", *manual)
    deployed = cli("start-deployment", *manual, "--job-id", created["jobId"])["jobSummary"]
    assert set(deployed) == {"jobArn", "jobId", "status"}  # as the service answers
    assert cli("get-branch", *manual)["branch"]["activeJobId"] == deployed["jobId"].zfill(10)
    assert [b["branchName"] for b in cli("list-branches", "--app-id", APP)["branches"]] == [BRANCH]
    assert cli("get-app", "--app-id", APP)["app"]["appId"] == APP
    assert [a["appId"] for a in cli("list-apps")["apps"]] == [APP, MANUAL]
    jobs_and_more = {"ListJobs", "GetJob", "StartJob", "StopJob", "DeleteJob", "CreateDeployment"}
    assert jobs_and_more | {
        "StartDeployment",
        "GetBranch",
        "ListBranches",
        "GetApp",
        "ListApps",
    } <= {r.operation for r in fake.requests}


# ------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "message"),
    [
        (
            "fail",
            ("LimitExceededException",),
            {"operation": "CreateThing"},
            "operation='CreateThing' is not an operation the fake serves; allowed: ListJobs",
        ),
        (
            "fail",
            ("NotFoundException",),
            {"operation": "ListApps"},
            "code='NotFoundException' is not a modeled ListApps error, nor a common AWS error; "
            "allowed: Bad",
        ),
        ("fail", ("Teapot",), {}, "nor one of another operation the fake serves"),
        ("auto_advance", (), {"to": "RUNNING"}, "to='RUNNING' is not allowed; expected one of"),
        ("add_app", ("X",), {}, "app_id='X' is rejected by the model"),
        ("add_app", (), {"seed": "s"}, "seed='s' must be an integer"),
        ("branch_info", (APP, "nope"), {}, "the fake has no branch d1fakeapp2345/nope"),
    ],
)
def test_bad_arguments(
    fake: AmplifyFake, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        getattr(fake, method)(*args, **kwargs)


def test_a_fault_with_no_operation_hits_any_operation_that_models_it(fake: AmplifyFake) -> None:
    fake.fail("NotFoundException")  # ListJobs does not model it: GetApp gets it
    c = client()
    assert listed(c)
    with pytest.raises(c.exceptions.NotFoundException, match="Resource not found"):
        c.get_app(appId=APP)


# ------------------------------------------------------------------- the state machine


class JobsService(RuleBasedStateMachine):
    """Any sequence of calls keeps the store coherent and every response valid."""

    def __init__(self) -> None:
        super().__init__()
        self.fake = fake_amplify(seed=1)
        self.fake.__enter__()
        self.fake.add_branch(APP, BRANCH, jobs=2, finished=True)
        self.c = client()
        self.top = max(int(j["jobId"]) for j in self.fake.history(APP, BRANCH))
        self.known: list[str] = [j["jobId"] for j in self.fake.history(APP, BRANCH)]

    def teardown(self) -> None:
        self.fake.__exit__(None, None, None)

    def _try(self, method: str, operation: str, **params: Any) -> dict[str, Any] | None:
        try:
            return call(self.c, method, operation, appId=APP, branchName=BRANCH, **params)
        except self.c.exceptions.ClientError as error:
            code = error.response["Error"]["Code"]
            assert code in ("BadRequestException", "NotFoundException"), code
            return None

    @rule(job_type=st.sampled_from(["RELEASE", "WEB_HOOK", "MANUAL"]))
    def start(self, job_type: str) -> None:
        job = self._try("start_job", "StartJob", jobType=job_type)
        if job_type == "MANUAL":  # StartJob never starts a manual deploy (aws/aws-sdk#121)
            assert job is None
            return
        assert job is not None
        job_id = int(job["jobSummary"]["jobId"])
        assert job_id > self.top
        self.top = job_id
        self.known.append(str(job_id))

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data())
    def stop(self, data: st.DataObject) -> None:
        self._try("stop_job", "StopJob", jobId=data.draw(st.sampled_from(self.known)))

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        self._try("delete_job", "DeleteJob", jobId=data.draw(st.sampled_from(self.known)))

    @precondition(lambda self: bool(self.known))
    @rule(data=st.data())
    def get(self, data: st.DataObject) -> None:
        job_id = data.draw(st.sampled_from(self.known))
        got = self._try("get_job", "GetJob", jobId=job_id)
        if got is not None:
            jobs = {j["jobId"]: j for j in self.fake.history(APP, BRANCH)}
            assert got["job"]["summary"] == jobs[job_id]

    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        m = _model.model()
        jobs = [j for j in self.fake.history(APP, BRANCH) if j["status"] not in m.finished_statuses]
        if not jobs:
            return
        job = data.draw(st.sampled_from(jobs))
        status = data.draw(st.sampled_from(m.moves[job["status"]]))
        try:
            self.fake.advance(job, status, after_calls=data.draw(st.integers(0, 2)))
        except ValueError as error:
            assert any(
                rule in str(error)
                for rule in (
                    "one build at a time",
                    "cannot go from",
                    "cannot come before it",
                    "leave the queue oldest first",
                )
            )

    @rule()
    def list_jobs(self) -> None:
        jobs = listed(self.c)
        assert jobs == self.fake.history(APP, BRANCH)

    @invariant()
    def coherent(self) -> None:
        m = _model.model()
        jobs = self.fake.history(APP, BRANCH)
        ids = [int(j["jobId"]) for j in jobs]
        assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
        assert sum(j["status"] in m.building_statuses for j in jobs) <= 1
        for job in jobs:
            assert ("endTime" in job) == (job["status"] in m.finished_statuses)
        branch = self.fake.branch_info(APP, BRANCH)
        assert branch["totalNumberOfJobs"] == str(len(jobs))
        assert branch.get("activeJobId") == (jobs[0]["jobId"].zfill(10) if jobs else None)
        _validate_response("ListJobs", {"jobSummaries": jobs})


JobsService.TestCase.settings = settings(
    max_examples=profile_examples(40), stateful_step_count=20, deadline=None
)
test_jobs_service = JobsService.TestCase


def test_a_started_job_waits_for_a_build_scheduled_with_advance() -> None:
    with fake_amplify() as fake:
        fake.add_branch(APP, BRANCH, jobs=2, finished=True)
        scripted = fake.add_job(APP, BRANCH, "PENDING")
        fake.advance(scripted, "RUNNING", after_calls=3)
        fake.advance(scripted, "SUCCEED", after_calls=5)
        c = boto3.client(
            "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")
        for _ in range(10):
            jobs = c.list_jobs(appId=APP, branchName=BRANCH)["jobSummaries"]
            building = [j["jobId"] for j in jobs if j["status"] in ("PROVISIONING", "RUNNING")]
            assert len(building) <= 1, jobs
            # ...and never a newer job built while the scripted one still waits in the queue.
            validate_job_history(jobs, app_id=APP, branch_name=BRANCH)
        statuses = {j["jobId"]: j["status"] for j in jobs}
        assert statuses[scripted["jobId"]] == "SUCCEED"
        assert statuses[str(int(scripted["jobId"]) + 1)] == "SUCCEED"  # it built afterwards


def test_the_operation_table_covers_every_operation() -> None:
    import pathlib

    page = (pathlib.Path(__file__).parent.parent / "docs" / "operations.md").read_text()
    rows = [line.split("|")[1] for line in page.splitlines() if line.startswith("| ")]
    named = {name.strip() for row in rows for name in row.split(",")}
    assert set(_model.operation_names()) <= named, set(_model.operation_names()) - named

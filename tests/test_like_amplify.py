"""The fake refuses, throttles and moves like Amplify: manual zip deploys through its own local
endpoint, the release script real CI runs, the rate limit botocore does not retry, and the
service's messages."""

from __future__ import annotations

import hashlib
import pathlib
import shutil
import subprocess
import urllib.error
import urllib.request
import warnings
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pytest_amplify_jobs import AmplifyFake, fake_amplify, validate_response
from tests.helpers import child_env

APP, BRANCH = "d1fakeapp2345", "main"
MANUAL = "d1manualapp01"  # an app deployed manually (no repository): deployments only
SCRIPT = pathlib.Path(__file__).parent / "scripts" / "amplify-deploy.sh"
# Connections to 127.0.0.1 only (the suite runs with --disable-socket): nothing the fake hands
# out may leave the machine. allow_hosts alone, never with enable_socket: pytest-socket lets
# enable_socket win and drops the host restriction (miketheman/pytest-socket#27; 0.8.1's
# pytest_runtest_setup returns before reading allow_hosts). test_only_localhost_is_reachable
# keeps this from regressing.
LOCAL_ONLY = pytest.mark.allow_hosts(["127.0.0.1"])

pytestmark = pytest.mark.slow


def client(**config: Any) -> Any:
    return boto3.client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
        config=Config(**config) if config else None,
    )


@pytest.fixture
def fake() -> Any:
    with fake_amplify(seed=7) as f:
        f.add_branch(APP, BRANCH, jobs=3, finished=True)
        f.add_app(MANUAL, kind="manual")
        f.add_branch(MANUAL, BRANCH, jobs=2, finished=True)
        yield f


def poll(c: Any, job_id: str, limit: int = 20, app: str = APP, branch: str = BRANCH) -> list[str]:
    seen = []
    for _ in range(limit):
        job = c.get_job(appId=app, branchName=branch, jobId=job_id)
        validate_response("GetJob", job)
        seen.append(job["job"]["summary"]["status"])
        if seen[-1] in ("SUCCEED", "FAILED", "CANCELLED"):
            break
    return seen


def put(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="PUT")
    request.add_header("Content-Type", "application/zip")
    with urllib.request.urlopen(request, timeout=10) as answer:
        status: int = answer.status
        return status


# ---------------------------------------------------------------------- manual zip deploys


@pytest.mark.usefixtures("no_http")
@LOCAL_ONLY
def test_a_manual_zip_deploy_in_process(fake: AmplifyFake) -> None:
    c = client()
    created = c.create_deployment(appId=MANUAL, branchName=BRANCH)
    url = created["zipUploadUrl"]
    assert url.startswith("http://127.0.0.1:") and ":9/" not in url
    zipped = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive
    assert put(url, zipped) == 200
    (upload,) = fake.uploads
    assert upload.body == zipped and upload.path.endswith(f"/{created['jobId']}/deploy.zip")
    started = c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId=created["jobId"])
    validate_response("StartDeployment", started)
    assert poll(c, created["jobId"], app=MANUAL)[-1] == "SUCCEED"
    steps = c.get_job(appId=MANUAL, branchName=BRANCH, jobId=created["jobId"])["job"]["steps"]
    assert [s["stepName"] for s in steps] == ["DEPLOY", "VERIFY"]
    # Scripts print the log of a step: served by the fake too.
    with urllib.request.urlopen(steps[0]["logUrl"], timeout=10) as answer:
        log = answer.read().decode()
    assert "Starting phase: deploy" in log and "Completed phase: deploy" in log


@LOCAL_ONLY
def test_build_logs_and_artifacts_are_served_until_the_fake_exits() -> None:
    with fake_amplify() as fake:
        fake.add_branch(APP, BRANCH, jobs=2, finished=True, statuses=["SUCCEED"])
        c = client()
        steps = c.get_job(appId=APP, branchName=BRANCH, jobId="2")["job"]["steps"]
        build = next(s for s in steps if s["stepName"] == "BUILD")
        with urllib.request.urlopen(build["logUrl"], timeout=10) as answer:
            assert answer.read().decode().startswith("20")
        with urllib.request.urlopen(build["artifactsUrl"], timeout=10) as answer:
            assert answer.read()[:2] == b"PK"
        # Another fake in the same process cannot guess this one's URLs.
        with fake_amplify(seed=1) as other:
            other.add_branch(APP, BRANCH, jobs=2, finished=True)
            theirs = c.get_job(appId=APP, branchName=BRANCH, jobId="2")["job"]["steps"][0]
            assert theirs["logUrl"].split("/")[3] != build["logUrl"].split("/")[3]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(build["logUrl"], timeout=5)


@LOCAL_ONLY
def test_only_localhost_is_reachable_in_a_local_only_test(fake: AmplifyFake) -> None:
    """The guard of LOCAL_ONLY: the fake's own endpoint answers, any other host is refused
    before a packet leaves (192.0.2.1 is TEST-NET-1, RFC 5737: reserved, never routed)."""
    import socket

    from pytest_socket import SocketConnectBlockedError

    created = client().create_deployment(appId=MANUAL, branchName=BRANCH)
    assert put(created["zipUploadUrl"], b"PK\x05\x06" + b"\x00" * 18) == 200
    with warnings.catch_warnings():
        # pytest-socket 0.8 warns before it raises; 0.7 (the lower bound) only raises.
        warnings.simplefilter("ignore", UserWarning)
        with socket.socket() as sock:  # closed: pytest-socket 0.7 leaves it open
            sock.settimeout(1)
            with pytest.raises(SocketConnectBlockedError, match=r'host "192\.0\.2\.1"'):
                sock.connect(("192.0.2.1", 80))


@pytest.mark.usefixtures("no_http")
@LOCAL_ONLY
def test_a_file_map_deploy_needs_every_file_of_its_map(fake: AmplifyFake) -> None:
    # The API reference (CreateDeployment, fileMap): "the service will generate a unique upload
    # URL per file. Otherwise, the service will only generate a single upload URL for the
    # zipped files."
    c = client()
    files = {"index.html": b"<h1>hi</h1>", "css/site.css": b"body{}"}
    file_map = {name: hashlib.md5(body).hexdigest() for name, body in files.items()}
    created = c.create_deployment(appId=MANUAL, branchName=BRANCH, fileMap=file_map)
    validate_response("CreateDeployment", created)
    assert set(created["fileUploadUrls"]) == set(files)
    for name, body in files.items():
        assert put(created["fileUploadUrls"][name], body) == 200
    c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId=created["jobId"])
    assert poll(c, created["jobId"], app=MANUAL)[-1] == "SUCCEED"
    assert sorted(u.body for u in fake.uploads) == sorted(files.values())
    # One file never arrives: the deployment fails at DEPLOY, as one whose zip never arrived.
    second = c.create_deployment(appId=MANUAL, branchName=BRANCH, fileMap=file_map)
    assert put(second["fileUploadUrls"]["index.html"], files["index.html"]) == 200
    c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId=second["jobId"])
    assert poll(c, second["jobId"], app=MANUAL)[-1] == "FAILED"
    steps = c.get_job(appId=MANUAL, branchName=BRANCH, jobId=second["jobId"])["job"]["steps"]
    assert [(s["stepName"], s["status"]) for s in steps] == [("DEPLOY", "FAILED")]


def test_without_sockets_urls_stay_local_and_a_zip_never_arrives(fake: AmplifyFake) -> None:
    # Under --disable-socket the endpoint cannot listen: URLs still name 127.0.0.1 (port 9,
    # never listened to), and a deployment whose zip never arrived fails at DEPLOY.
    c = client()
    created = c.create_deployment(appId=MANUAL, branchName=BRANCH)
    assert created["zipUploadUrl"].startswith("http://127.0.0.1:9/")
    c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId=created["jobId"])
    assert poll(c, created["jobId"], app=MANUAL)[-1] == "FAILED"


@LOCAL_ONLY
@pytest.mark.skipif(
    shutil.which("aws") is None or shutil.which("curl") is None, reason="needs aws and curl"
)
def test_a_manual_zip_deploy_with_the_aws_cli_and_curl(
    fake: AmplifyFake, tmp_path: pathlib.Path
) -> None:
    fake.serve()
    env = child_env()
    zipped = tmp_path / "site.zip"
    zipped.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    where = ["--app-id", MANUAL, "--branch-name", BRANCH]
    created = aws_json(env, "create-deployment", *where)
    curl = [shutil.which("curl") or "curl", "--fail", "--silent", "-T", str(zipped)]
    subprocess.run([*curl, created["zipUploadUrl"]], check=True, timeout=30)
    aws_json(env, "start-deployment", *where, "--job-id", created["jobId"])
    for _ in range(10):
        status = aws_json(env, "get-job", *where, "--job-id", created["jobId"])["job"]["summary"][
            "status"
        ]
        if status not in ("CREATED", "PENDING", "RUNNING"):
            break
    assert status == "SUCCEED"
    assert hashlib.md5(fake.uploads[0].body).digest() == hashlib.md5(zipped.read_bytes()).digest()


def aws_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    import json

    done = subprocess.run(
        [shutil.which("aws") or "aws", "amplify", *args, "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# ------------------------------------------------------------------ one deployment at a time

SOURCE = "s3://amplify-deploys/site.zip"


def refused_while_unfinished(c: Any, job_id: str) -> None:
    """CreateDeployment and a sourceUrl StartDeployment are both refused, naming ``job_id``."""
    text = (
        rf"operation: The last job\(deployment\) {job_id} was not finished, please wait until "
        r"it finish or use StopJob operation to cancel it before creating a new deployment\.$"
    )
    with pytest.raises(c.exceptions.BadRequestException, match=text):
        c.create_deployment(appId=MANUAL, branchName=BRANCH)
    with pytest.raises(c.exceptions.BadRequestException, match=text):
        c.start_deployment(appId=MANUAL, branchName=BRANCH, sourceUrl=SOURCE)


@pytest.mark.usefixtures("no_http")
@pytest.mark.parametrize(
    "made_by",
    [
        "CreateDeployment",
        "StartDeployment jobId",
        "StartDeployment sourceUrl",
        "add_job",
        "add_branch",
    ],
)
def test_an_unfinished_newest_job_blocks_new_deployments(made_by: str) -> None:
    # aws-amplify/amplify-backend#1528, #2137: "The last job(deployment) N was not finished";
    # whatever made the newest job (ours where the sources are silent: docs/operations.md).
    c = client()
    with fake_amplify(seed=7) as fake:
        fake.add_app(MANUAL, kind="manual")
        if made_by == "add_branch":  # a generated history whose newest job is building
            fake.add_branch(MANUAL, BRANCH, jobs=3, newest=["RUNNING"])
            newest = fake.history(MANUAL, BRANCH)[0]["jobId"]
        else:
            fake.add_branch(MANUAL, BRANCH, jobs=2, finished=True)
        if made_by == "add_job":
            newest = fake.add_job(MANUAL, BRANCH, status="RUNNING")["jobId"]
        elif made_by == "StartDeployment sourceUrl":
            started = c.start_deployment(appId=MANUAL, branchName=BRANCH, sourceUrl=SOURCE)
            newest = started["jobSummary"]["jobId"]
        elif made_by != "add_branch":
            newest = c.create_deployment(appId=MANUAL, branchName=BRANCH)["jobId"]
            if made_by == "StartDeployment jobId":
                c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId=newest)
        refused_while_unfinished(c, newest)
        # The documented way out: StopJob (a build ends CANCELLED at the next observing call).
        c.stop_job(appId=MANUAL, branchName=BRANCH, jobId=newest)
        got = c.get_job(appId=MANUAL, branchName=BRANCH, jobId=newest)["job"]["summary"]
        assert got["status"] == "CANCELLED"
        assert c.create_deployment(appId=MANUAL, branchName=BRANCH)["jobId"] == str(int(newest) + 1)


@pytest.mark.usefixtures("no_http")
@LOCAL_ONLY
def test_a_manual_worlds_deployment_moves_as_the_world_says() -> None:
    from pytest_amplify_jobs import generate_world

    c = client()
    worlds = (generate_world(seed=s, max_faults=0, max_arrivals=0) for s in range(100))
    manual = [w for w in worlds if w.manual][:3]
    assert manual
    for world in manual:
        where = {"appId": world.app_id, "branchName": world.branch_name}
        with fake_amplify(world=world):
            assert "repository" not in c.get_app(appId=world.app_id)["app"]
            for _ in range(world.settles_after + 1):  # the newest job finishes first
                c.list_jobs(**where)
            created = c.create_deployment(**where)
            assert put(created["zipUploadUrl"], b"PK\x05\x06" + b"\x00" * 18) == 200
            c.start_deployment(**where, jobId=created["jobId"])
            seen = poll(c, created["jobId"], 60, world.app_id, world.branch_name)
        assert seen[-1] == world.started_status


# ------------------------------------------------------------------- jobs the app kind makes


@pytest.mark.usefixtures("no_http")
def test_add_job_makes_the_jobs_the_app_kind_makes(fake: AmplifyFake) -> None:
    c = client()
    manual = fake.add_job(MANUAL, BRANCH)
    # A manual deploy as the fake's deployments are listed (departure manual-deploy-summary):
    # no commit, jobType MANUAL or none.
    assert not {"commitId", "commitMessage", "commitTime"} & set(manual)
    assert manual.get("jobType", "MANUAL") == "MANUAL"
    assert manual["sourceUrlType"] in ("ZIP", "BUCKET_PREFIX") and manual["sourceUrl"]
    listed = c.list_jobs(appId=MANUAL, branchName=BRANCH)
    validate_response("ListJobs", listed)
    assert listed["jobSummaries"][0] == manual
    assert fake.add_job(APP, BRANCH)["jobType"] == "WEB_HOOK"
    with pytest.raises(
        ValueError,
        match=r"^job_type='WEB_HOOK' is not a job type app d1manualapp01 \(deployed manually\) "
        r"makes; allowed: MANUAL, or None \(default: MANUAL\)$",
    ):
        fake.add_job(MANUAL, BRANCH, job_type="WEB_HOOK")
    with pytest.raises(
        ValueError,
        match=r"^job_type='MANUAL' is not a job type app d1fakeapp2345 \(connected to a "
        r"repository\) makes; allowed: WEB_HOOK, RELEASE, RETRY, or None \(default: WEB_HOOK\)$",
    ):
        fake.add_job(APP, BRANCH, job_type="MANUAL")
    with pytest.raises(
        ValueError, match=r"^commit_message='fix': app d1manualapp01 is deployed manually"
    ):
        fake.add_job(MANUAL, BRANCH, commit_message="fix")


# ------------------------------------------------------------------------------ timestamps


def released_job_times(seed: int) -> tuple[list[Any], list[Any]]:
    """The summary times (startTime, endTime) and the steps' times of two RELEASE jobs started
    and polled to their ends."""
    summaries, steps = [], []
    with fake_amplify(seed=seed) as fake:
        fake.add_branch(APP, BRANCH, jobs=3, finished=True)
        c = client()
        for _ in range(2):
            started = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")
            job_id = started["jobSummary"]["jobId"]
            assert poll(c, job_id)[-1] == "SUCCEED"
            job = c.get_job(appId=APP, branchName=BRANCH, jobId=job_id)["job"]
            summary = job["summary"]
            assert summary["endTime"] >= summary["startTime"]
            summaries += [summary["startTime"], summary["endTime"]]
            steps += [step[k] for step in job["steps"] for k in ("startTime", "endTime")]
    return summaries, steps


@pytest.mark.usefixtures("no_http")
def test_timestamps_carry_milliseconds_as_the_service_sends_them() -> None:
    # AWS's GetJob example: "startTime": "2024-02-08T21:54:42.674000+00:00" (troubleshooting
    # SSR, tests/published/006). botocore hands them out aware.
    summaries, steps = released_job_times(seed=7)
    assert all(t.tzinfo is not None and t.microsecond % 1000 == 0 for t in summaries + steps)
    # The fake's clock: distinct seconds get distinct offsets, so at most one of them is 0.
    assert sum(t.microsecond != 0 for t in summaries) >= len(summaries) - 1
    assert released_job_times(seed=7) == (summaries, steps)  # the same calls, the same times


# ------------------------------------------------------------ the release script real CI runs


@LOCAL_ONLY
@pytest.mark.skipif(shutil.which("aws") is None, reason="needs the aws command")
def test_the_pending_running_release_script_ends_succeed(fake: AmplifyFake) -> None:
    fake.serve()
    env = {**child_env(), "POLL_SECONDS": "0"}
    done = subprocess.run(
        ["bash", str(SCRIPT), APP, BRANCH],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Job status is SUCCEED" in done.stdout


# ------------------------------------------------------------------------------ rate limit


@pytest.mark.usefixtures("no_http")
@pytest.mark.parametrize("mode", ["legacy", "standard", "adaptive"])
def test_the_rate_limit_is_not_retried_by_botocore(fake: AmplifyFake, mode: str) -> None:
    fake.throttle(operation="StartJob")
    c = client(retries={"mode": mode, "max_attempts": 5})
    with pytest.raises(c.exceptions.BadRequestException) as info:
        c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        "Rate exceeded while calling StartJob, please slow down or try again later."
    )
    assert [r.operation for r in fake.requests] == ["StartJob"]  # one attempt: no retry
    assert fake.backoffs == []


def start_with_own_retries(c: Any, attempts: int = 4) -> dict[str, Any]:
    """What users need (README: errors): retry the 400 whose message says "Rate exceeded"."""
    for attempt in range(attempts):
        try:
            response: dict[str, Any] = c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")
            return response
        except c.exceptions.BadRequestException as error:
            message = error.response["Error"]["Message"]
            if not message.startswith("Rate exceeded") or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@pytest.mark.usefixtures("no_http")
def test_code_that_retries_the_rate_limit_itself_succeeds(fake: AmplifyFake) -> None:
    fake.throttle(times=2, operation="StartJob")
    started = start_with_own_retries(client())
    assert started["jobSummary"]["status"] == "PENDING"
    assert [r.status for r in fake.requests] == [400, 400, 200]


def test_the_rate_limit_in_stubber_and_intercept_modes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("fixture", ["amplify_stub", "amplify_intercept"])
        def test_throttled(fixture, request):
            stub = request.getfixturevalue(fixture)
            stub.add_throttling("StartJob")
            with pytest.raises(stub.client.exceptions.BadRequestException) as info:
                stub.client.start_job(appId="d1abc", branchName="main", jobType="RELEASE")
            assert info.value.response["Error"]["Message"].startswith(
                "Rate exceeded while calling StartJob"
            )
            assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


# -------------------------------------------------------------------------------- messages


@pytest.mark.usefixtures("no_http")
def test_injected_errors_speak_of_the_operation_called(fake: AmplifyFake) -> None:
    fake.fail("AccessDeniedException", operation="StartJob")
    fake.fail("BadRequestException", operation="GetJob", message="Invalid jobId.")
    c = client(retries={"max_attempts": 1})
    with pytest.raises(c.exceptions.ClientError, match="amplify:StartJob with an explicit deny"):
        c.start_job(appId=APP, branchName=BRANCH, jobType="RELEASE")
    with pytest.raises(c.exceptions.BadRequestException, match=r"operation: Invalid jobId\.$"):
        c.get_job(appId=APP, branchName=BRANCH, jobId="1")
    with pytest.raises(ValueError, match="message=3 must be a string"):
        fake.fail("BadRequestException", message=3)  # type: ignore[arg-type]


@pytest.mark.usefixtures("no_http")
def test_app_kinds_refuse_what_the_service_refuses(fake: AmplifyFake) -> None:
    c = client()
    # aws-amplify/amplify-cli#4837: the service's text.
    for call in (
        lambda: c.create_deployment(appId=APP, branchName=BRANCH),
        lambda: c.start_deployment(appId=APP, branchName=BRANCH, sourceUrl="s3://b/site.zip"),
    ):
        with pytest.raises(
            c.exceptions.BadRequestException,
            match=r"operation: Operation not supported\. App is already connected a repository\.$",
        ):
            call()
    # Undocumented: our text, in the same style (README).
    for job_type in ("RELEASE", "WEB_HOOK"):
        with pytest.raises(
            c.exceptions.BadRequestException, match="App is not connected to a repository"
        ):
            c.start_job(appId=MANUAL, branchName=BRANCH, jobType=job_type)
    # Each app's generated history holds only the jobs its kind makes.
    manual_jobs = c.list_jobs(appId=MANUAL, branchName=BRANCH)["jobSummaries"]
    assert manual_jobs and all(
        "commitId" not in j and j.get("jobType", "MANUAL") == "MANUAL" for j in manual_jobs
    )
    assert all(
        "sourceUrl" not in j for j in c.list_jobs(appId=APP, branchName=BRANCH)["jobSummaries"]
    )
    assert "repository" not in c.get_app(appId=MANUAL)["app"]
    assert c.get_app(appId=APP)["app"]["repository"].startswith("https://")
    with pytest.raises(
        ValueError, match=r"kind='git' is not an app kind; allowed: repository, manual"
    ):
        fake.add_app("d1other", kind="git")


@pytest.mark.usefixtures("no_http")
def test_worlds_persistent_faults_throttle_as_amplify_does() -> None:
    from pytest_amplify_jobs import generate_world

    worlds = (
        generate_world(
            seed=seed, fault_codes=["BadRequestException"], persistent_faults=True, max_faults=1
        )
        for seed in range(100)
    )
    world = next(w for w in worlds if w.faults)  # the first seed whose world has a fault
    assert [f.code for f in world.faults] == ["BadRequestException"]
    c = client(retries={"max_attempts": 1})
    messages = []
    with fake_amplify(world=world):
        for _ in range(world.settles_after + 2):
            try:
                c.get_job(appId=world.app_id, branchName=world.branch_name, jobId=world.job_id)
            except c.exceptions.BadRequestException as error:
                messages.append(error.response["Error"]["Message"])
    assert (
        messages
        == ["Rate exceeded while calling GetJob, please slow down or try again later."]
        * world.faults[0].times
    )

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
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pytest_amplify_jobs import AmplifyFake, fake_amplify, validate_response
from tests.helpers import child_env

APP, BRANCH = "d1fakeapp2345", "main"
MANUAL = "d1manualapp01"  # an app deployed manually (no repository): deployments only
SCRIPT = pathlib.Path(__file__).parent / "scripts" / "amplify-deploy.sh"
# Sockets on, connections to 127.0.0.1 only: nothing the fake hands out may leave the machine.
LOCAL_ONLY = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

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


def poll(c: Any, job_id: str, limit: int = 20, app: str = APP) -> list[str]:
    seen = []
    for _ in range(limit):
        job = c.get_job(appId=app, branchName=BRANCH, jobId=job_id)
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
@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
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


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
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


def test_without_sockets_urls_stay_local_and_a_zip_never_arrives(fake: AmplifyFake) -> None:
    # Under --disable-socket the endpoint cannot listen: URLs still name 127.0.0.1 (port 9,
    # never listened to), and a deployment whose zip never arrived fails at DEPLOY.
    c = client()
    created = c.create_deployment(appId=MANUAL, branchName=BRANCH)
    assert created["zipUploadUrl"].startswith("http://127.0.0.1:9/")
    c.start_deployment(appId=MANUAL, branchName=BRANCH, jobId=created["jobId"])
    assert poll(c, created["jobId"], app=MANUAL)[-1] == "FAILED"


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
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


# ------------------------------------------------------------ the release script real CI runs


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
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
    assert manual_jobs and all("commitId" not in j and "jobType" not in j for j in manual_jobs)
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

    world = generate_world(
        seed=0, fault_codes=["BadRequestException"], persistent_faults=True, max_faults=1
    )
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

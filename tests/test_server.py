"""Server mode: the same store over real HTTP on 127.0.0.1, for child processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest

from pytest_amplify_jobs import AmplifyFake, fake_amplify
from tests.helpers import child_env

APP, BRANCH = "d1fakeapp2345", "main"
VARIABLE = "AWS_ENDPOINT_URL_AMPLIFY"
# Server tests open a listening socket: sockets on, connections to 127.0.0.1 only
# (allow_hosts alone: pytest-socket ignores it on a test also marked enable_socket).
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def aws(*args: str) -> dict[str, Any]:
    """A real ``aws amplify ...`` subprocess; its JSON output."""
    command = [shutil.which("aws") or "aws", "amplify", *args, "--output", "json"]
    done = subprocess.run(
        command, env=child_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv(VARIABLE, raising=False)
    with fake_amplify(seed=2) as fake:
        fake.add_branch(APP, BRANCH, jobs=3, finished=True)
        fake.serve()
        yield fake


@pytest.mark.skipif(shutil.which("aws") is None, reason="needs the aws command")
@pytest.mark.slow
def test_list_start_and_get_through_an_aws_subprocess(served: AmplifyFake) -> None:
    where = ("--app-id", APP, "--branch-name", BRANCH)
    listed = aws("list-jobs", *where)  # printed as on the wire: timestamps as epoch seconds
    assert [j["jobId"] for j in listed["jobSummaries"]] == ["3", "2", "1"]
    started = aws("start-job", *where, "--job-type", "RELEASE")["jobSummary"]
    assert started["jobId"] == "4" and started["status"] == "PENDING"
    statuses = [
        aws("get-job", *where, "--job-id", "4")["job"]["summary"]["status"] for _ in range(3)
    ]
    assert statuses == ["RUNNING", "SUCCEED", "SUCCEED"]
    # The same store: the in-process view agrees.
    assert served.history(APP, BRANCH)[0]["status"] == "SUCCEED"
    assert [r.operation for r in served.requests] == ["ListJobs", "StartJob"] + ["GetJob"] * 3


def test_a_botocore_script_in_a_subprocess(served: AmplifyFake) -> None:
    script = (
        "import json, botocore.session\n"
        "c = botocore.session.get_session().create_client('amplify')\n"
        f"print(json.dumps(c.get_branch(appId={APP!r}, branchName={BRANCH!r})['branch']"
        "['totalNumberOfJobs']))\n"
        "print(json.dumps(c.create_app(name='x')['app']['appId']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=child_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    total, created = [json.loads(line) for line in done.stdout.splitlines()]
    assert total == "3"
    # The child's CreateApp changed the very store the test holds.
    assert [a["name"] for a in served.apps() if a["appId"] == created] == ["x"]


def test_serve_is_started_once_and_the_environment_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(VARIABLE, "http://example.invalid")
    with fake_amplify() as fake:
        url = fake.serve()
        assert fake.serve() == url and os.environ[VARIABLE] == url
        assert url.startswith("http://127.0.0.1:")
    assert os.environ[VARIABLE] == "http://example.invalid"
    monkeypatch.delenv(VARIABLE)
    with fake_amplify() as fake:
        fake.serve()
    assert VARIABLE not in os.environ


def test_a_client_of_the_test_process_created_after_serve_is_answered(
    served: AmplifyFake,
) -> None:
    import boto3

    client = boto3.client("amplify", region_name="us-east-1")  # endpoint: the served URL
    page = client.list_jobs(appId=APP, branchName=BRANCH)
    assert [j["jobId"] for j in page["jobSummaries"]] == ["3", "2", "1"]

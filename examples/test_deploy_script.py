"""deploy.py tested both ways: in process with ``amplify_fake``, and as a subprocess served by
``fake.serve()`` (a real HTTP endpoint on 127.0.0.1 that the child finds through
``AWS_ENDPOINT_URL_AMPLIFY``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from deploy import deploy

APP, BRANCH = "d1deployapp01", "main"


@pytest.fixture(autouse=True)
def _region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_deploy_in_process(amplify_fake):
    amplify_fake.add_branch(APP, BRANCH, jobs=5, finished=True)
    lines: list[str] = []
    status = deploy(APP, BRANCH, sleep=lambda _: None, say=lines.append)
    assert status == "SUCCEED"
    assert lines == [
        "started job 6",
        "job 6: RUNNING",
        "job 6: SUCCEED",
        "steps: BUILD=SUCCEED, DEPLOY=SUCCEED, VERIFY=SUCCEED",
    ]


def test_a_failing_build_is_reported(amplify_fake):
    amplify_fake.add_branch(APP, BRANCH, jobs=1, finished=True)
    amplify_fake.auto_advance(to="FAILED")
    assert deploy(APP, BRANCH, sleep=lambda _: None, say=lambda _: None) == "FAILED"


def test_a_rate_limited_start_is_an_error(amplify_fake):
    # Amplify throttles with a 400 BadRequestException ("Rate exceeded while calling StartJob,
    # please slow down or try again later.") that botocore does not retry. deploy.py does not
    # retry it either, so the error reaches its caller (manual_deploy.py shows the retry).
    amplify_fake.add_branch(APP, BRANCH, jobs=1, finished=True)
    amplify_fake.throttle(operation="StartJob")
    with pytest.raises(ClientError, match="Rate exceeded while calling StartJob"):
        deploy(APP, BRANCH, sleep=lambda _: None, say=lambda _: None)
    assert [r.operation for r in amplify_fake.requests] == ["StartJob"]  # one attempt


# serve() listens on 127.0.0.1: under pytest-socket's --disable-socket, allow that host only.
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_deploy_as_a_subprocess(amplify_fake):
    amplify_fake.add_branch(APP, BRANCH, jobs=2, finished=True)
    amplify_fake.serve()  # sets AWS_ENDPOINT_URL_AMPLIFY while the fake is active
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="any",
        AWS_SECRET_ACCESS_KEY="any",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    script = Path(__file__).with_name("deploy.py")
    done = subprocess.run(
        [sys.executable, str(script), APP, BRANCH],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "started job 3"
    assert amplify_fake.history(APP, BRANCH)[0]["status"] == "SUCCEED"
    assert [r.operation for r in amplify_fake.requests][:2] == ["StartJob", "GetJob"]

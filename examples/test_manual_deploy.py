"""manual_deploy.py against the fake: the zip really travels (to the fake's own endpoint on
127.0.0.1, never S3), the job runs, a throttled call is retried."""

from __future__ import annotations

import pytest
from manual_deploy import manual_deploy

APP, BRANCH = "d1manualdemo1", "main"
ZIP = b"PK\x05\x06" + b"\x00" * 18  # an empty zip archive

# The fake serves the upload and log URLs on 127.0.0.1: connections to it, and nowhere else.
# allow_hosts alone does it. Do not add enable_socket: pytest-socket lets it win and drops the
# host restriction (miketheman/pytest-socket#27), and every host would be reachable.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture
def app(amplify_fake):
    amplify_fake.add_app(APP, kind="manual")  # an app without a repository
    amplify_fake.add_branch(APP, BRANCH, jobs=2, finished=True)
    return amplify_fake


def test_the_zip_is_uploaded_and_deployed(app):
    lines: list[str] = []
    status = manual_deploy(app.client, APP, BRANCH, ZIP, sleep=lambda _: None, say=lines.append)
    assert status == "SUCCEED"
    assert [u.body for u in app.uploads] == [ZIP]
    assert lines == ["job 3: SUCCEED"]


def test_a_stuck_deployment_is_stopped_first(app):
    stuck = app.client.create_deployment(appId=APP, branchName=BRANCH)["jobId"]
    assert (
        manual_deploy(app.client, APP, BRANCH, ZIP, sleep=lambda _: None, say=lambda _: None)
        == "SUCCEED"
    )
    assert app.history(APP, BRANCH)[1]["jobId"] == stuck
    assert app.history(APP, BRANCH)[1]["status"] == "CANCELLED"


def test_the_rate_limit_is_retried(app):
    app.throttle(operation="CreateDeployment", times=2)
    sleeps: list[float] = []
    assert (
        manual_deploy(app.client, APP, BRANCH, ZIP, sleep=sleeps.append, say=lambda _: None)
        == "SUCCEED"
    )
    assert sleeps[:2] == [1, 2]


def test_a_failed_deployment_prints_its_log(app):
    app.auto_advance(to="FAILED")
    lines: list[str] = []
    assert (
        manual_deploy(app.client, APP, BRANCH, ZIP, sleep=lambda _: None, say=lines.append)
        == "FAILED"
    )
    assert "[ERROR]: !!!" in lines[-1] and lines[-1].rstrip().endswith("failed")

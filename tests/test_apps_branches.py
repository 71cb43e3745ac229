"""Apps and branches (create, update, delete), artifacts, access logs and tags, served by the
fake over the wire: every answer strictly valid, the store coherent after each call."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import boto3
import pytest

from pytest_amplify_jobs import AmplifyFake, _model, fake_amplify
from pytest_amplify_jobs import validate_response as _validate_response
from pytest_amplify_jobs._fake.state import BRANCHES_PER_APP
from pytest_amplify_jobs._fake.wire import served_operations
from pytest_amplify_jobs._wire import parse_request
from tests.helpers import run_aws_cli

APP, BRANCH = "d1fakeapp2345", "main"
MANUAL = "d1manualapp01"
# allow_hosts alone: pytest-socket ignores it where enable_socket also applies.
LOCAL_ONLY = [pytest.mark.allow_hosts(["127.0.0.1"])]

pytestmark = pytest.mark.usefixtures("no_http")


@pytest.fixture
def fake() -> Any:
    with fake_amplify(seed=7) as f:
        f.add_branch(APP, BRANCH, jobs=3, finished=True, statuses=["SUCCEED"])
        f.add_app(MANUAL, kind="manual")
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


def poll(c: Any, app: str, branch: str, job_id: str) -> list[str]:
    """GetJob until the job finishes: the statuses seen."""
    seen: list[str] = []
    while not seen or seen[-1] not in _model.model().finished_statuses:
        assert len(seen) < 20, seen
        job = call(c, "get_job", "GetJob", appId=app, branchName=branch, jobId=job_id)
        seen.append(job["job"]["summary"]["status"])
    return seen


def test_the_operations_are_served() -> None:
    assert {
        "CreateApp",
        "UpdateApp",
        "DeleteApp",
        "CreateBranch",
        "UpdateBranch",
        "DeleteBranch",
        "ListArtifacts",
        "GetArtifactUrl",
        "GenerateAccessLogs",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
    } <= set(served_operations())


# ----------------------------------------------------------------------------------- apps


def test_create_app_answers_as_the_service(fake: AmplifyFake) -> None:
    c = client()
    app = call(c, "create_app", "CreateApp", name="site")["app"]
    assert re.fullmatch(r"d[0-9a-z]{13}", app["appId"])
    assert app["appArn"].endswith(f":apps/{app['appId']}")
    assert app["defaultDomain"] == f"{app['appId']}.amplifyapp.com"
    assert app["name"] == "site" and app["platform"] == "WEB"
    assert app["createTime"] == app["updateTime"]
    # As the recorded create-app output (tests/published/001_CreateApp_*): nothing unset.
    assert not {"description", "repository", "environmentVariables", "tags"} & set(app)
    assert not app["enableBranchAutoBuild"] and not app["enableBasicAuth"]
    assert call(c, "get_app", "GetApp", appId=app["appId"])["app"] == app
    listed = call(c, "list_apps", "ListApps")["apps"]
    assert [a["appId"] for a in listed][-1] == app["appId"]
    # No repository: a manual-deploy app (StartJob refused, deployments accepted).
    call(c, "create_branch", "CreateBranch", appId=app["appId"], branchName="main")
    with pytest.raises(c.exceptions.BadRequestException, match="not connected to a repository"):
        c.start_job(appId=app["appId"], branchName="main", jobType="RELEASE")
    call(c, "create_deployment", "CreateDeployment", appId=app["appId"], branchName="main")


def test_create_app_keeps_what_was_given(fake: AmplifyFake) -> None:
    c = client()
    given = {
        "name": "shop",
        "description": "the shop",
        "repository": "https://github.com/example-org/shop",
        "platform": "WEB_COMPUTE",
        "environmentVariables": {"STAGE": "prod"},
        "enableBranchAutoBuild": True,
        "tags": {"team": "web"},
    }
    app = call(c, "create_app", "CreateApp", oauthToken="secret-token", **given)["app"]
    assert {k: app[k] for k in given} == given
    assert "oauthToken" not in app  # tokens are never shown
    other = call(c, "create_app", "CreateApp", name="shop")["app"]
    account = fake.apps()[0]["appArn"].split(":")[4]  # the account of the apps before
    assert other["appId"] != app["appId"] and other["appArn"].split(":")[4] == account
    # Connected to a repository: it builds.
    call(c, "create_branch", "CreateBranch", appId=app["appId"], branchName="main")
    call(c, "start_job", "StartJob", appId=app["appId"], branchName="main", jobType="RELEASE")


def test_create_app_model_complete() -> None:
    with fake_amplify(model_complete=True):
        c = client()
        app = call(c, "create_app", "CreateApp", name="site")["app"]
        assert app["description"] == "" and app["repository"] == ""
        assert app["environmentVariables"] == {}
        branch = call(c, "create_branch", "CreateBranch", appId=app["appId"], branchName="main")
        assert branch["branch"]["stage"] == "PRODUCTION"  # the stage its name suggests
        _validate_response("GetBranch", branch, model_strict=True)


def test_update_app_replaces_the_members_given(fake: AmplifyFake) -> None:
    c = client()
    before = call(c, "get_app", "GetApp", appId=MANUAL)["app"]
    after = call(
        c,
        "update_app",
        "UpdateApp",
        appId=MANUAL,
        name="renamed",
        environmentVariables={"A": "1"},
        enableBasicAuth=True,
    )["app"]
    assert after["name"] == "renamed" and after["environmentVariables"] == {"A": "1"}
    assert after["enableBasicAuth"] is True
    assert (
        after["updateTime"] > before["updateTime"] and after["createTime"] == before["createTime"]
    )
    assert after["platform"] == before["platform"]
    assert call(c, "get_app", "GetApp", appId=MANUAL)["app"] == after
    with pytest.raises(c.exceptions.NotFoundException, match=r"App d1nope not found\.$"):
        c.update_app(appId="d1nope", name="x")


def test_delete_app_removes_its_branches_and_jobs(fake: AmplifyFake) -> None:
    c = client()
    app = call(c, "get_app", "GetApp", appId=APP)["app"]
    deleted = call(c, "delete_app", "DeleteApp", appId=APP)["app"]
    assert deleted["appId"] == APP and deleted["appArn"] == app["appArn"]
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_app(appId=APP)
    with pytest.raises(c.exceptions.NotFoundException):
        c.get_branch(appId=APP, branchName=BRANCH)
    with pytest.raises(c.exceptions.BadRequestException, match=r"App d1fakeapp2345 not found"):
        c.list_branches(appId=APP)  # ListBranches models no NotFoundException
    with pytest.raises(ValueError, match="has no branch"):
        fake.history(APP, BRANCH)
    assert APP not in [a["appId"] for a in call(c, "list_apps", "ListApps")["apps"]]
    with pytest.raises(c.exceptions.NotFoundException):
        c.delete_app(appId=APP)


# ------------------------------------------------------------------------------- branches


def test_create_branch_answers_as_the_service(fake: AmplifyFake) -> None:
    c = client()
    branch = call(c, "create_branch", "CreateBranch", appId=MANUAL, branchName="dev")["branch"]
    # As the recorded create-branch output (tests/published/002_CreateBranch_*).
    assert branch["stage"] == "NONE" and branch["totalNumberOfJobs"] == "0"
    assert branch["displayName"] == "dev" and branch["ttl"] == "5"
    assert branch["enableAutoBuild"] is True and branch["enablePullRequestPreview"] is False
    absent = {"description", "framework", "environmentVariables", "activeJobId", "tags"}
    assert not absent & set(branch)
    assert branch["branchArn"] == f"{fake.apps()[1]['appArn']}/branches/dev"
    got = call(c, "get_branch", "GetBranch", appId=MANUAL, branchName="dev")["branch"]
    assert got == branch
    given = {
        "stage": "BETA",
        "framework": "React",
        "description": "beta site",
        "environmentVariables": {"API": "https://api.example.com"},
        "displayName": "beta",
    }
    named = call(
        c, "create_branch", "CreateBranch", appId=MANUAL, branchName="feature/new", **given
    )["branch"]
    assert {k: named[k] for k in given} == given
    names = [
        b["branchName"] for b in call(c, "list_branches", "ListBranches", appId=MANUAL)["branches"]
    ]
    assert names == ["dev", "feature/new"]


def test_create_branch_refusals(fake: AmplifyFake) -> None:
    c = client()
    with pytest.raises(
        c.exceptions.BadRequestException,
        match=rf"The branch main already exists for the app {APP}$",
    ):
        c.create_branch(appId=APP, branchName=BRANCH)
    with pytest.raises(c.exceptions.NotFoundException, match=r"App d1nope not found\.$"):
        c.create_branch(appId="d1nope", branchName=BRANCH)
    with pytest.raises(c.exceptions.BadRequestException, match="stage"):
        c.create_branch(appId=APP, branchName="x", stage="NONE")  # not in the request's enum


def test_the_50_branch_quota(fake: AmplifyFake) -> None:
    c = client()
    for index in range(BRANCHES_PER_APP):
        c.create_branch(appId=MANUAL, branchName=f"b{index}")
    assert BRANCHES_PER_APP == 50
    with pytest.raises(c.exceptions.LimitExceededException, match="maximum of 50 branches"):
        c.create_branch(appId=MANUAL, branchName="one-too-many")
    call(c, "delete_branch", "DeleteBranch", appId=MANUAL, branchName="b0")
    call(c, "create_branch", "CreateBranch", appId=MANUAL, branchName="one-too-many")


def test_update_branch_replaces_the_members_given(fake: AmplifyFake) -> None:
    c = client()
    before = call(c, "get_branch", "GetBranch", appId=APP, branchName=BRANCH)["branch"]
    after = call(
        c,
        "update_branch",
        "UpdateBranch",
        appId=APP,
        branchName=BRANCH,
        description="the main line",
        enableAutoBuild=False,
    )["branch"]
    assert after["description"] == "the main line" and after["enableAutoBuild"] is False
    assert after["updateTime"] > before["updateTime"]
    assert after["totalNumberOfJobs"] == before["totalNumberOfJobs"] == "3"
    assert after["activeJobId"] == before["activeJobId"] == "0000000003"
    with pytest.raises(c.exceptions.NotFoundException, match=r"Branch nope not found\.$"):
        c.update_branch(appId=APP, branchName="nope", description="x")


def test_delete_branch_removes_its_jobs(fake: AmplifyFake) -> None:
    c = client()
    job_ids = [j["jobId"] for j in fake.history(APP, BRANCH)]
    deleted = call(c, "delete_branch", "DeleteBranch", appId=APP, branchName=BRANCH)["branch"]
    assert deleted["branchName"] == BRANCH and deleted["totalNumberOfJobs"] == str(len(job_ids))
    with pytest.raises(c.exceptions.NotFoundException, match=r"Branch main not found\.$"):
        c.get_job(appId=APP, branchName=BRANCH, jobId=job_ids[0])
    assert call(c, "list_branches", "ListBranches", appId=APP)["branches"] == []
    with pytest.raises(c.exceptions.NotFoundException):
        c.delete_branch(appId=APP, branchName=BRANCH)
    # Created again, it starts afresh: no jobs, and the old branch's tokens are gone.
    again = call(c, "create_branch", "CreateBranch", appId=APP, branchName=BRANCH)["branch"]
    assert again["totalNumberOfJobs"] == "0" and "activeJobId" not in again


def test_calls_on_a_branch_count_and_see_its_faults(fake: AmplifyFake) -> None:
    c = client()
    fake.fail("UnauthorizedException", operation="DeleteBranch", app_id=APP, branch_name=BRANCH)
    with pytest.raises(c.exceptions.UnauthorizedException):
        c.delete_branch(appId=APP, branchName=BRANCH)
    assert fake.branch_info(APP, BRANCH)["branchName"] == BRANCH  # still there
    fake.fail("UnauthorizedException", operation="CreateApp")
    with pytest.raises(c.exceptions.UnauthorizedException):
        c.create_app(name="x")
    call(c, "create_app", "CreateApp", name="x")


def test_the_production_branch_agrees_with_the_store() -> None:
    with fake_amplify(seed=3) as fake:
        c = client()
        app_id = call(c, "create_app", "CreateApp", name="s", repository="https://x.org/s")["app"][
            "appId"
        ]
        assert "productionBranch" not in call(c, "get_app", "GetApp", appId=app_id)["app"]
        call(c, "create_branch", "CreateBranch", appId=app_id, branchName="dev")
        call(
            c, "create_branch", "CreateBranch", appId=app_id, branchName="live", stage="PRODUCTION"
        )
        app = call(c, "get_app", "GetApp", appId=app_id)["app"]
        assert app["productionBranch"] == {"branchName": "live"}  # nothing deployed yet
        job = call(c, "start_job", "StartJob", appId=app_id, branchName="live", jobType="RELEASE")
        assert poll(c, app_id, "live", job["jobSummary"]["jobId"])[-1] == "SUCCEED"
        (done,) = fake.history(app_id, "live")
        app = call(c, "get_app", "GetApp", appId=app_id)["app"]
        assert app["productionBranch"] == {
            "branchName": "live",
            "status": "SUCCEED",
            "lastDeployTime": done["endTime"],
        }
        assert call(c, "list_apps", "ListApps")["apps"] == [app]
        call(c, "update_branch", "UpdateBranch", appId=app_id, branchName="live", stage="BETA")
        assert "productionBranch" not in call(c, "get_app", "GetApp", appId=app_id)["app"]
        call(c, "update_branch", "UpdateBranch", appId=app_id, branchName="dev", stage="PRODUCTION")
        app = call(c, "get_app", "GetApp", appId=app_id)["app"]
        assert app["productionBranch"] == {"branchName": "dev"}
        call(c, "delete_branch", "DeleteBranch", appId=app_id, branchName="dev")
        assert "productionBranch" not in call(c, "get_app", "GetApp", appId=app_id)["app"]


def test_a_pull_request_preview(fake: AmplifyFake) -> None:
    c = client()
    where = {"appId": APP, "branchName": "pr-17"}
    branch = call(c, "create_branch", "CreateBranch", stage="PULL_REQUEST", **where)["branch"]
    assert branch["stage"] == "PULL_REQUEST"
    job = call(c, "start_job", "StartJob", jobType="RELEASE", **where)["jobSummary"]
    assert poll(c, APP, "pr-17", job["jobId"]) == ["RUNNING", "SUCCEED"]
    got = call(c, "get_branch", "GetBranch", **where)["branch"]
    assert got["activeJobId"] == job["jobId"].zfill(10) and got["totalNumberOfJobs"] == "1"
    call(c, "delete_branch", "DeleteBranch", **where)
    names = [
        b["branchName"] for b in call(c, "list_branches", "ListBranches", appId=APP)["branches"]
    ]
    assert names == [BRANCH]


# ------------------------------------------------------------------------------ artifacts


def test_artifacts_of_a_build(fake: AmplifyFake) -> None:
    c = client()
    where = {"appId": APP, "branchName": BRANCH}
    listed = call(c, "list_artifacts", "ListArtifacts", jobId="3", **where)
    (artifact,) = listed["artifacts"]
    assert artifact["artifactFileName"] == "artifacts.zip" and "nextToken" not in listed
    again = call(c, "list_artifacts", "ListArtifacts", jobId="3", maxResults=1, **where)
    assert again["artifacts"] == [artifact]
    other = call(c, "list_artifacts", "ListArtifacts", jobId="2", **where)["artifacts"]
    assert other[0]["artifactId"] != artifact["artifactId"]
    url = call(c, "get_artifact_url", "GetArtifactUrl", artifactId=artifact["artifactId"])
    assert url["artifactId"] == artifact["artifactId"]
    step_urls = c.get_job(jobId="3", **where)["job"]["steps"]
    built = next(s for s in step_urls if s["stepName"] == "BUILD")
    assert urllib.parse.urlsplit(url["artifactUrl"]).path == (
        urllib.parse.urlsplit(built["artifactsUrl"]).path
    )
    # A job that has not built has none.
    started = call(c, "start_job", "StartJob", jobType="RELEASE", **where)["jobSummary"]
    fake.auto_advance(to=None)
    assert (
        call(c, "list_artifacts", "ListArtifacts", jobId=started["jobId"], **where)["artifacts"]
        == []
    )
    with pytest.raises(c.exceptions.NotFoundException, match=r"Artifact nope not found\.$"):
        c.get_artifact_url(artifactId="nope")
    # ListArtifacts models no NotFoundException: an unknown job is a BadRequestException.
    with pytest.raises(c.exceptions.BadRequestException, match=r"Job 99 not found\.$"):
        c.list_artifacts(jobId="99", **where)


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_an_artifact_download(fake: AmplifyFake) -> None:
    c = client()
    (artifact,) = c.list_artifacts(appId=APP, branchName=BRANCH, jobId="3")["artifacts"]
    url = c.get_artifact_url(artifactId=artifact["artifactId"])["artifactUrl"]
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.read()[:2] == b"PK"


# ---------------------------------------------------------------------------- access logs


def test_generate_access_logs(fake: AmplifyFake) -> None:
    c = client()
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    end = start + dt.timedelta(hours=6)
    url = call(
        c,
        "generate_access_logs",
        "GenerateAccessLogs",
        appId=APP,
        domainName="example.com",
        startTime=start,
        endTime=end,
    )["logUrl"]
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path).split("/", 2)[2]
    assert path == f"access-logs/{APP}/example.com/1704067200-1704088800.csv"
    served = fake._store.access_log(path)  # what service.py serves at that path
    assert served is not None
    kind, body = served
    header, *rows = body.decode().splitlines()
    assert kind == "text/csv"
    assert header.startswith("date,time,x-edge-location,sc-bytes,c-ip,cs-method,cs(Host),")
    assert rows
    for row in rows:
        fields = dict(zip(header.split(","), row.split(","), strict=True))
        when = dt.datetime.fromisoformat(f"{fields['date']}T{fields['time']}+00:00")
        assert start <= when <= end and fields["cs(Host)"] == "example.com"
    assert fake._store.access_log("access-logs/d1nope/example.com/1-2.csv") is None
    without_range = call(
        c, "generate_access_logs", "GenerateAccessLogs", appId=APP, domainName="example.com"
    )
    assert without_range["logUrl"] != url
    with pytest.raises(c.exceptions.NotFoundException, match=r"App d1nope not found\.$"):
        c.generate_access_logs(appId="d1nope", domainName="example.com")
    with pytest.raises(c.exceptions.BadRequestException, match="startTime"):
        c.generate_access_logs(appId=APP, domainName="example.com", startTime=end, endTime=start)


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_an_access_log_download(fake: AmplifyFake) -> None:
    c = client()
    url = c.generate_access_logs(appId=APP, domainName="example.com")["logUrl"]
    with urllib.request.urlopen(url, timeout=10) as answer:
        body = answer.read().decode()
    assert body.startswith("date,time,x-edge-location,")


# ----------------------------------------------------------------------------------- tags


def test_tags_of_apps_and_branches(fake: AmplifyFake) -> None:
    c = client()
    app = call(c, "create_app", "CreateApp", name="t", tags={"team": "web"})["app"]
    assert app["tags"] == {"team": "web"}
    arn = app["appArn"]
    call(c, "tag_resource", "TagResource", resourceArn=arn, tags={"cost": "1", "env": "prod"})
    tags = call(c, "list_tags_for_resource", "ListTagsForResource", resourceArn=arn)["tags"]
    assert tags == {"team": "web", "cost": "1", "env": "prod"}
    assert call(c, "get_app", "GetApp", appId=app["appId"])["app"]["tags"] == tags
    call(c, "untag_resource", "UntagResource", resourceArn=arn, tagKeys=["cost", "team"])
    assert call(c, "get_app", "GetApp", appId=app["appId"])["app"]["tags"] == {"env": "prod"}
    assert fake.requests[-2].params["tagKeys"] == ["cost", "team"]  # repeated in the query
    # A branch, its name holding a slash (the ARN travels as one URI label).
    branch = call(
        c,
        "create_branch",
        "CreateBranch",
        appId=app["appId"],
        branchName="feature/a",
        tags={"pr": "7"},
    )["branch"]
    call(c, "tag_resource", "TagResource", resourceArn=branch["branchArn"], tags={"x": "y"})
    got = call(c, "get_branch", "GetBranch", appId=app["appId"], branchName="feature/a")
    assert got["branch"]["tags"] == {"pr": "7", "x": "y"}
    call(c, "untag_resource", "UntagResource", resourceArn=branch["branchArn"], tagKeys=["pr", "x"])
    got = call(c, "get_branch", "GetBranch", appId=app["appId"], branchName="feature/a")
    assert "tags" not in got["branch"]
    listed = call(
        c, "list_tags_for_resource", "ListTagsForResource", resourceArn=branch["branchArn"]
    )
    assert listed["tags"] == {}


def test_tags_of_unknown_resources_and_the_tag_limit(fake: AmplifyFake) -> None:
    c = client()
    unknown = "arn:aws:amplify:us-east-1:123456789012:apps/d1nope"
    for method, extra in (
        ("list_tags_for_resource", {}),
        ("tag_resource", {"tags": {"a": "b"}}),
        ("untag_resource", {"tagKeys": ["a"]}),
    ):
        with pytest.raises(c.exceptions.ResourceNotFoundException, match="d1nope not found"):
            getattr(c, method)(resourceArn=unknown, **extra)
    app = fake.apps()[0]
    arn, kept = app["appArn"], len(app.get("tags", {}))  # a generated app may carry tags
    c.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50 - kept)})
    with pytest.raises(c.exceptions.BadRequestException, match="more than 50 tags"):
        c.tag_resource(resourceArn=arn, tags={"one": "more"})


def test_repeated_query_values_are_read_as_a_list() -> None:
    base = "https://amplify.us-east-1.amazonaws.com/tags/"
    arn = urllib.parse.quote("arn:aws:amplify:us-east-1:123456789012:apps/d1abc/branches/a/b", "")
    operation, params = parse_request("DELETE", f"{base}{arn}?tagKeys=a&tagKeys=b&tagKeys=a", None)
    assert operation == "UntagResource"
    assert params == {
        "resourceArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1abc/branches/a/b",
        "tagKeys": ["a", "b", "a"],
    }
    assert parse_request("DELETE", f"{base}{arn}?tagKeys=a", None)[1]["tagKeys"] == ["a"]
    # Members that are not lists keep their first value, typed.
    _, params = parse_request(
        "GET", "https://amplify/apps/d1abc/branches?maxResults=5&maxResults=7&nextToken=t", None
    )
    assert params == {"appId": "d1abc", "maxResults": 5, "nextToken": "t"}


# -------------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


class Cli:
    """``aws amplify ...`` in process, like ``tests.helpers.run_aws_cli``, through one driver:
    creating a driver per command costs ~0.6 s, reusing one ~0.04 s."""

    def __init__(self) -> None:
        from awscli.clidriver import create_clidriver

        self.driver = create_clidriver()

    def __call__(self, *args: str) -> dict[str, Any]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = self.driver.main(["amplify", *args, "--output", "json"])
        assert rc == 0, out.getvalue()
        result: dict[str, Any] = json.loads(out.getvalue()) if out.getvalue().strip() else {}
        return result


@pytest.mark.usefixtures("cli_env")
@pytest.mark.slow
def test_every_operation_through_the_aws_cli(fake: AmplifyFake) -> None:
    cli = Cli()
    # The CLI would fetch an http(s) parameter value: the repository goes in as JSON.
    given = {"name": "cli", "repository": "https://github.com/o/cli"}
    app = cli("create-app", "--cli-input-json", json.dumps(given))["app"]
    app_id, arn = app["appId"], app["appArn"]
    assert cli("get-app", "--app-id", app_id)["app"]["name"] == "cli"
    assert cli("update-app", "--app-id", app_id, "--description", "d")["app"]["description"] == "d"
    where = ("--app-id", app_id, "--branch-name", "main")
    branch = cli("create-branch", *where, "--stage", "PRODUCTION")["branch"]
    assert branch["stage"] == "PRODUCTION"
    updated = cli("update-branch", *where, "--framework", "Next.js - SSR")["branch"]
    assert updated["framework"] == "Next.js - SSR"
    assert cli("tag-resource", "--resource-arn", arn, "--tags", "a=1,b=2,c=3") == {}
    assert cli("untag-resource", "--resource-arn", arn, "--tag-keys", "a", "b") == {}
    assert cli("list-tags-for-resource", "--resource-arn", arn)["tags"] == {"c": "3"}
    job_id = cli("start-job", *where, "--job-type", "RELEASE")["jobSummary"]["jobId"]
    while cli("get-job", *where, "--job-id", job_id)["job"]["summary"]["status"] != "SUCCEED":
        pass
    assert cli("get-app", "--app-id", app_id)["app"]["productionBranch"]["status"] == "SUCCEED"
    (artifact,) = cli("list-artifacts", *where, "--job-id", job_id)["artifacts"]
    got = cli("get-artifact-url", "--artifact-id", artifact["artifactId"])
    assert got["artifactUrl"].endswith(f"/{job_id.zfill(10)}/BUILD/artifacts.zip")
    logs = cli(
        "generate-access-logs",
        "--app-id",
        app_id,
        "--domain-name",
        "example.com",
        "--start-time",
        "1704067200",
        "--end-time",
        "1704070800",
    )
    assert logs["logUrl"].endswith("/example.com/1704067200-1704070800.csv")
    assert cli("delete-branch", *where)["branch"]["branchName"] == "main"
    assert cli("delete-app", "--app-id", app_id)["app"]["appId"] == app_id
    rc, _ = run_aws_cli("get-app", "--app-id", app_id)
    assert rc != 0


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_server_mode_serves_them_to_another_process(fake: AmplifyFake) -> None:
    # The ARN of a branch whose name holds a slash, and repeated tagKeys, over real HTTP.
    fake.add_branch(APP, "feature/x", jobs=1, finished=True, statuses=["SUCCEED"])
    fake.serve()
    arn = fake.branch_info(APP, "feature/x")["branchArn"]
    script = f"""
import json, botocore.session
c = botocore.session.get_session().create_client(
    "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
c.tag_resource(resourceArn={arn!r}, tags={{"a": "1", "b": "2", "c": "3"}})
c.untag_resource(resourceArn={arn!r}, tagKeys=["a", "b"])
(artifact,) = c.list_artifacts(appId={APP!r}, branchName="feature/x", jobId="1")["artifacts"]
print(json.dumps([
    c.list_tags_for_resource(resourceArn={arn!r})["tags"],
    c.get_artifact_url(artifactId=artifact["artifactId"])["artifactUrl"],
    c.create_app(name="z")["app"]["name"],
    c.delete_branch(appId={APP!r}, branchName="feature/x")["branch"]["branchName"],
]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    tags, url, name, deleted = json.loads(done.stdout)
    assert tags == {"c": "3"} and name == "z" and deleted == "feature/x"
    assert url.startswith("http://127.0.0.1:") and url.endswith("/BUILD/artifacts.zip")
    with pytest.raises(ValueError, match="has no branch"):
        fake.history(APP, "feature/x")

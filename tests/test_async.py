"""Async clients (aiobotocore, aioboto3) in every mode.

aiobotocore pins its own botocore, so these tests run in environments of their own:
``nox -s async`` (the newest aiobotocore) and ``nox -s async_aioboto3`` (the aiobotocore the
newest aioboto3 pins). In the main environment the module is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any

import botocore.auth
import pytest

pytest.importorskip("aiobotocore", reason="aiobotocore is not installed here: run `nox -s async`")

import aiobotocore
import aiobotocore.client
import aiobotocore.endpoint
import aiobotocore.httpsession
import aiobotocore.session
from aiobotocore.session import get_session

from pytest_amplify_jobs import (
    AmplifyIntercept,
    _model,
    fake_amplify,
    generate_chain,
    stub_list_jobs,
    validate_list_jobs_response,
)
from pytest_amplify_jobs._routing import RefusedCall

APP, BRANCH = "d1asyncapp234", "main"
MANUAL = "d1manualapp01"


def run(coroutine: Awaitable[Any]) -> Any:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def aio_client(**credentials: str) -> Any:
    async with get_session().create_client(
        "amplify", region_name="us-east-1", **credentials
    ) as client:
        yield client


async def all_jobs(client: Any, app: str = APP, branch: str = BRANCH) -> list[Any]:
    jobs: list[Any] = []
    paginator = client.get_paginator("list_jobs")
    async for page in paginator.paginate(appId=app, branchName=branch):
        validate_list_jobs_response(page)
        jobs += page["jobSummaries"]
    return jobs


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Record every signature and every request that reaches aiobotocore's HTTP session."""
    seen: dict[str, list[Any]] = {"sent": [], "signed": []}

    async def send(self: Any, request: Any) -> Any:
        seen["sent"].append(request.url)
        raise AssertionError(f"a request reached the HTTP layer: {request.url}")

    def add_auth(self: Any, request: Any) -> None:
        seen["signed"].append(request.url)

    monkeypatch.setattr(aiobotocore.httpsession.AIOHTTPSession, "send", send)
    monkeypatch.setattr(botocore.auth.SigV4Auth, "add_auth", add_auth)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIACANARY0000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary")
    return seen


def originals() -> dict[str, Any]:
    endpoint = aiobotocore.endpoint
    return {
        "make_api_call": aiobotocore.client.AioBaseClient.__dict__["_make_api_call"],
        "needs_retry": endpoint.AioEndpoint.__dict__["_needs_retry"],
        "sleep": endpoint.AioEndpoint.__dict__.get("_sleep"),
        "asyncio": endpoint.asyncio,
        "create_client": aiobotocore.session.AioSession.__dict__["create_client"],
    }


# ------------------------------------------------------------------------------------ fake


def test_the_fake_serves_an_async_client_created_before_activation(
    wire: dict[str, list[Any]],
) -> None:
    before = originals()

    async def body() -> None:
        async with aio_client() as client:  # created before the fake exists
            with fake_amplify(seed=3) as fake:
                history = fake.add_branch(APP, BRANCH, jobs=120)
                assert await all_jobs(client) == history
                page = await client.list_jobs(appId=APP, branchName=BRANCH, maxResults=7)
                assert page["jobSummaries"] == history[:7]
                assert page["ResponseMetadata"]["HTTPStatusCode"] == 200
                assert [r.params.get("maxResults") for r in fake.requests][-1] == 7

    run(body())
    assert originals() == before
    assert wire == {"sent": [], "signed": []}


def test_async_retries_sleep_zero_and_are_recorded(wire: dict[str, list[Any]]) -> None:
    async def body() -> tuple[list[float], int, float]:
        with fake_amplify() as fake:
            history = fake.add_branch(APP, BRANCH, jobs=10)
            fake.fail("LimitExceededException", times=2)
            async with aio_client() as client:
                loop = asyncio.get_running_loop()
                start = loop.time()
                page = await client.list_jobs(appId=APP, branchName=BRANCH)
                took = loop.time() - start
                assert page["jobSummaries"] == history
                return fake.backoffs, page["ResponseMetadata"]["RetryAttempts"], took

    backoffs, attempts, took = run(body())
    assert attempts == 2 and len(backoffs) == 2 and all(b > 0 for b in backoffs)
    assert took < sum(backoffs)  # the delays botocore asked for were not slept


def test_async_errors_are_the_modeled_exceptions() -> None:
    async def body() -> None:
        with fake_amplify() as fake:
            fake.add_branch(APP, BRANCH, jobs=3)
            fake.fail("UnauthorizedException")
            async with aio_client(aws_access_key_id="a", aws_secret_access_key="b") as client:
                with pytest.raises(client.exceptions.UnauthorizedException) as info:
                    await client.list_jobs(appId=APP, branchName=BRANCH)
                assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401

    run(body())


def test_concurrent_tasks_on_the_fake() -> None:
    async def body() -> None:
        with fake_amplify() as fake:
            history = fake.add_branch(APP, BRANCH, jobs=60)
            async with aio_client(aws_access_key_id="a", aws_secret_access_key="b") as client:
                results = await asyncio.gather(*(all_jobs(client) for _ in range(8)))
            assert all(result == history for result in results)

    run(body())


def test_every_async_call_is_answered_by_the_fake(wire: dict[str, list[Any]]) -> None:
    # The fake serves every operation: an unknown app is the service's own 404, sent nowhere.
    async def body() -> None:
        with fake_amplify():
            async with aio_client() as client:
                with pytest.raises(client.exceptions.NotFoundException, match=r"App .* not found"):
                    await client.get_domain_association(appId=APP, domainName="example.com")

    run(body())
    assert wire == {"sent": [], "signed": []}


# ------------------------------------------------------------------------------- intercept


def test_intercept_serves_async_clients(wire: dict[str, list[Any]]) -> None:
    async def body() -> None:
        with AmplifyIntercept() as intercept:
            chain = intercept.generate(jobs=30, page_size=10)
            async with aio_client() as client:
                assert await all_jobs(client, chain.app_id, chain.branch_name) == list(chain.jobs)
                with pytest.raises(RefusedCall, match="was not queued"):
                    await client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)

    run(body())
    assert wire == {"sent": [], "signed": []}


# --------------------------------------------------------------------------------- Stubber


def test_stub_list_jobs_on_an_async_client_and_a_stray_one(wire: dict[str, list[Any]]) -> None:
    chain = generate_chain(jobs=25, page_size=10)

    async def body() -> None:
        async with aio_client(aws_access_key_id="a", aws_secret_access_key="b") as client:
            with stub_list_jobs(chain, client=client, assert_no_refused_calls=False):
                assert await all_jobs(client, chain.app_id, chain.branch_name) == list(chain.jobs)
                async with aio_client() as stray:
                    with pytest.raises(RefusedCall, match="does not serve"):
                        await stray.list_jobs(appId=chain.app_id, branchName=chain.branch_name)

    run(body())
    assert wire == {"sent": [], "signed": []}


# --------------------------------------------------------------------------------- aioboto3


def test_aioboto3_clients_are_served(wire: dict[str, list[Any]]) -> None:
    aioboto3 = pytest.importorskip("aioboto3", reason="aioboto3 is not installed here")

    async def body() -> None:
        with fake_amplify() as fake:
            history = fake.add_branch(APP, BRANCH, jobs=70)
            async with aioboto3.Session().client("amplify", region_name="eu-west-1") as client:
                assert await all_jobs(client) == history

    run(body())
    assert wire == {"sent": [], "signed": []}


# ------------------------------------------------------------------ async tests and fixtures

ASYNC_TEST = """
import pytest
from aiobotocore.session import get_session

{marker}
async def test_fixture_in_an_async_test(amplify_fake{extra}):
    history = amplify_fake.add_branch(app_id="d1abc", branch_name="main", jobs=60)
    async with get_session().create_client("amplify", region_name="us-east-1") as client:
        jobs = []
        async for page in client.get_paginator("list_jobs").paginate(appId="d1abc", branchName="main"):
            jobs += page["jobSummaries"]
    assert jobs == history
"""


@pytest.mark.parametrize(
    ("plugin", "marker", "extra", "args"),
    [
        (
            "pytest_asyncio",
            "@pytest.mark.asyncio",
            "",
            ("-o", "asyncio_default_fixture_loop_scope=function"),
        ),
        ("anyio", "@pytest.mark.anyio", ", anyio_backend", ()),
    ],
)
def test_fixtures_in_async_def_tests(
    pytester: pytest.Pytester, plugin: str, marker: str, extra: str, args: tuple[str, ...]
) -> None:
    pytest.importorskip(plugin, reason=f"{plugin} is not installed here")
    pytester.makepyfile(ASYNC_TEST.format(marker=marker, extra=extra))
    if plugin == "anyio":
        pytester.makeconftest(
            "import pytest\n@pytest.fixture\ndef anyio_backend():\n    return 'asyncio'\n"
        )
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "--disable-socket", "--allow-unix-socket", *args
    )
    result.assert_outcomes(passed=1)


def test_from_type_resolves_the_aiobotocore_typeddicts() -> None:
    type_defs = pytest.importorskip(
        "types_aiobotocore_amplify.type_defs", reason="types-aiobotocore-amplify is not installed"
    )
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=10, database=None)
    @given(st.from_type(type_defs.JobSummaryTypeDef))
    def check(job: Any) -> None:
        validate_list_jobs_response({"jobSummaries": [job]})

    check()


# ------------------------------------------------------- every job operation (issue 15)


async def deploy_after_newest(client: Any, app: str, branch: str) -> tuple[str, str, list[str]]:
    """Read the newest job, start a release, poll it until it finishes (async code)."""
    newest = (await client.list_jobs(appId=app, branchName=branch))["jobSummaries"][0]
    started = await client.start_job(appId=app, branchName=branch, jobType="RELEASE")
    job_id = started["jobSummary"]["jobId"]
    seen: list[str] = []
    while not seen or seen[-1] not in ("SUCCEED", "FAILED", "CANCELLED"):
        got = await client.get_job(appId=app, branchName=branch, jobId=job_id)
        seen.append(got["job"]["summary"]["status"])
    return newest["jobId"], job_id, seen


def _queue_the_story(queue: Any) -> Any:
    chain = queue.generate(jobs=200, page_size=50, calls=1, app_id=APP, branch_name=BRANCH)
    queue.add_response(
        "StartJob", expected_params={**chain.expected_params(0), "jobType": "RELEASE"}
    )
    queue.add_job_progress(to="FAILED")
    return chain


def test_every_job_operation_is_queued_for_async_clients_in_both_modes(
    wire: dict[str, list[Any]],
) -> None:
    from botocore.stub import Stubber

    from pytest_amplify_jobs._stubbing import AmplifyStub

    async def body() -> None:
        async with aio_client(aws_access_key_id="a", aws_secret_access_key="b") as client:
            stubber = Stubber(client)
            stub = AmplifyStub(client, stubber, seed=5)
            _queue_the_story(stub)
            with stubber:
                newest, started, seen = await deploy_after_newest(client, APP, BRANCH)
            assert (newest, started, seen[-1]) == ("200", "201", "FAILED")
            assert stub.pending() == []
            stub.close()
        with AmplifyIntercept(seed=5) as intercept:
            _queue_the_story(intercept)
            intercept.add_client_error("GetApp", "NotFoundException")
            async with aio_client() as client:
                newest, started, seen = await deploy_after_newest(client, APP, BRANCH)
                assert (newest, started, seen[-1]) == ("200", "201", "FAILED")
                with pytest.raises(client.exceptions.NotFoundException):
                    await client.get_app(appId=APP)
            assert intercept.pending() == []

    run(body())
    assert wire == {"sent": [], "signed": []}


def test_a_world_is_served_to_an_async_waiter(wire: dict[str, list[Any]]) -> None:
    from hypothesis import given, settings

    from pytest_amplify_jobs import AmplifyWorld, generate_world
    from pytest_amplify_jobs.strategies import amplify_worlds

    async def newest_then_poll(world: AmplifyWorld) -> tuple[str, str, int]:
        async with aio_client(aws_access_key_id="a", aws_secret_access_key="b") as client:
            where = {"appId": world.app_id, "branchName": world.branch_name}
            page = await client.list_jobs(**where, maxResults=1)
            job_id = page["jobSummaries"][0]["jobId"]
            polls = 0
            while True:
                polls += 1
                got = await client.get_job(**where, jobId=job_id)
                status = got["job"]["summary"]["status"]
                if status in ("SUCCEED", "FAILED", "CANCELLED"):
                    return job_id, status, polls

    world = generate_world(seed=11, newest=["PENDING", "RUNNING"], max_faults=2)
    with fake_amplify(world=world):
        job_id, status, _ = run(newest_then_poll(world))
    assert status == world.final_status(job_id)

    @settings(max_examples=25, deadline=None, database=None)
    @given(amplify_worlds())
    def the_waiter_is_right(world: AmplifyWorld) -> None:
        with fake_amplify(world=world):
            job_id, status, polls = run(newest_then_poll(world))
        assert status == world.final_status(job_id)
        assert polls <= world.finishes_after(job_id) + 1

    the_waiter_is_right()
    assert wire == {"sent": [], "signed": []}


async def more_operations(client: Any, out: dict[str, Any]) -> None:
    """Every other operation of the model, through the same aiobotocore client."""
    app = (await client.create_app(name="async-app", repository="https://github.com/o/r"))["app"]
    out["CreateApp"] = {"app": app}
    app_id = app["appId"]
    out["UpdateApp"] = await client.update_app(appId=app_id, description="d")
    out["CreateBranch"] = await client.create_branch(appId=app_id, branchName="dev")
    out["UpdateBranch"] = await client.update_branch(appId=app_id, branchName="dev", stage="BETA")
    hook = await client.create_webhook(appId=app_id, branchName="dev")
    out["CreateWebhook"] = hook
    webhook_id = hook["webhook"]["webhookId"]
    out["GetWebhook"] = await client.get_webhook(webhookId=webhook_id)
    out["ListWebhooks"] = await client.list_webhooks(appId=app_id)
    out["UpdateWebhook"] = await client.update_webhook(webhookId=webhook_id, description="x")
    out["DeleteWebhook"] = await client.delete_webhook(webhookId=webhook_id)
    where = {"appId": app_id, "domainName": "example.com"}
    settings = [{"prefix": "www", "branchName": "dev"}]
    out["CreateDomainAssociation"] = await client.create_domain_association(
        **where, subDomainSettings=settings
    )
    out["GetDomainAssociation"] = await client.get_domain_association(**where)
    out["ListDomainAssociations"] = await client.list_domain_associations(appId=app_id)
    out["UpdateDomainAssociation"] = await client.update_domain_association(
        **where, subDomainSettings=settings
    )
    out["GenerateAccessLogs"] = await client.generate_access_logs(**where)
    out["DeleteDomainAssociation"] = await client.delete_domain_association(**where)
    env = {"appId": app_id, "environmentName": "staging"}
    out["CreateBackendEnvironment"] = await client.create_backend_environment(**env)
    out["GetBackendEnvironment"] = await client.get_backend_environment(**env)
    out["ListBackendEnvironments"] = await client.list_backend_environments(appId=app_id)
    out["DeleteBackendEnvironment"] = await client.delete_backend_environment(**env)
    built = await client.start_job(appId=app_id, branchName="dev", jobType="RELEASE")
    job_id = built["jobSummary"]["jobId"]
    for _ in range(3):  # to its end: a build that succeeded has artifacts
        await client.get_job(appId=app_id, branchName="dev", jobId=job_id)
    listed = await client.list_artifacts(appId=app_id, branchName="dev", jobId=job_id)
    out["ListArtifacts"] = listed
    artifact = listed["artifacts"][0]["artifactId"]
    out["GetArtifactUrl"] = await client.get_artifact_url(artifactId=artifact)
    arn = app["appArn"]
    out["TagResource"] = await client.tag_resource(resourceArn=arn, tags={"team": "web"})
    out["ListTagsForResource"] = await client.list_tags_for_resource(resourceArn=arn)
    out["UntagResource"] = await client.untag_resource(resourceArn=arn, tagKeys=["team"])
    out["DeleteBranch"] = await client.delete_branch(appId=app_id, branchName="dev")
    out["DeleteApp"] = await client.delete_app(appId=app_id)


def test_every_fake_operation_serves_an_async_client(wire: dict[str, list[Any]]) -> None:
    from pytest_amplify_jobs import validate_response

    async def body() -> dict[str, Any]:
        with fake_amplify() as fake:
            fake.add_branch(APP, BRANCH, jobs=3, finished=True)
            fake.add_app(MANUAL, kind="manual")  # deployments: an app without a repository
            fake.add_branch(MANUAL, BRANCH, jobs=1, finished=True)
            async with aio_client() as client:
                out: dict[str, Any] = {}
                out["ListApps"] = await client.list_apps()
                out["GetApp"] = await client.get_app(appId=APP)
                out["ListBranches"] = await client.list_branches(appId=APP)
                out["GetBranch"] = await client.get_branch(appId=APP, branchName=BRANCH)
                out["ListJobs"] = await client.list_jobs(appId=APP, branchName=BRANCH)
                out["GetJob"] = await client.get_job(appId=APP, branchName=BRANCH, jobId="3")
                out["DeleteJob"] = await client.delete_job(appId=APP, branchName=BRANCH, jobId="1")
                out["StartJob"] = started = await client.start_job(
                    appId=APP, branchName=BRANCH, jobType="RELEASE"
                )
                out["StopJob"] = await client.stop_job(
                    appId=APP, branchName=BRANCH, jobId=started["jobSummary"]["jobId"]
                )
                out["CreateDeployment"] = created = await client.create_deployment(
                    appId=MANUAL, branchName=BRANCH
                )
                out["StartDeployment"] = await client.start_deployment(
                    appId=MANUAL, branchName=BRANCH, jobId=created["jobId"]
                )
                await more_operations(client, out)
                return out

    responses = run(body())
    assert set(responses) == set(_model.operation_names())  # all 37
    for operation, response in responses.items():
        validate_response(operation, response)
    # The service's three-member answer (departure start-deployment-summary).
    assert set(responses["StartDeployment"]["jobSummary"]) == {"jobArn", "jobId", "status"}
    assert wire == {"sent": [], "signed": []}


def test_retries_sleep_zero_on_the_anyio_backend() -> None:
    import importlib.util

    if not any(importlib.util.find_spec(name) for name in ("httpx2", "httpx")):
        pytest.skip("httpx2 (aiobotocore's anyio backend) is not installed")
    endpoint = pytest.importorskip("aiobotocore.endpoint")
    if not hasattr(endpoint, "AnyioEndpoint"):
        pytest.skip("this aiobotocore has no anyio backend (aiobotocore 3.x has)")
    from aiobotocore.config import AioConfig
    from aiobotocore.httpxsession import HttpxSession

    async def body() -> tuple[list[float], int, float]:
        with fake_amplify() as fake:
            history = fake.add_branch(APP, BRANCH, jobs=4)
            fake.fail("ServiceUnavailableException", times=2)
            async with get_session().create_client(
                "amplify",
                region_name="us-east-1",
                config=AioConfig(http_session_cls=HttpxSession),
            ) as client:
                loop = asyncio.get_running_loop()
                start = loop.time()
                page = await client.list_jobs(appId=APP, branchName=BRANCH)
                assert page["jobSummaries"] == history
                return fake.backoffs, page["ResponseMetadata"]["RetryAttempts"], loop.time() - start

    backoffs, attempts, took = run(body())
    assert attempts == 2 and len(backoffs) == 2
    assert took < sum(backoffs)

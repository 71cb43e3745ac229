"""Never the network: stray clients refused, swallowed refusals fail, no credential resolution."""

from __future__ import annotations

import concurrent.futures
import contextlib
from typing import Any

import boto3
import botocore.auth
import botocore.credentials
import botocore.httpsession
import pytest
from botocore.stub import Stubber

from pytest_amplify_jobs import fake_amplify, generate_chain, stub_list_jobs
from pytest_amplify_jobs._intercept import AmplifyIntercept
from pytest_amplify_jobs._routing import Guard, RefusedCall, guarded_client, refusals

CANARY = {
    "AWS_ACCESS_KEY_ID": "AKIACANARY0000000000",
    "AWS_SECRET_ACCESS_KEY": "canary-secret",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN": "canary-token",
}


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """Record every request that would be sent, every signature, every container lookup."""
    seen: dict[str, list[Any]] = {"sent": [], "signed": [], "container": []}

    def send(self: Any, request: Any) -> Any:
        seen["sent"].append(request.url)
        raise AssertionError(f"a request reached the HTTP layer: {request.url}")

    def add_auth(self: Any, request: Any) -> None:
        seen["signed"].append(request.url)

    def load(self: Any) -> None:
        seen["container"].append(True)
        return None

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", send)
    monkeypatch.setattr(botocore.auth.SigV4Auth, "add_auth", add_auth)
    monkeypatch.setattr(botocore.credentials.ContainerProvider, "load", load)
    return seen


def stray_client() -> Any:
    """What code under test builds for itself: credentials from wherever it finds them."""
    return boto3.client("amplify", region_name="us-east-1")


def test_a_stray_client_is_refused_in_stubber_mode(wire: dict[str, list[Any]]) -> None:
    chain = generate_chain(jobs=3)
    served = stub_list_jobs(chain, assert_all_consumed=False)
    served.__enter__()
    with pytest.raises(RefusedCall) as info:
        stray_client().list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    with pytest.raises(AssertionError, match="1 Amplify call"):  # the refusal, at exit
        served.__exit__(None, None, None)
    text = str(info.value)
    assert f"list_jobs(appId='{chain.app_id}', branchName='{chain.branch_name}')" in text
    assert "does not serve Amplify at 0x" in text
    assert "pass the stubbed client" in text and "amplify_fake" in text
    assert wire["sent"] == [] and wire["signed"] == []


def test_the_plugins_own_client_never_sends(wire: dict[str, list[Any]]) -> None:
    client = guarded_client()
    with pytest.raises(RefusedCall, match="no Stubber is active on it"):
        client.list_jobs(appId="d1", branchName="main")
    assert wire["sent"] == [] and wire["signed"] == []


@pytest.mark.parametrize("mode", ["stubber", "intercept", "fake"])
def test_canary_credentials_are_never_used(
    mode: str, wire: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CANARY.items():
        monkeypatch.setenv(name, value)
    chain = generate_chain(jobs=2, page_size=2)
    calls = 0

    def call(client: Any) -> None:
        nonlocal calls
        calls += 1
        # Refused or served: either way, nothing may be signed or sent.
        with contextlib.suppress(Exception):
            client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)

    if mode == "stubber":
        with stub_list_jobs(chain, assert_no_refused_calls=False) as client:
            call(client)
            call(stray_client())
    elif mode == "intercept":
        with AmplifyIntercept() as intercept:
            intercept.add(chain)
            call(stray_client())
            call(stray_client())
    else:
        with fake_amplify() as fake:
            fake.add_branch(chain.app_id, chain.branch_name, jobs=2)
            call(stray_client())
            call(stray_client())
    assert calls == 2
    assert wire == {"sent": [], "signed": [], "container": []}


def test_other_services_are_untouched() -> None:
    with Guard():
        sts = boto3.client(
            "sts", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
        )
        with Stubber(sts) as stubber:
            stubber.add_response("get_caller_identity", {"Account": "123456789012"})
            assert sts.get_caller_identity()["Account"] == "123456789012"
    assert all("sts" not in r.operation.lower() for r in refusals.since(0))


def test_intercept_never_answers_with_another_chains_page() -> None:
    apps = [f"d{index}thread" for index in range(2)]
    with AmplifyIntercept() as intercept:
        for number in range(150):
            intercept.add(generate_chain(jobs=1, app_id=apps[number % 2], seed=number))
        clients = [stray_client_with_keys() for _ in range(4)]

        def call(number: int) -> tuple[str, str] | None:
            app = apps[number % 2]
            try:
                page = clients[number % 4].list_jobs(appId=app, branchName=_branch(intercept, app))
            except Exception:
                return None  # a mismatch with the head of the queue is refused, never misanswered
            return app, page["jobSummaries"][0]["jobArn"]

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = [a for a in pool.map(call, range(150)) if a is not None]
    assert answers, "no call was served at all"
    wrong = [(app, arn) for app, arn in answers if f"apps/{app}/" not in arn]
    assert wrong == []


def _branch(intercept: AmplifyIntercept, app: str) -> str:
    return next(c.branch_name for c in intercept.chains if c.app_id == app)


def stray_client_with_keys() -> Any:
    return boto3.client(
        "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )


def test_swallowed_refusals_fail_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3
import pytest

def swallowing_code(app_id, branch):
    client = boto3.client(
        "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    try:
        return client.list_jobs(appId=app_id, branchName=branch)["jobSummaries"]
    except Exception:
        return []  # the bug: errors are swallowed

def test_stubber_mode_swallowed(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=2)
    assert swallowing_code(chain.app_id, chain.branch_name) == []
    list_jobs_stub.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)

def test_intercept_mismatch_swallowed(amplify_intercept):
    chain = amplify_intercept.generate(jobs=2)
    assert swallowing_code(chain.app_id, "not-the-branch") == []
    swallowing_code(chain.app_id, chain.branch_name)

def test_the_fake_serves_every_operation(amplify_fake):
    # Nothing is refused: the service's own error is an answer, not a refusal.
    import boto3
    client = boto3.client("amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_domain_association(appId="d1", domainName="example.com")

@pytest.mark.amplify_jobs(assert_no_refused_calls=False)
def test_opted_out(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=2)
    swallowing_code(chain.app_id, chain.branch_name)
    list_jobs_stub.client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--disable-socket")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*1 Amplify call(s) were refused during the test (nothing was sent):*",
            "*list_jobs(appId='d*', branchName='*') was refused: the active Stubber of "
            "amplify_stubber / list_jobs_stub does not serve Amplify at 0x*",
            "*assert_no_refused_calls=False*",
        ]
    )
    result.stdout.fnmatch_lines(["*branchName='not-the-branch'*parameters differ*"])


# ------------------------------------------------------------------- exits always restore


def _patched() -> dict[str, Any]:
    import botocore.client
    import botocore.endpoint
    import botocore.session

    return {
        "make_api_call": botocore.client.BaseClient.__dict__["_make_api_call"],
        "needs_retry": botocore.endpoint.Endpoint.__dict__["_needs_retry"],
        "create_client": botocore.session.Session.__dict__["create_client"],
        "time": botocore.endpoint.time,
    }


def test_a_keyboard_interrupt_while_entering_restores_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pytest_amplify_jobs._fake.service import AmplifyFake

    before = _patched()

    def interrupted(self: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(AmplifyFake, "_activated", interrupted)
    with pytest.raises(KeyboardInterrupt), fake_amplify():
        pass
    assert _patched() == before


def test_another_wrapper_unwinding_out_of_order_leaves_no_stale_wrapper() -> None:
    import botocore.client

    before = _patched()
    seen: list[str] = []
    fake = fake_amplify()
    fake.__enter__()
    ours = botocore.client.BaseClient._make_api_call
    original_other = ours

    def other_library(self: Any, operation: str, params: Any) -> Any:
        seen.append(operation)
        return original_other(self, operation, params)

    botocore.client.BaseClient._make_api_call = other_library  # type: ignore[method-assign]
    fake.__exit__(None, None, None)  # we leave first: our wrapper stays below theirs, inert
    client = stray_client_with_keys()
    with Stubber(client) as stubber:  # inert: the other library's wrapper and botocore's own
        stubber.add_response("list_jobs", {"jobSummaries": []})
        client.list_jobs(appId="d1abc", branchName="main")
    assert seen == ["ListJobs"]
    botocore.client.BaseClient._make_api_call = ours  # type: ignore[method-assign]
    # Their restore put our stale wrapper back; the next mode unwraps it and restores exactly.
    with fake_amplify() as again:
        again.add_branch("d1abc", "main", jobs=2)
        assert len(client.list_jobs(appId="d1abc", branchName="main")["jobSummaries"]) == 2
    assert _patched()["make_api_call"] is before["make_api_call"]
    with Stubber(client) as stubber:
        stubber.add_response("list_jobs", {"jobSummaries": []})
        assert client.list_jobs(appId="d1abc", branchName="main")["jobSummaries"] == []
    assert _patched()["make_api_call"] is before["make_api_call"]


def test_an_inert_wrapper_is_a_plain_pass_through() -> None:
    import botocore.client

    with fake_amplify():
        ours = botocore.client.BaseClient._make_api_call
    assert ours is not botocore.client.BaseClient._make_api_call  # restored
    client = stray_client_with_keys()
    with Stubber(client) as stubber:
        stubber.add_response("list_jobs", {"jobSummaries": []})
        # Called directly, the released wrapper neither routes nor refuses.
        assert ours(client, "ListJobs", {"appId": "d1", "branchName": "m"})["jobSummaries"] == []


def test_environment_variables_set_inside_a_mode_do_not_leak() -> None:
    import os

    before = dict(os.environ)
    with pytest.MonkeyPatch.context() as monkeypatch:
        with fake_amplify():
            monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
            monkeypatch.setenv("AWS_ACCESS_KEY_ID", "set-by-the-test")
    assert dict(os.environ) == before


def test_a_mode_entered_from_another_thread_is_a_clear_error() -> None:
    errors: list[BaseException] = []

    def enter() -> None:
        try:
            with AmplifyIntercept():
                pass
        except RuntimeError as error:
            errors.append(error)

    with fake_amplify():
        import threading

        thread = threading.Thread(target=enter)
        thread.start()
        thread.join()
    assert len(errors) == 1
    assert "intercept mode entered from another thread while fake service is active" in str(
        errors[0]
    )
    assert "process-wide" in str(errors[0])
    with AmplifyIntercept():  # once the other exits, any thread may enter
        pass

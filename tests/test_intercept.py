"""Intercept mode: every Amplify client in the process is served, nothing is ever sent."""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore.client
import botocore.session
import pytest
from botocore.exceptions import StubAssertionError, UnStubbedResponseError
from botocore.stub import Stubber

from pytest_amplify_jobs import AmplifyIntercept, generate_chain, stub_list_jobs
from tests.helpers import run_aws_cli

# A module-level client, created long before any intercept is active.
MODULE_CLIENT = boto3.client(
    "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
)
ORIGINAL = botocore.client.BaseClient._make_api_call


pytestmark = pytest.mark.usefixtures("no_http")


def _real_looking_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def list_branch(app_id: str, branch: str) -> list[dict[str, Any]]:
    """Code under test: builds its own client, as real code does."""
    client = boto3.client("amplify")
    pages = client.get_paginator("list_jobs").paginate(appId=app_id, branchName=branch)
    return [job for page in pages for job in page["jobSummaries"]]


def test_code_building_its_own_client_is_served(monkeypatch: pytest.MonkeyPatch) -> None:
    _real_looking_credentials(monkeypatch)
    with AmplifyIntercept() as intercept:
        chain = intercept.generate(jobs=11, page_size=4)
        assert list_branch(chain.app_id, chain.branch_name) == list(chain.jobs)
        assert [c.get("nextToken") for c in intercept.calls] == [None, *chain.tokens]
        assert intercept.pending() == []


def test_module_level_session_and_botocore_clients_are_served() -> None:
    session_client = boto3.Session(
        aws_access_key_id="a", aws_secret_access_key="b", region_name="eu-west-1"
    ).client("amplify")
    botocore_client = botocore.session.get_session().create_client(
        "amplify", region_name="ap-south-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with AmplifyIntercept() as intercept:
        for client in (MODULE_CLIENT, session_client, botocore_client):
            chain = intercept.generate(jobs=3, page_size=3)
            page = client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
            assert page["jobSummaries"] == list(chain.jobs)


def test_errors_use_the_calling_clients_exception_classes() -> None:
    with AmplifyIntercept() as intercept:
        chain = intercept.generate(jobs=2, error="LimitExceededException", error_at=0)
        with pytest.raises(MODULE_CLIENT.exceptions.LimitExceededException) as info:
            MODULE_CLIENT.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    response = info.value.response
    assert response["Error"]["Code"] == "LimitExceededException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["message"] == chain.error.message  # type: ignore[union-attr]


def test_add_client_error_takes_a_message_in_intercept_mode_too() -> None:
    with AmplifyIntercept() as intercept:
        intercept.add_throttling("GetJob")
        intercept.add_client_error("GetJob", "BadRequestException", message="Invalid jobId.")
        texts = []
        for _ in range(2):
            with pytest.raises(MODULE_CLIENT.exceptions.BadRequestException) as info:
                MODULE_CLIENT.get_job(appId="d1abc", branchName="main", jobId="1")
            texts.append(info.value.response["Error"]["Message"])
        with pytest.raises(ValueError, match="give one of them"):
            intercept.add_client_error(
                "GetJob", "BadRequestException", "Invalid jobId.", message="Invalid jobId."
            )
    assert texts == [
        "Rate exceeded while calling GetJob, please slow down or try again later.",
        "Invalid jobId.",
    ]


def test_the_aws_cli_in_process_prints_every_job(monkeypatch: pytest.MonkeyPatch) -> None:
    _real_looking_credentials(monkeypatch)
    with AmplifyIntercept() as intercept:
        chain = intercept.generate(jobs=25, page_size=10)
        rc, out = run_aws_cli(
            "list-jobs",
            "--app-id",
            chain.app_id,
            "--branch-name",
            chain.branch_name,
            "--output",
            "json",
        )
    assert rc == 0
    printed = json.loads(out)["jobSummaries"]
    assert [j["jobId"] for j in printed] == [j["jobId"] for j in chain.jobs]
    assert len(intercept.calls) == 3


def test_an_unqueued_call_is_an_error_not_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    _real_looking_credentials(monkeypatch)
    client = boto3.client("amplify")
    with AmplifyIntercept() as intercept:
        chain = intercept.generate(jobs=1)
        with pytest.raises(UnStubbedResponseError, match=r"get_app\(appId='d1'\) was not queued"):
            client.get_app(appId="d1")
        client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
        with pytest.raises(UnStubbedResponseError) as info:
            client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    message = str(info.value)
    assert "list_jobs(appId=" in message and "1 call(s) served, nothing is queued" in message
    assert "No request was sent" in message


def test_an_unqueued_call_names_what_is_queued() -> None:
    with AmplifyIntercept(seed=3) as intercept:
        chain = intercept.generate(jobs=4, page_size=2)
        with pytest.raises(UnStubbedResponseError, match=r"next queued: call 0 of chain"):
            MODULE_CLIENT.list_branches(appId=chain.app_id)
        intercept._queues.clear()


def test_parameters_are_checked_like_the_stubber_path() -> None:
    with AmplifyIntercept() as intercept:
        chain = intercept.generate(jobs=4, page_size=2, max_results=2)
        with pytest.raises(StubAssertionError) as info:
            MODULE_CLIENT.list_jobs(appId=chain.app_id, branchName=chain.branch_name, maxResults=5)
        assert str(info.value).splitlines()[1:] == ["  maxResults: expected 2, got 5"]
        intercept._queues.clear()


def test_responses_are_copies() -> None:
    with AmplifyIntercept() as intercept:
        chain = intercept.generate(jobs=2, page_size=1)
        page = MODULE_CLIENT.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
        page["jobSummaries"][0]["status"] = "MUTATED"
        MODULE_CLIENT.list_jobs(
            appId=chain.app_id, branchName=chain.branch_name, nextToken=chain.tokens[0]
        )
    assert chain.jobs[0]["status"] != "MUTATED"
    assert chain.pages[0]["jobSummaries"][0]["status"] != "MUTATED"


def test_leaving_restores_everything_even_on_exception() -> None:
    def fails_inside() -> None:
        with AmplifyIntercept() as intercept:
            intercept.generate(jobs=1)
            raise KeyError("boom")

    with pytest.raises(KeyError):
        fails_inside()
    assert botocore.client.BaseClient._make_api_call is ORIGINAL
    # The module client carries no handler of ours any more: a Stubber serves it normally.
    chain = generate_chain(jobs=1)
    with stub_list_jobs(chain, client=MODULE_CLIENT) as c:
        c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)


def test_nesting_and_many_in_a_row() -> None:
    for _ in range(3):
        with AmplifyIntercept() as outer:
            outer_chain = outer.generate(jobs=1)
            with AmplifyIntercept() as inner:
                inner_chain = inner.generate(jobs=1)
                page = MODULE_CLIENT.list_jobs(
                    appId=inner_chain.app_id, branchName=inner_chain.branch_name
                )
                assert page["jobSummaries"] == list(inner_chain.jobs)
            assert botocore.client.BaseClient._make_api_call is not ORIGINAL
            page = MODULE_CLIENT.list_jobs(
                appId=outer_chain.app_id, branchName=outer_chain.branch_name
            )
            assert page["jobSummaries"] == list(outer_chain.jobs)
        assert botocore.client.BaseClient._make_api_call is ORIGINAL


def test_other_services_are_untouched() -> None:
    s3 = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with AmplifyIntercept(), Stubber(s3) as stubber:
        stubber.add_response("list_buckets", {"Buckets": []})
        assert s3.list_buckets()["Buckets"] == []


def test_stub_list_jobs_intercept_and_its_pending_check() -> None:
    chain = generate_chain(jobs=5, page_size=2)
    with stub_list_jobs(chain, intercept=True):
        assert list_branch_with(MODULE_CLIENT, chain) == list(chain.jobs)
    with pytest.raises(AssertionError, match="3 queued call\\(s\\) were never made"):
        with stub_list_jobs(chain, intercept=True):
            pass
    assert botocore.client.BaseClient._make_api_call is ORIGINAL


def list_branch_with(client: Any, chain: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_jobs").paginate(
        appId=chain.app_id, branchName=chain.branch_name
    )
    return [job for page in pages for job in page["jobSummaries"]]


def test_the_fixture_with_marker_and_teardown_check(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3
import pytest

CLIENT = boto3.client("amplify", region_name="us-east-1")

def list_branch(app_id, branch):
    pages = boto3.client("amplify", region_name="us-east-1").get_paginator("list_jobs").paginate(
        appId=app_id, branchName=branch)
    return [job for page in pages for job in page["jobSummaries"]]

@pytest.mark.amplify_jobs(jobs=9, page_size=4)
def test_served(amplify_intercept):
    chain = amplify_intercept.generate()
    assert list_branch(chain.app_id, chain.branch_name) == list(chain.jobs)
    assert len(amplify_intercept.calls) == 3

def test_module_client(amplify_intercept):
    chain = amplify_intercept.generate(jobs=2)
    CLIENT.list_jobs(appId=chain.app_id, branchName=chain.branch_name)

def test_pending(amplify_intercept):
    amplify_intercept.generate(jobs=4, page_size=2)

def test_unqueued(amplify_intercept):
    CLIENT.get_app(appId="d1")
"""
    )
    result = pytester.runpytest_subprocess("--disable-socket", "-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_pending*",
            "*2 queued call(s) were never made:*",
            "*get_app(appId='d1') was not queued in pytest-amplify-jobs intercept mode*",
            "*- amplify-jobs -*",
        ]
    )


def test_errors_are_the_same_on_both_paths() -> None:
    chain = generate_chain(jobs=2, page_size=1, error="BadRequestException", error_at=1)
    responses = []
    for intercept in (False, True):
        with stub_list_jobs(chain, client=MODULE_CLIENT, intercept=intercept) as c:
            c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
            with pytest.raises(c.exceptions.BadRequestException) as info:
                c.list_jobs(
                    appId=chain.app_id, branchName=chain.branch_name, nextToken=chain.tokens[0]
                )
            responses.append(info.value.response)
    assert responses[0] == responses[1]
    assert (
        responses[0]["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"]
        == "BadRequestException:"
    )

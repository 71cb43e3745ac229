"""The Stubber behaviour every path shares: parameter checks, copies, pagination, errors."""

from __future__ import annotations

from typing import Any

import botocore.compat
import pytest
from botocore.exceptions import ClientError, StubAssertionError
from botocore.stub import Stubber

from pytest_amplify_jobs import (
    InvalidListJobsResponse,
    ListJobsChain,
    generate_chain,
    stub_list_jobs,
)
from pytest_amplify_jobs._client import make_client
from pytest_amplify_jobs._stubbing import AmplifyStub
from tests.helpers import client


def _listing(c: Any, chain: ListJobsChain, **extra: Any) -> list[dict[str, Any]]:
    kwargs: dict[str, Any] = {"appId": chain.app_id, "branchName": chain.branch_name, **extra}
    jobs: list[dict[str, Any]] = []
    while True:
        page = c.list_jobs(**kwargs)
        jobs += page["jobSummaries"]
        if "nextToken" not in page:
            return jobs
        kwargs["nextToken"] = page["nextToken"]


def test_add_to_works_on_any_plain_stubber() -> None:
    chain = generate_chain(jobs=7, page_size=3)
    c = make_client()
    with Stubber(c) as stubber:
        assert chain.add_to(stubber) is chain
        assert _listing(c, chain) == list(chain.jobs)
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("sent", [None, 0, 3, 50])
def test_max_results_none_accepts_any_value_or_none(sent: int | None) -> None:
    chain = generate_chain(jobs=5, page_size=3)
    extra = {} if sent is None else {"maxResults": sent}
    with stub_list_jobs(chain, client=client()) as c:
        assert _listing(c, chain, **extra) == list(chain.jobs)


def test_max_results_set_is_checked_and_named() -> None:
    chain = generate_chain(jobs=5, max_results=3)
    with stub_list_jobs(
        chain, client=client(), assert_all_consumed=False, assert_no_refused_calls=False
    ) as c:
        with pytest.raises(StubAssertionError) as info:
            c.list_jobs(appId=chain.app_id, branchName=chain.branch_name, maxResults=4)
    message = str(info.value)
    assert "maxResults: expected 3, got 4" in message
    assert "appId" not in message  # only the differing parameter, not two dict dumps
    with stub_list_jobs(
        chain, client=client(), assert_all_consumed=False, assert_no_refused_calls=False
    ) as c:
        with pytest.raises(StubAssertionError, match="maxResults: expected 3, got <not sent>"):
            c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)


def test_a_mismatch_names_each_differing_parameter() -> None:
    chain = generate_chain(jobs=4, page_size=2)
    with stub_list_jobs(
        chain, client=client(), assert_all_consumed=False, assert_no_refused_calls=False
    ) as c:
        c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
        with pytest.raises(StubAssertionError) as info:
            c.list_jobs(appId=chain.app_id, branchName="other", nextToken="stale")
    lines = str(info.value).splitlines()
    assert "call 1 of chain" in lines[0] and "page 2 of 2" in lines[0]
    assert lines[1] == f"  branchName: expected {chain.branch_name!r}, got 'other'"
    assert lines[2].startswith("  nextToken: expected 'AAAAA") and lines[2].endswith("got 'stale'")
    assert len(lines) == 3


def test_responses_are_copies() -> None:
    chain = generate_chain(jobs=6, page_size=2)
    before = [dict(job) for job in chain.jobs]
    with stub_list_jobs(chain, client=client()) as c:
        first = c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
        first["jobSummaries"][0]["status"] = "MUTATED"
        first["jobSummaries"].clear()
        paginator = c.get_paginator("list_jobs")
        result = paginator.paginate(
            appId=chain.app_id,
            branchName=chain.branch_name,
            PaginationConfig={"StartingToken": chain.pages[0]["nextToken"]},
        ).build_full_result()  # merges pages into the first one: mutates it
    assert [dict(j) for j in chain.jobs] == before
    assert len(chain.pages[0]["jobSummaries"]) == 2
    assert result["jobSummaries"] == list(chain.jobs[2:])


def test_paginator_page_size_max_items_and_starting_token() -> None:
    chain = generate_chain(jobs=10, page_size=4)
    with stub_list_jobs(chain, client=client()) as c:
        paginator = c.get_paginator("list_jobs")
        first = paginator.paginate(
            appId=chain.app_id,
            branchName=chain.branch_name,
            PaginationConfig={"PageSize": 4, "MaxItems": 4},
        ).build_full_result()
        assert first["jobSummaries"] == list(chain.jobs[:4])
        rest = paginator.paginate(
            appId=chain.app_id,
            branchName=chain.branch_name,
            PaginationConfig={"PageSize": 4, "StartingToken": first["NextToken"]},
        ).build_full_result()
        assert rest["jobSummaries"] == list(chain.jobs[4:])


def test_errors_surface_as_the_modeled_exception() -> None:
    chain = generate_chain(jobs=4, page_size=2, error="LimitExceededException", error_at=1)
    with stub_list_jobs(chain, client=client()) as c:
        c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
        with pytest.raises(c.exceptions.LimitExceededException) as info:
            c.list_jobs(appId=chain.app_id, branchName=chain.branch_name, nextToken=chain.tokens[0])
    response = info.value.response
    quota = "A service quota of Amplify was exceeded by ListJobs."
    assert response["Error"] == {"Code": "LimitExceededException", "Message": quota}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["ResponseMetadata"]["RequestId"]
    assert response["message"] == quota
    assert isinstance(info.value, ClientError)


def test_stub_list_jobs_reports_pending_calls_with_their_tokens() -> None:
    chain = generate_chain(jobs=6, page_size=2)
    with pytest.raises(AssertionError) as info:
        with stub_list_jobs(chain, client=client()) as c:
            c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    message = str(info.value)
    assert message.startswith("2 queued call(s) were never made:")
    assert "call 1 of chain" in message and "page 2 of 3" in message
    assert f"nextToken={chain.tokens[0][:10]}" in message.replace("'", "")
    assert "assert_all_consumed=False" in message


def test_stub_list_jobs_does_not_mask_the_tests_own_error() -> None:
    chain = generate_chain(jobs=6, page_size=2)
    with pytest.raises(KeyError):
        with stub_list_jobs(chain, client=client()):
            raise KeyError("the test's own failure")


def test_hand_built_pages_are_validated_before_queueing() -> None:
    good = generate_chain(jobs=2)
    page = {"jobSummaries": [{**good.jobs[0], "jobId": "abc"}]}
    chain = ListJobsChain(app_id=good.app_id, branch_name=good.branch_name, pages=[page])
    with pytest.raises(
        InvalidListJobsResponse, match=r"pages\[0\]\.jobSummaries\[0\]\.jobId: 'abc'"
    ):
        chain.add_to(Stubber(client()))


def test_hand_built_chain_serves_like_a_generated_one() -> None:
    job = generate_chain(jobs=1).jobs[0]
    page = {"jobSummaries": [job]}
    chain = ListJobsChain(app_id="d1", branch_name="main", pages=[page], max_results=10)
    with stub_list_jobs(chain, client=client()) as c:
        assert c.list_jobs(appId="d1", branchName="main", maxResults=10)["jobSummaries"] == [job]


def test_list_jobs_stub_records_calls_and_reports() -> None:
    c = make_client()
    with Stubber(c) as stubber:
        stub = AmplifyStub(c, stubber, seed=99, defaults={"page_size": 2})
        chain = stub.generate(jobs=3)
        assert chain == generate_chain(jobs=3, page_size=2, seed=99, region="us-east-1")
        c.list_jobs(appId=chain.app_id, branchName=chain.branch_name, maxResults=2)
        assert stub.calls == [
            {"appId": chain.app_id, "branchName": chain.branch_name, "maxResults": 2}
        ]
        report = stub.report()
        assert "seed: 99 (generated with [99])" in report
        assert "2 pages, 3 jobs, page_size 2" in report
        assert "calls made (1):" in report and "calls pending (1):" in report
        with pytest.raises(TypeError, match="unknown keyword argument\\(s\\) job; allowed: jobs"):
            stub.generate(job=3)
        with pytest.raises(TypeError, match="must be a ListJobsChain"):
            stub.add({"pages": []})  # type: ignore[arg-type]


def test_the_client_ignores_the_users_aws_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\nendpoint_url = http://10.1.2.3\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKING000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://10.1.2.3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "sa-east-1")
    from pytest_amplify_jobs import _client

    _client._isolated_session.cache_clear()
    c = make_client("eu-west-1")
    assert c.meta.region_name == "eu-west-1"
    assert c.meta.endpoint_url == "https://amplify.eu-west-1.amazonaws.com"
    credentials = c._request_signer._credentials
    assert credentials.access_key == "testing"


def test_timestamps_stay_aware_through_the_stubber() -> None:
    chain = generate_chain(jobs=2)
    with stub_list_jobs(chain, client=client()) as c:
        page = c.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    # Aware, in the zone botocore's parser hands timestamps out in (tzlocal()), with the
    # milliseconds the service sends.
    zone = botocore.compat.get_tzinfo_options()[0]
    assert all(type(j["startTime"].tzinfo) is zone for j in page["jobSummaries"])
    assert all(j["startTime"].microsecond % 1000 == 0 for j in page["jobSummaries"])


def test_add_client_error_takes_a_message_as_fail_does() -> None:
    c = make_client()
    with Stubber(c) as stubber:
        stub = AmplifyStub(c, stubber)
        throttled = stub.add_client_error("StartJob", "BadRequestException")
        given = stub.add_client_error("GetJob", "BadRequestException", message="Invalid jobId.")
        botocores = stub.add_client_error("GetJob", "BadRequestException", "Invalid jobId.")
        with pytest.raises(c.exceptions.BadRequestException) as info:
            c.start_job(appId="d1abc", branchName="main", jobType="RELEASE")
        for _ in range(2):
            with pytest.raises(
                c.exceptions.BadRequestException, match=r"operation: Invalid jobId\.$"
            ):
                c.get_job(appId="d1abc", branchName="main", jobId="1")
    # Without one, a BadRequestException is the service's rate limit for the operation.
    assert info.value.response["Error"]["Message"] == (
        "Rate exceeded while calling StartJob, please slow down or try again later."
    )
    assert throttled["Error"]["Message"] == info.value.response["Error"]["Message"]
    assert (
        given["Error"]
        == botocores["Error"]
        == {
            "Message": "Invalid jobId.",
            "Code": "BadRequestException",
        }
    )
    assert given["message"] == "Invalid jobId."  # the modeled member, as botocore parses it


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"service_message": "one", "message": "two"},
            ValueError,
            r"^message='two' and service_message='one' both give the error's text; give one of "
            r"them$",
        ),
        ({"message": 3}, TypeError, r"^message=3 must be a string or None$"),
    ],
)
def test_add_client_error_refuses_two_messages_or_a_bad_one(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    c = make_client()
    with Stubber(c) as stubber:
        stub = AmplifyStub(c, stubber)
        with pytest.raises(error, match=match):
            stub.add_client_error("GetJob", "BadRequestException", **kwargs)
        assert stub.pending() == []

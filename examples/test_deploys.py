"""Tests of deploys.py with pytest-amplify-jobs: fixtures, the marker, and @given."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from deploys import failure_report, latest_successful_deploy, list_all_jobs, list_jobs_patiently
from hypothesis import given

from pytest_amplify_jobs import stub_list_jobs
from pytest_amplify_jobs.strategies import list_jobs_chains


def test_lists_every_job(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=120, page_size=50)
    jobs = list_all_jobs(list_jobs_stub.client, chain.app_id, chain.branch_name)
    assert jobs == list(chain.jobs)
    assert [c.get("nextToken") for c in list_jobs_stub.calls] == [None, *chain.tokens]


@pytest.mark.amplify_jobs(jobs=40, page_size=10, assert_all_consumed=False)
def test_latest_success_stops_listing_early(list_jobs_stub):
    chain = list_jobs_stub.generate()
    expected = next((j for j in chain.jobs if j["status"] == "SUCCEED"), None)
    found = latest_successful_deploy(list_jobs_stub.client, chain.app_id, chain.branch_name)
    assert found == expected


@pytest.mark.amplify_jobs(jobs=60, page_size=25)
def test_failure_report_counts_failed_builds(list_jobs_stub):
    chain = list_jobs_stub.generate()
    report = failure_report(list_jobs_stub.client, chain.app_id, chain.branch_name)
    assert report["failed"] == sum(j["status"] == "FAILED" for j in chain.jobs)


def test_throttled_first_call_is_retried(list_jobs_stub):
    # Amplify's rate limit: BadRequestException "Rate exceeded while calling ListJobs, ..."
    throttled = list_jobs_stub.generate(jobs=0, error="BadRequestException", error_at=0)
    listing = list_jobs_stub.generate(
        jobs=7, page_size=3, app_id=throttled.app_id, branch_name=throttled.branch_name
    )
    sleeps: list[float] = []
    jobs = list_jobs_patiently(
        list_jobs_stub.client, listing.app_id, listing.branch_name, sleep=sleeps.append
    )
    assert jobs == list(listing.jobs)
    assert sleeps == [1]
    assert len(list_jobs_stub.calls) == 1 + len(listing.pages)


def test_gives_up_after_the_last_attempt(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=0, error="BadRequestException", error_at=0)
    with pytest.raises(ClientError, match="Rate exceeded while calling ListJobs"):
        list_jobs_patiently(list_jobs_stub.client, chain.app_id, chain.branch_name, attempts=1)


@given(list_jobs_chains(max_jobs=30))
def test_any_branch_lists_completely(chain):
    with stub_list_jobs(chain) as client:
        assert list_all_jobs(
            client, chain.app_id, chain.branch_name, page_size=chain.page_size
        ) == list(chain.jobs)


@given(list_jobs_chains(max_jobs=20, errors=["BadRequestException"]))
def test_patient_listing_never_loses_jobs(chain):
    with stub_list_jobs(chain) as client:
        try:
            jobs = list_jobs_patiently(client, chain.app_id, chain.branch_name, attempts=1)
        except ClientError as error:
            assert chain.error is not None
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        else:
            assert chain.error is None
            assert jobs == list(chain.jobs)

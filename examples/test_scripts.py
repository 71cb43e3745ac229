"""Code that builds its own client, as scripts do: intercept mode and the fake service."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from deploys import (
    count_failures,
    list_all_jobs,
    list_jobs_patiently,
    new_client,
    wait_for_deploy,
)


@pytest.fixture(autouse=True)
def _region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.mark.amplify_jobs(jobs=75, page_size=50)
def test_count_failures_with_its_own_client(amplify_intercept):
    chain = amplify_intercept.generate()
    expected = sum(j["status"] == "FAILED" for j in chain.jobs)
    assert count_failures(chain.app_id, chain.branch_name) == expected


def test_waits_until_the_deploy_succeeds(amplify_fake):
    amplify_fake.add_branch(app_id="d1deployapp01", branch_name="main", jobs=10, finished=True)
    job = amplify_fake.add_job("d1deployapp01", "main", status="PENDING")
    amplify_fake.advance(job, "RUNNING", after_calls=1)
    amplify_fake.advance(job, "SUCCEED", after_calls=4)
    naps: list[float] = []
    assert wait_for_deploy("d1deployapp01", "main", sleep=naps.append) == "SUCCEED"
    # after_calls=4: four polls see the build unfinished (one nap after each), the fifth SUCCEED.
    assert len(naps) == 4


def test_a_failed_deploy_is_reported(amplify_fake):
    amplify_fake.add_branch(app_id="d1deployapp01", branch_name="main", jobs=3, finished=True)
    job = amplify_fake.add_job("d1deployapp01", "main", status="RUNNING")
    amplify_fake.advance(job, "FAILED", after_calls=2)
    assert wait_for_deploy("d1deployapp01", "main", sleep=lambda s: None) == "FAILED"


def test_botocore_retries_do_not_cover_the_rate_limit(amplify_fake):
    # Amplify throttles with a 400 BadRequestException ("Rate exceeded while calling ListJobs,
    # please slow down or try again later."): botocore retries it in neither retry mode.
    amplify_fake.add_branch(app_id="d1deployapp01", branch_name="main", jobs=120)
    amplify_fake.throttle(operation="ListJobs")
    client = new_client(config=Config(retries={"mode": "standard", "max_attempts": 3}))
    with pytest.raises(ClientError, match="Rate exceeded while calling ListJobs"):
        list_all_jobs(client, "d1deployapp01", "main")
    assert [r.status for r in amplify_fake.requests] == [400]  # one attempt, no retry


def test_listing_survives_the_rate_limit_by_retrying_it(amplify_fake):
    history = amplify_fake.add_branch(app_id="d1deployapp01", branch_name="main", jobs=120)
    amplify_fake.throttle(operation="ListJobs", times=2)
    naps: list[float] = []
    assert list_jobs_patiently(new_client(), "d1deployapp01", "main", sleep=naps.append) == history
    assert naps == [1, 2]  # its own growing pause between attempts
    assert [r.status for r in amplify_fake.requests][:3] == [400, 400, 200]

"""A hand-written ListJobs page, checked strictly before it is trusted in a test."""

from __future__ import annotations

import datetime as dt

import pytest

from pytest_amplify_jobs import InvalidListJobsResponse, validate_list_jobs_response

UTC = dt.timezone.utc

PAGE = {
    "jobSummaries": [
        {
            "jobArn": "arn:aws:amplify:us-east-1:123456789012:apps/d2x7kq9m3n4p5r/branches/main/jobs/0000000002",
            "jobId": "2",
            "commitId": "9fceb02d0ae598e95dc970b74767f19372d61af8",
            "commitMessage": "Add checkout page",
            "commitTime": dt.datetime(2024, 5, 2, 9, 0, tzinfo=UTC),
            "startTime": dt.datetime(2024, 5, 2, 9, 0, 4, tzinfo=UTC),
            "endTime": dt.datetime(2024, 5, 2, 9, 3, 41, tzinfo=UTC),
            "status": "SUCCEED",
            "jobType": "WEB_HOOK",
        }
    ]
}


def test_our_fixture_page_is_valid() -> None:
    validate_list_jobs_response(PAGE)


def test_a_typo_in_a_status_is_caught() -> None:
    broken = {"jobSummaries": [{**PAGE["jobSummaries"][0], "status": "SUCCEEDED"}]}
    with pytest.raises(InvalidListJobsResponse, match=r"jobSummaries\[0\]\.status: 'SUCCEEDED'"):
        validate_list_jobs_response(broken)

"""Checks shared by the tests: strict validity, real botocore round trips, coherence rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError
from botocore.stub import Stubber

from pytest_amplify_jobs import ListJobsChain, _model, stub_list_jobs, validate_list_jobs_response
from pytest_amplify_jobs._stubbing import make_client

UTC = dt.timezone.utc
_CLIENT = None


def client() -> Any:
    """One client for the whole session: creating one per Hypothesis example is slow."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = make_client()
    return _CLIENT


def paginate_all(chain: ListJobsChain, **config: Any) -> list[dict[str, Any]]:
    """Every job a real botocore paginator returns for the chain, via stub_list_jobs."""
    with stub_list_jobs(chain, client=client()) as c:
        paginator = c.get_paginator("list_jobs")
        pages = paginator.paginate(
            appId=chain.app_id, branchName=chain.branch_name, PaginationConfig=config
        )
        return [job for page in pages for job in page["jobSummaries"]]


def assert_chain_ok(chain: ListJobsChain) -> None:
    """Strictly valid, accepted by a real Stubber, and a real paginator returns chain.jobs."""
    m = _model.model()
    for page in chain.pages:
        validate_list_jobs_response(page)
    assert chain.violations() == []
    # botocore's own Stubber validation, on a plain Stubber.
    plain = Stubber(client())
    for page in chain.pages:
        plain.add_response("list_jobs", page)
    tokens = chain.tokens
    assert len(set(tokens)) == len(tokens)
    assert all(0 < len(t) <= m.token_max for t in tokens)
    if chain.error is None:
        assert m.output_token not in chain.pages[-1]
        assert paginate_all(chain) == list(chain.jobs)
    else:
        assert chain.error.http_status == m.errors[chain.error.code]
        try:
            paginate_all(chain)
        except ClientError as error:
            assert error.response["Error"]["Code"] == chain.error.code
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == chain.error.http_status
        else:
            raise AssertionError("the chain's error was not raised")


def assert_coherent_history(jobs: Sequence[dict[str, Any]], *, full: bool = True) -> None:
    """Every coherence rule of a realistic branch history, newest first."""
    m = _model.model()
    if not jobs:
        return
    ids = [int(j["jobId"]) for j in jobs]
    top = ids[0]
    assert ids == list(range(top, top - len(ids), -1)), ids
    if full:
        assert ids[-1] == 1
    arn = re.compile(
        r"arn:aws[a-z-]*:amplify:[a-z0-9-]+:\d{12}:apps/(?P<app>d[a-z0-9]+)/branches/(?P<branch>.+)"
        r"/jobs/(?P<id>\d{10})"
    )
    owners = set()
    phase_allows_queued = True
    for index, job in enumerate(jobs):
        match = arn.fullmatch(job["jobArn"])
        assert match, job["jobArn"]
        assert int(match["id"]) == int(job["jobId"])
        owners.add(
            (
                match["app"],
                match["branch"],
                job["jobArn"].split(":")[3],
                job["jobArn"].split(":")[4],
            )
        )
        for key in ("commitTime", "startTime", "endTime"):
            if key in job:
                assert job[key].utcoffset() == dt.timedelta(0), (key, job[key])
        assert job["commitTime"] <= job["startTime"]
        status = job["status"]
        if status in m.finished_statuses:
            assert job["endTime"] >= job["startTime"]
            phase_allows_queued = False
        else:
            assert "endTime" not in job
            if status in m.building_statuses:
                assert phase_allows_queued, (
                    f"second building job or building below finished: {index}"
                )
                phase_allows_queued = False
            else:
                assert status in m.queued_statuses
                assert phase_allows_queued, f"queued job {job['jobId']} older than a build"
        if job["jobType"] == m.manual_job_type:
            assert job["commitId"] == "HEAD"
            assert "sourceUrl" in job and job["sourceUrlType"] in m.source_url_types
        else:
            assert "sourceUrl" not in job
            assert re.fullmatch(r"[0-9a-f]{40}|HEAD", job["commitId"])
        if index + 1 < len(jobs):
            older = jobs[index + 1]
            assert older["startTime"] < job["startTime"]
            assert older.get("endTime", older["startTime"]) <= job["startTime"]
            if job["jobType"] == m.retry_job_type:
                assert job["commitId"] == older["commitId"]
    assert len(owners) == 1, owners

"""Code a team really has: questions about an Amplify branch's deploys, answered by ListJobs."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError


def new_client(**kwargs: Any) -> Any:
    """A client the way scripts build one (boto3.client("amplify") does the same)."""
    import botocore.session

    return botocore.session.get_session().create_client("amplify", **kwargs)


def list_all_jobs(
    client: Any, app_id: str, branch: str, *, page_size: int = 50
) -> list[dict[str, Any]]:
    """Every job of a branch, newest first, through botocore's paginator."""
    paginator = client.get_paginator("list_jobs")
    pages = paginator.paginate(
        appId=app_id, branchName=branch, PaginationConfig={"PageSize": page_size}
    )
    return [job for page in pages for job in page["jobSummaries"]]


def latest_successful_deploy(client: Any, app_id: str, branch: str) -> dict[str, Any] | None:
    """The newest job that succeeded; stops listing as soon as it is found."""
    kwargs: dict[str, Any] = {"appId": app_id, "branchName": branch}
    while True:
        page = client.list_jobs(**kwargs)
        for job in page["jobSummaries"]:
            if job["status"] == "SUCCEED":
                return job
        token = page.get("nextToken")
        if not token:
            return None
        kwargs["nextToken"] = token


def failure_report(client: Any, app_id: str, branch: str) -> dict[str, Any]:
    """How many builds failed, by job type, and the slowest failure in seconds."""
    failed = [j for j in list_all_jobs(client, app_id, branch) if j["status"] == "FAILED"]
    # The service leaves jobType out of manual deploys and of releases of HEAD: the plugin's
    # generated pages found the KeyError that j["jobType"] raised here.
    by_type = collections.Counter(j.get("jobType", "UNKNOWN") for j in failed)
    slowest = max(((j["endTime"] - j["startTime"]).total_seconds() for j in failed), default=0.0)
    return {"failed": len(failed), "by_type": dict(by_type), "slowest_seconds": slowest}


def is_rate_limited(error: ClientError) -> bool:
    """Whether the service throttled the call (a 400 botocore does not retry)."""
    details = error.response["Error"]
    return details["Code"] == "BadRequestException" and details.get("Message", "").startswith(
        "Rate exceeded"
    )


def list_jobs_patiently(
    client: Any,
    app_id: str,
    branch: str,
    *,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """All jobs, retrying a page the service throttles with a growing pause.

    Amplify throttles with a BadRequestException "Rate exceeded while calling ListJobs, please
    slow down or try again later." (HTTP 400), which botocore does not retry.
    """
    jobs: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"appId": app_id, "branchName": branch}
    while True:
        for attempt in range(attempts):
            try:
                page = client.list_jobs(**kwargs)
                break
            except ClientError as error:
                if not is_rate_limited(error):
                    raise
                if attempt == attempts - 1:
                    raise
                sleep(2**attempt)
        jobs.extend(page["jobSummaries"])
        token = page.get("nextToken")
        if not token:
            return jobs
        kwargs["nextToken"] = token


def wait_for_deploy(
    app_id: str,
    branch: str,
    *,
    client: Any = None,
    polls: int = 60,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Poll until the newest job of a branch finishes; return its final status.

    Builds its own client unless one is given, as deploy scripts do.
    """
    client = client or new_client()
    for _ in range(polls):
        newest = client.list_jobs(appId=app_id, branchName=branch, maxResults=1)["jobSummaries"][0]
        if newest["status"] in ("SUCCEED", "FAILED", "CANCELLED"):
            return str(newest["status"])
        sleep(5)
    raise TimeoutError(f"job {newest['jobId']} of {app_id}/{branch} still {newest['status']}")


def count_failures(app_id: str, branch: str) -> int:
    """A reporting script: builds its own client and lists everything."""
    client = new_client()
    return sum(job["status"] == "FAILED" for job in list_all_jobs(client, app_id, branch))

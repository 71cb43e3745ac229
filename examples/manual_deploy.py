"""A manual deploy, as teams script it for apps without a repository: create a deployment, PUT
the zip to the URL Amplify hands out, start the deployment, wait for the job, print the log of a
failed step.

Amplify throttles with a 400 BadRequestException ("Rate exceeded while calling ...") that
botocore does not retry, so the calls here retry it themselves.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from typing import Any

FINISHED = ("SUCCEED", "FAILED", "CANCELLED")


def patiently(
    call: Callable[..., Any],
    *,
    attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
    **params: Any,
) -> Any:
    """``call(**params)``, retrying Amplify's rate limit with a growing pause."""
    for attempt in range(attempts):
        try:
            return call(**params)
        except Exception as error:  # botocore's ClientError, without importing botocore here
            details = getattr(error, "response", {}).get("Error", {})
            throttled = details.get("Code") == "BadRequestException" and str(
                details.get("Message", "")
            ).startswith("Rate exceeded")
            if not throttled or attempt == attempts - 1:
                raise
            sleep(2**attempt)
    raise AssertionError("unreachable")


def manual_deploy(
    client: Any,
    app_id: str,
    branch: str,
    archive: bytes,
    *,
    polls: int = 60,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> str:
    """Deploy ``archive`` (a zip) to ``branch``; return the job's final status."""
    # A deployment left unfinished blocks the next one: stop it first, as AWS's FAQ says.
    for job in patiently(client.list_jobs, appId=app_id, branchName=branch, sleep=sleep)[
        "jobSummaries"
    ]:
        if job["status"] in ("CREATED", "PENDING"):
            client.stop_job(appId=app_id, branchName=branch, jobId=job["jobId"])
    created = patiently(client.create_deployment, appId=app_id, branchName=branch, sleep=sleep)
    upload = urllib.request.Request(created["zipUploadUrl"], data=archive, method="PUT")
    with urllib.request.urlopen(upload, timeout=60) as answer:
        if answer.status != 200:
            raise RuntimeError(f"upload failed: HTTP {answer.status}")
    job_id = created["jobId"]
    patiently(client.start_deployment, appId=app_id, branchName=branch, jobId=job_id, sleep=sleep)
    status = "PENDING"
    for _ in range(polls):
        job = patiently(client.get_job, appId=app_id, branchName=branch, jobId=job_id, sleep=sleep)[
            "job"
        ]
        status = job["summary"]["status"]
        if status in FINISHED:
            break
        sleep(5)
    say(f"job {job_id}: {status}")
    if status == "FAILED":
        for step in job["steps"]:
            if step["status"] == "FAILED" and "logUrl" in step:
                with urllib.request.urlopen(step["logUrl"], timeout=60) as log:
                    say(log.read().decode())
    return str(status)

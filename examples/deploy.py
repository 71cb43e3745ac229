"""A deploy script a team really has: start a build of a branch, wait until it finishes.

Run it as ``python deploy.py APP_ID BRANCH`` (exit status 0 when the build succeeded), or call
:func:`deploy` from other code. It honours ``AWS_ENDPOINT_URL_AMPLIFY`` like every botocore
program, which is how ``fake.serve()`` answers it when it runs as a subprocess.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

FINISHED = ("SUCCEED", "FAILED", "CANCELLED")


def new_client() -> Any:
    import botocore.session

    return botocore.session.get_session().create_client("amplify")


def deploy(
    app_id: str,
    branch: str,
    *,
    client: Any = None,
    reason: str = "deploy.py",
    polls: int = 60,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = print,
) -> str:
    """Start a RELEASE job, then poll GetJob until it finishes; return its final status."""
    client = client or new_client()
    job = client.start_job(appId=app_id, branchName=branch, jobType="RELEASE", jobReason=reason)
    job_id = job["jobSummary"]["jobId"]
    say(f"started job {job_id}")
    status = job["jobSummary"]["status"]
    for _ in range(polls):
        if status in FINISHED:
            break
        sleep(5)
        got = client.get_job(appId=app_id, branchName=branch, jobId=job_id)["job"]
        status = got["summary"]["status"]
        say(f"job {job_id}: {status}")
    if status in FINISHED:
        steps = client.get_job(appId=app_id, branchName=branch, jobId=job_id)["job"]["steps"]
        say("steps: " + ", ".join(f"{s['stepName']}={s['status']}" for s in steps))
    return str(status)


def main(argv: list[str]) -> int:
    app_id, branch = argv
    return 0 if deploy(app_id, branch, sleep=lambda _: None) == "SUCCEED" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

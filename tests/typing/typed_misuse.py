"""Must NOT type-check: proves the typing test can fail."""

from __future__ import annotations

from mypy_boto3_amplify.type_defs import JobSummaryTypeDef

from pytest_amplify_jobs import JobSummary


def wants_summary(job: JobSummaryTypeDef) -> None:
    pass


def misuse(job: JobSummary) -> None:
    wants_summary({"jobId": "1"})
    status: int = job["status"]
    del status

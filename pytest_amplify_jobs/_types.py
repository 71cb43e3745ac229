"""Public TypedDicts for ListJobs data.

They match types-boto3 / mypy-boto3 ``JobSummaryTypeDef`` and ``ListJobsResultTypeDef`` key for
key, so values annotated with them are accepted where those are expected (a mypy check in the
test suite proves it). Static types cannot be read from the botocore model at run time, so the
``Literal`` enums below are the one place that spells enum values out; a test compares them
with the installed model, so drift fails the build instead of going unnoticed.
"""

from __future__ import annotations

import datetime
from typing import Literal, TypedDict

__all__ = [
    "JobStatus",
    "JobSummary",
    "JobType",
    "ListJobsPage",
    "ResponseMetadata",
    "SourceUrlType",
]

JobStatus = Literal[
    "CANCELLED", "CANCELLING", "CREATED", "FAILED", "PENDING", "PROVISIONING", "RUNNING", "SUCCEED"
]
JobType = Literal["MANUAL", "RELEASE", "RETRY", "WEB_HOOK"]
SourceUrlType = Literal["BUCKET_PREFIX", "ZIP"]


class _ResponseMetadataRequired(TypedDict):
    RequestId: str
    HTTPStatusCode: int
    HTTPHeaders: dict[str, str]
    RetryAttempts: int


class ResponseMetadata(_ResponseMetadataRequired, total=False):
    """``ResponseMetadata`` as botocore adds it to every response."""

    HostId: str


class _JobSummaryRequired(TypedDict):
    jobArn: str
    jobId: str
    commitId: str
    commitMessage: str
    commitTime: datetime.datetime
    startTime: datetime.datetime
    status: JobStatus
    jobType: JobType


class JobSummary(_JobSummaryRequired, total=False):
    """One ``jobSummaries`` entry of a ListJobs response."""

    endTime: datetime.datetime
    sourceUrl: str
    sourceUrlType: SourceUrlType


class _ListJobsPageRequired(TypedDict):
    jobSummaries: list[JobSummary]
    ResponseMetadata: ResponseMetadata


class ListJobsPage(_ListJobsPageRequired, total=False):
    """One complete ListJobs response, as ``client.list_jobs`` returns it."""

    nextToken: str

"""Type-checked by tests/test_types.py: our TypedDicts are accepted where the stubs' are."""

from __future__ import annotations

from mypy_boto3_amplify.type_defs import JobSummaryTypeDef, ListJobsResultTypeDef
from types_boto3_amplify.type_defs import JobSummaryTypeDef as TypesJobSummaryTypeDef
from types_boto3_amplify.type_defs import ListJobsResultTypeDef as TypesListJobsResultTypeDef

from pytest_amplify_jobs import JobSummary, ListJobsChain, ListJobsPage, generate_chain


def wants_summary(job: JobSummaryTypeDef) -> str:
    return job["status"]


def wants_page(page: ListJobsResultTypeDef) -> int:
    return len(page["jobSummaries"])


def wants_types_page(page: TypesListJobsResultTypeDef) -> int:
    return len(page["jobSummaries"])


def wants_types_summary(job: TypesJobSummaryTypeDef) -> str:
    return job["jobId"]


def from_boto3(page: ListJobsResultTypeDef) -> ListJobsPage:
    return page  # what boto3 returns is one of ours too


def use(chain: ListJobsChain) -> None:
    page: ListJobsPage = chain.pages[0]
    job: JobSummary = chain.jobs[0]
    wants_page(page)
    wants_types_page(page)
    wants_summary(job)
    wants_types_summary(job)
    summaries: list[JobSummaryTypeDef] = page["jobSummaries"]
    del summaries
    if "endTime" in job:
        took = job["endTime"] - job["startTime"]
        del took


use(generate_chain(jobs=3))

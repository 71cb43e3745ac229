"""Hypothesis strategies and pytest fixtures for code that calls the AWS Amplify ListJobs API."""

from __future__ import annotations

from pytest_amplify_jobs._chain import ListJobsChain, ListJobsError, generate_chain
from pytest_amplify_jobs._intercept import ListJobsIntercept
from pytest_amplify_jobs._stubbing import ListJobsQueue, ListJobsStub, stub_list_jobs
from pytest_amplify_jobs._validate import (
    InvalidListJobsRequest,
    InvalidListJobsResponse,
    validate_list_jobs_request,
    validate_list_jobs_response,
)

__all__ = [
    "InvalidListJobsRequest",
    "InvalidListJobsResponse",
    "ListJobsChain",
    "ListJobsError",
    "ListJobsIntercept",
    "ListJobsQueue",
    "ListJobsStub",
    "generate_chain",
    "stub_list_jobs",
    "validate_list_jobs_request",
    "validate_list_jobs_response",
]

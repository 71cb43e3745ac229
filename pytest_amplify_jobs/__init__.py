"""Hypothesis strategies and pytest fixtures for code that calls the AWS Amplify ListJobs API."""

from __future__ import annotations

from pytest_amplify_jobs._validate import (
    InvalidListJobsRequest,
    InvalidListJobsResponse,
    validate_list_jobs_request,
    validate_list_jobs_response,
)

__all__ = [
    "InvalidListJobsRequest",
    "InvalidListJobsResponse",
    "validate_list_jobs_request",
    "validate_list_jobs_response",
]

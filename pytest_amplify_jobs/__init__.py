"""Hypothesis strategies, pytest fixtures and a stateful fake for code that calls the AWS Amplify API.

Names are re-exported lazily: importing the package (as pytest does for every run through the
plugin's entry point) costs nothing until one of them is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_amplify_jobs._api import stub_list_jobs
    from pytest_amplify_jobs._chain import ListJobsChain, generate_chain
    from pytest_amplify_jobs._coherence import IncoherentJobHistory, validate_job_history
    from pytest_amplify_jobs._departures import Departure, departures
    from pytest_amplify_jobs._errors import ListJobsError
    from pytest_amplify_jobs._fake import (
        AmplifyFake,
        AmplifyFakeError,
        FakeRequest,
        fake_amplify,
    )
    from pytest_amplify_jobs._intercept import AmplifyIntercept
    from pytest_amplify_jobs._model import RATE_LIMIT
    from pytest_amplify_jobs._responses import ResponseScript, generate_response
    from pytest_amplify_jobs._stubbing import AmplifyQueue, AmplifyStub
    from pytest_amplify_jobs._types import (
        JobStatus,
        JobSummary,
        JobType,
        ListJobsPage,
        ResponseMetadata,
        SourceUrlType,
    )
    from pytest_amplify_jobs._validate import (
        InvalidListJobsRequest,
        InvalidListJobsResponse,
        InvalidRequest,
        InvalidResponse,
        validate_list_jobs_request,
        validate_list_jobs_response,
        validate_request,
        validate_response,
    )
    from pytest_amplify_jobs._world import AmplifyWorld, generate_world

_EXPORTS = {
    "AmplifyFake": "_fake",
    "FakeRequest": "_fake",
    "AmplifyFakeError": "_fake",
    "fake_amplify": "_fake",
    "JobStatus": "_types",
    "JobSummary": "_types",
    "JobType": "_types",
    "ListJobsPage": "_types",
    "ResponseMetadata": "_types",
    "SourceUrlType": "_types",
    "Departure": "_departures",
    "departures": "_departures",
    "IncoherentJobHistory": "_coherence",
    "validate_job_history": "_coherence",
    "InvalidListJobsRequest": "_validate",
    "InvalidListJobsResponse": "_validate",
    "InvalidRequest": "_validate",
    "InvalidResponse": "_validate",
    "ListJobsChain": "_chain",
    "ListJobsError": "_errors",
    "AmplifyIntercept": "_intercept",
    "AmplifyQueue": "_stubbing",
    "AmplifyStub": "_stubbing",
    "ResponseScript": "_responses",
    "generate_chain": "_chain",
    "generate_response": "_responses",
    "stub_list_jobs": "_api",
    "validate_list_jobs_request": "_validate",
    "validate_list_jobs_response": "_validate",
    "validate_request": "_validate",
    "validate_response": "_validate",
    "AmplifyWorld": "_world",
    "generate_world": "_world",
    "RATE_LIMIT": "_model",
}

__all__ = [
    "RATE_LIMIT",
    "AmplifyFake",
    "AmplifyFakeError",
    "AmplifyIntercept",
    "AmplifyQueue",
    "AmplifyStub",
    "AmplifyWorld",
    "Departure",
    "FakeRequest",
    "IncoherentJobHistory",
    "InvalidListJobsRequest",
    "InvalidListJobsResponse",
    "InvalidRequest",
    "InvalidResponse",
    "JobStatus",
    "JobSummary",
    "JobType",
    "ListJobsChain",
    "ListJobsError",
    "ListJobsPage",
    "ResponseMetadata",
    "ResponseScript",
    "SourceUrlType",
    "departures",
    "fake_amplify",
    "generate_chain",
    "generate_response",
    "generate_world",
    "stub_list_jobs",
    "validate_job_history",
    "validate_list_jobs_request",
    "validate_list_jobs_response",
    "validate_request",
    "validate_response",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_amplify_jobs' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pytest_amplify_jobs.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

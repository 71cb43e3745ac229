"""Handlers of the job operations: ListJobs, GetJob, StartJob, StopJob, DeleteJob,
CreateDeployment and StartDeployment.

Each handler is ``(store, validated params) -> response body``; :mod:`.wire` merges
:data:`HANDLERS` into its routing table. The state they change is ``store.jobs``
(:mod:`.jobs`); what they leave out of an answer is the service's departure from its model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._fake.state import Store, default_page_size

__all__ = ["HANDLERS"]


def _list_jobs(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    m = _model.model()
    size = params.get(m.limit_key) or default_page_size()
    page, token = store.jobs.list_jobs(
        params["appId"], params["branchName"], params.get(m.input_token), size
    )
    body: dict[str, Any] = {m.result_key: page}
    if token is not None:
        body[m.output_token] = token
    return body


def _get_job(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    job, steps = store.jobs.get_job(params["appId"], params["branchName"], params["jobId"])
    return {"job": {"summary": job, "steps": steps}}


def _start_job(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    job = store.jobs.start_job(params["appId"], params["branchName"], params)
    if store.complete:
        return {"jobSummary": job}
    # The service answers without startTime, commitMessage or jobType (departure
    # start-job-summary); GetJob and ListJobs show the job whole.
    left_out = ("startTime", "commitMessage", "jobType")
    return {"jobSummary": {k: v for k, v in job.items() if k not in left_out}}


def _stop_job(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "jobSummary": store.jobs.stop_job(params["appId"], params["branchName"], params["jobId"])
    }


def _delete_job(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    job = store.jobs.delete_job(params["appId"], params["branchName"], params["jobId"])
    return {"jobSummary": job}


def _create_deployment(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    job_id, zip_url, file_urls = store.jobs.create_deployment(
        params["appId"], params["branchName"], params.get("fileMap") or {}
    )
    return {"jobId": job_id, "fileUploadUrls": file_urls, "zipUploadUrl": zip_url}


def _start_deployment(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    job = store.jobs.start_deployment(params["appId"], params["branchName"], params)
    if store.complete:
        return {"jobSummary": job}
    # The service answers with three members only (departure start-deployment-summary).
    return {"jobSummary": {k: job[k] for k in ("jobArn", "jobId", "status")}}


# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Callable[[Store, dict[str, Any]], dict[str, Any]]] = {
    "ListJobs": _list_jobs,
    "GetJob": _get_job,
    "StartJob": _start_job,
    "StopJob": _stop_job,
    "DeleteJob": _delete_job,
    "CreateDeployment": _create_deployment,
    "StartDeployment": _start_deployment,
}

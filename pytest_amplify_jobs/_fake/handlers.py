"""Handlers of the operations beyond the jobs: apps and branches (create, update, delete),
artifacts, access logs and tags (webhooks, domains and backend environments: see
:mod:`.resource_handlers`).

Each handler is ``(store, validated params) -> response body``, like those of :mod:`.wire`,
which merges :data:`HANDLERS` into its routing table. Adding an operation is a handler here, a
row in :data:`HANDLERS`, and the state change it makes (``Store`` or ``store.resources``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs._fake.listing import listing, page_size
from pytest_amplify_jobs._fake.state import Store

__all__ = ["HANDLERS"]


# ----------------------------------------------------------------------------------- apps


def _create_app(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"app": store.create_app(params)}


def _get_app(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    # The app with its productionBranch derived from the store (replaces wire.py's row).
    store.reach_app("GetApp", params["appId"])
    return {"app": store.app_view(params["appId"])}


def _update_app(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"app": store.update_app(params["appId"], params)}


def _delete_app(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"app": store.delete_app(params["appId"])}


# ------------------------------------------------------------------------------- branches


def _create_branch(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"branch": store.create_branch(params["appId"], params)}


def _update_branch(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"branch": store.update_branch(params["appId"], params["branchName"], params)}


def _delete_branch(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"branch": store.delete_branch(params["appId"], params["branchName"])}


# ------------------------------------------------------------------ artifacts, access logs


def _list_artifacts(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    page, token = store.list_artifacts(
        params["appId"],
        params["branchName"],
        params["jobId"],
        params.get("nextToken"),
        page_size("ListArtifacts", params),
    )
    return listing("artifacts", page, token)


def _get_artifact_url(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    artifact_id = params["artifactId"]
    return {"artifactId": artifact_id, "artifactUrl": store.get_artifact_url(artifact_id)}


def _generate_access_logs(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    url = store.generate_access_logs(
        params["appId"], params["domainName"], params.get("startTime"), params.get("endTime")
    )
    return {"logUrl": url}


# ----------------------------------------------------------------------------------- tags


def _tag_resource(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.tag_resource(params["resourceArn"], params["tags"])
    return {}


def _untag_resource(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.untag_resource(params["resourceArn"], params["tagKeys"])
    return {}


def _list_tags_for_resource(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"tags": store.list_tags(params["resourceArn"])}


# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Callable[[Store, dict[str, Any]], dict[str, Any]]] = {
    "CreateApp": _create_app,
    "GetApp": _get_app,
    "UpdateApp": _update_app,
    "DeleteApp": _delete_app,
    "CreateBranch": _create_branch,
    "UpdateBranch": _update_branch,
    "DeleteBranch": _delete_branch,
    "ListArtifacts": _list_artifacts,
    "GetArtifactUrl": _get_artifact_url,
    "GenerateAccessLogs": _generate_access_logs,
    "TagResource": _tag_resource,
    "UntagResource": _untag_resource,
    "ListTagsForResource": _list_tags_for_resource,
}

"""Handlers of the operations beyond the jobs: apps and branches (create, get, list, update,
delete), artifacts, access logs and tags (webhooks, domains and backend environments: see
:mod:`.resource_handlers`).

Each handler is ``(store, validated params) -> response body``, like those of :mod:`.wire`,
which merges :data:`HANDLERS` into its routing table. A create, get, list, update or delete is
one row: the store call returning the record (or the page and its token), laid out as the
model's output shape says by :func:`.crud.handler`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs._fake.crud import handler
from pytest_amplify_jobs._fake.listing import listing, page_size
from pytest_amplify_jobs._fake.state import Store

__all__ = ["HANDLERS"]

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]


def _list_artifacts(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    page, token = store.jobs.list_artifacts(
        params["appId"],
        params["branchName"],
        params["jobId"],
        params.get("nextToken"),
        page_size("ListArtifacts", params),
    )
    return listing("artifacts", page, token)


def _get_artifact_url(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    artifact_id = params["artifactId"]
    return {"artifactId": artifact_id, "artifactUrl": store.jobs.get_artifact_url(artifact_id)}


def _generate_access_logs(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    url = store.generate_access_logs(
        params["appId"], params["domainName"], params.get("startTime"), params.get("endTime")
    )
    return {"logUrl": url}


def _tag_resource(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.tag_resource(params["resourceArn"], params["tags"])
    return {}


def _untag_resource(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    store.untag_resource(params["resourceArn"], params["tagKeys"])
    return {}


def _list_tags_for_resource(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return {"tags": store.list_tags(params["resourceArn"])}


# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Handler] = {
    "CreateApp": handler("CreateApp", lambda s, p: s.create_app(p)),
    "GetApp": handler("GetApp", lambda s, p: s.get_app(p["appId"])),
    "ListApps": handler(
        "ListApps", lambda s, p: s.list_apps(p.get("nextToken"), page_size("ListApps", p))
    ),
    "UpdateApp": handler("UpdateApp", lambda s, p: s.update_app(p["appId"], p)),
    "DeleteApp": handler("DeleteApp", lambda s, p: s.delete_app(p["appId"])),
    "CreateBranch": handler("CreateBranch", lambda s, p: s.create_branch(p["appId"], p)),
    "GetBranch": handler("GetBranch", lambda s, p: s.get_branch(p["appId"], p["branchName"])),
    "ListBranches": handler(
        "ListBranches",
        lambda s, p: s.list_branches(p["appId"], p.get("nextToken"), page_size("ListBranches", p)),
    ),
    "UpdateBranch": handler(
        "UpdateBranch", lambda s, p: s.update_branch(p["appId"], p["branchName"], p)
    ),
    "DeleteBranch": handler(
        "DeleteBranch", lambda s, p: s.delete_branch(p["appId"], p["branchName"])
    ),
    "ListArtifacts": _list_artifacts,
    "GetArtifactUrl": _get_artifact_url,
    "GenerateAccessLogs": _generate_access_logs,
    "TagResource": _tag_resource,
    "UntagResource": _untag_resource,
    "ListTagsForResource": _list_tags_for_resource,
}

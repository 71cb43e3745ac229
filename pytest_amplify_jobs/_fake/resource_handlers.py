"""Handlers of the webhook, domain association and backend environment operations.

Each handler is ``(store, validated params) -> response body``, like those of :mod:`.wire`,
which merges :data:`HANDLERS` into its routing table; the state they change is
``store.resources`` (:mod:`.resources`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs._fake.listing import listing, page_size
from pytest_amplify_jobs._fake.resources import DomainRecord, WebhookRecord
from pytest_amplify_jobs._fake.state import Store

__all__ = ["HANDLERS"]


# ------------------------------------------------------------------------------ webhooks


def _webhook(store: Store, record: WebhookRecord) -> dict[str, Any]:
    return {"webhook": record.shape(complete=store.complete)}


def _create_webhook(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    record = store.resources.create_webhook(
        params["appId"], params["branchName"], params.get("description")
    )
    return _webhook(store, record)


def _get_webhook(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return _webhook(store, store.resources.webhook("GetWebhook", params["webhookId"]))


def _list_webhooks(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    page, token = store.resources.list_webhooks(
        params["appId"], params.get("nextToken"), page_size("ListWebhooks", params)
    )
    return listing("webhooks", [w.shape(complete=store.complete) for w in page], token)


def _update_webhook(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    record = store.resources.update_webhook(
        params["webhookId"], params.get("branchName"), params.get("description")
    )
    return _webhook(store, record)


def _delete_webhook(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return _webhook(store, store.resources.delete_webhook(params["webhookId"]))


# -------------------------------------------------------------------- domain associations


def _domain(store: Store, record: DomainRecord) -> dict[str, Any]:
    return {"domainAssociation": record.shape(complete=store.complete)}


def _create_domain(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return _domain(store, store.resources.create_domain(params["appId"], params))


def _get_domain(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    record = store.resources.domain(
        "GetDomainAssociation", params["appId"], params["domainName"], observe=True
    )
    return _domain(store, record)


def _list_domains(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    page, token = store.resources.list_domains(
        params["appId"], params.get("nextToken"), page_size("ListDomainAssociations", params)
    )
    shapes = [d.shape(complete=store.complete) for d in page]
    return listing("domainAssociations", shapes, token)


def _update_domain(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    return _domain(store, store.resources.update_domain(params["appId"], params))


def _delete_domain(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    record = store.resources.delete_domain(params["appId"], params["domainName"])
    return _domain(store, record)


# ------------------------------------------------------------------- backend environments


def _create_backend(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    record = store.resources.create_backend(
        params["appId"],
        params["environmentName"],
        params.get("stackName"),
        params.get("deploymentArtifacts"),
    )
    return {"backendEnvironment": record.shape()}


def _get_backend(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    record = store.resources.backend(
        "GetBackendEnvironment", params["appId"], params["environmentName"]
    )
    return {"backendEnvironment": record.shape()}


def _list_backends(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    page, token = store.resources.list_backends(
        params["appId"],
        params.get("environmentName"),
        params.get("nextToken"),
        page_size("ListBackendEnvironments", params),
    )
    return listing("backendEnvironments", [b.shape() for b in page], token)


def _delete_backend(store: Store, params: dict[str, Any]) -> dict[str, Any]:
    record = store.resources.delete_backend(params["appId"], params["environmentName"])
    return {"backendEnvironment": record.shape()}


# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Callable[[Store, dict[str, Any]], dict[str, Any]]] = {
    "CreateWebhook": _create_webhook,
    "GetWebhook": _get_webhook,
    "ListWebhooks": _list_webhooks,
    "UpdateWebhook": _update_webhook,
    "DeleteWebhook": _delete_webhook,
    "CreateDomainAssociation": _create_domain,
    "GetDomainAssociation": _get_domain,
    "ListDomainAssociations": _list_domains,
    "UpdateDomainAssociation": _update_domain,
    "DeleteDomainAssociation": _delete_domain,
    "CreateBackendEnvironment": _create_backend,
    "GetBackendEnvironment": _get_backend,
    "ListBackendEnvironments": _list_backends,
    "DeleteBackendEnvironment": _delete_backend,
}

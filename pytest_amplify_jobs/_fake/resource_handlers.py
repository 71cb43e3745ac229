"""Handlers of the webhook, domain association and backend environment operations.

Each handler is ``(store, validated params) -> response body``, like those of :mod:`.wire`,
which merges :data:`HANDLERS` into its routing table; the state they change is
``store.resources`` (:mod:`.resources`). Every one is a create, get, list, update or delete:
one row, the store call returning the record (or the page and its token), laid out as the
model's output shape says by :func:`.crud.handler`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs._fake.crud import handler
from pytest_amplify_jobs._fake.listing import page_size
from pytest_amplify_jobs._fake.state import Store

__all__ = ["HANDLERS"]

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]


def _token(p: dict[str, Any]) -> str | None:
    token: str | None = p.get("nextToken")
    return token


# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Handler] = {
    "CreateWebhook": handler(
        "CreateWebhook",
        lambda s, p: s.resources.create_webhook(p["appId"], p["branchName"], p.get("description")),
    ),
    "GetWebhook": handler(
        "GetWebhook", lambda s, p: s.resources.webhook("GetWebhook", p["webhookId"])
    ),
    "ListWebhooks": handler(
        "ListWebhooks",
        lambda s, p: s.resources.list_webhooks(p["appId"], _token(p), page_size("ListWebhooks", p)),
    ),
    "UpdateWebhook": handler(
        "UpdateWebhook",
        lambda s, p: s.resources.update_webhook(
            p["webhookId"], p.get("branchName"), p.get("description")
        ),
    ),
    "DeleteWebhook": handler(
        "DeleteWebhook", lambda s, p: s.resources.delete_webhook(p["webhookId"])
    ),
    "CreateDomainAssociation": handler(
        "CreateDomainAssociation", lambda s, p: s.resources.create_domain(p["appId"], p)
    ),
    "GetDomainAssociation": handler(
        "GetDomainAssociation",
        lambda s, p: s.resources.domain(
            "GetDomainAssociation", p["appId"], p["domainName"], observe=True
        ),
    ),
    "ListDomainAssociations": handler(
        "ListDomainAssociations",
        lambda s, p: s.resources.list_domains(
            p["appId"], _token(p), page_size("ListDomainAssociations", p)
        ),
    ),
    "UpdateDomainAssociation": handler(
        "UpdateDomainAssociation", lambda s, p: s.resources.update_domain(p["appId"], p)
    ),
    "DeleteDomainAssociation": handler(
        "DeleteDomainAssociation",
        lambda s, p: s.resources.delete_domain(p["appId"], p["domainName"]),
    ),
    "CreateBackendEnvironment": handler(
        "CreateBackendEnvironment",
        lambda s, p: s.resources.create_backend(
            p["appId"], p["environmentName"], p.get("stackName"), p.get("deploymentArtifacts")
        ),
    ),
    "GetBackendEnvironment": handler(
        "GetBackendEnvironment",
        lambda s, p: s.resources.backend("GetBackendEnvironment", p["appId"], p["environmentName"]),
    ),
    "ListBackendEnvironments": handler(
        "ListBackendEnvironments",
        lambda s, p: s.resources.list_backends(
            p["appId"],
            p.get("environmentName"),
            _token(p),
            page_size("ListBackendEnvironments", p),
        ),
    ),
    "DeleteBackendEnvironment": handler(
        "DeleteBackendEnvironment",
        lambda s, p: s.resources.delete_backend(p["appId"], p["environmentName"]),
    ),
}

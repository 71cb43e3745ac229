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

from pytest_amplify_jobs._fake.state import Store

__all__ = ["HANDLERS"]

# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Callable[[Store, dict[str, Any]], dict[str, Any]]] = {}

"""Handlers of the webhook, domain association and backend environment operations.

Each handler is ``(store, validated params) -> response body``, like those of :mod:`.wire`,
which merges :data:`HANDLERS` into its routing table; the state they change is
``store.resources`` (:mod:`.resources`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs._fake.state import Store

__all__ = ["HANDLERS"]

# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Callable[[Store, dict[str, Any]], dict[str, Any]]] = {}

"""What every listing operation of the fake shares: its page size and its body."""

from __future__ import annotations

from typing import Any

from pytest_amplify_jobs import _model

__all__ = ["listing", "page_size"]


def page_size(operation: str, params: dict[str, Any]) -> int:
    """``maxResults``, or (absent or 0) the model's maximum for ``operation``: the service does
    not document its default, and the largest page breaks code that assumes one call lists
    everything."""
    shape = _model.operation(operation).input_shape
    assert shape is not None
    size: int = params.get("maxResults") or shape.members["maxResults"].metadata["max"]
    return size


def listing(key: str, page: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    """A listing's body: the page under ``key``, and ``nextToken`` when another page follows."""
    body: dict[str, Any] = {key: page}
    if token is not None:
        body["nextToken"] = token
    return body

"""Create, get, list, update and delete, once for every kind of resource the fake keeps.

A :class:`Collection` holds one kind's records by key, in the order they were added (list
order), and refuses an unknown key with the service's ``NotFoundException`` and text.
:func:`respond` lays a result out as the operation's output shape in the model says (the
member holding the one record, or the list member and ``nextToken``), and :func:`handler`
makes a whole handler of a store call: a handler module's table is then one row per operation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._fake.errors import NOT_FOUND, ServiceError

__all__ = ["Collection", "Shaped", "handler", "layout", "respond"]

K = TypeVar("K")
R = TypeVar("R")


class _Store(Protocol):
    complete: bool  # model_complete: every member the model requires (see Store)


S = TypeVar("S", bound=_Store)


class Shaped(Protocol):
    """A typed record: ``shape()`` is the one place it becomes the model's structure."""

    def shape(self, *, complete: bool = False) -> dict[str, Any]: ...


class Collection(dict[K, R]):
    """The records of one kind by key (insertion order is the order listings show)."""

    def __init__(self, not_found: Callable[[K], str]) -> None:
        super().__init__()
        self._not_found = not_found

    def find(self, key: K, code: str = NOT_FOUND) -> R:
        """The record of ``key``, or the service's refusal (``NotFoundException``)."""
        record = self.get(key)
        if record is None:
            raise ServiceError(code, self._not_found(key))
        return record

    def where(self, keep: Callable[[R], bool]) -> list[R]:
        return [record for record in self.values() if keep(record)]

    def drop_where(self, drop: Callable[[R], bool]) -> list[R]:
        """Remove (and return) the records ``drop`` selects: what a cascade deletes."""
        gone = [key for key, record in self.items() if drop(record)]
        return [self.pop(key) for key in gone]


@functools.cache
def layout(operation: str) -> tuple[str, bool]:
    """Where ``operation``'s answer holds its record(s): the member's name, and whether it is
    the list of a listing (then ``nextToken`` beside it), read from the model.

    >>> layout("GetWebhook"), layout("ListBackendEnvironments"), layout("DeleteApp")
    (('webhook', False), ('backendEnvironments', True), ('app', False))
    """
    shape = _model.operation(operation).output_shape
    assert shape is not None
    for name, member in shape.members.items():
        if member.type_name == "structure":
            return name, False
        if member.type_name == "list" and member.member.type_name == "structure":  # type: ignore[attr-defined]
            return name, True
    raise LookupError(f"{operation} answers no record")


def _shaped(record: Shaped | Mapping[str, Any], complete: bool) -> dict[str, Any]:
    if isinstance(record, Mapping):
        return dict(record)
    return record.shape(complete=complete)


def respond(
    operation: str,
    result: Shaped | Mapping[str, Any] | tuple[Iterable[Shaped | Mapping[str, Any]], str | None],
    *,
    complete: bool = False,
) -> dict[str, Any]:
    """The body of ``operation`` answering ``result``: one record (a typed record, shaped
    here, or a structure already shaped), or a listing's ``(page, next token)``."""
    name, listing = layout(operation)
    if not listing:
        assert not isinstance(result, tuple)
        return {name: _shaped(result, complete)}
    assert isinstance(result, tuple)
    page, token = result
    body: dict[str, Any] = {name: [_shaped(record, complete) for record in page]}
    if token is not None:
        body["nextToken"] = token
    return body


def handler(
    operation: str, call: Callable[[S, dict[str, Any]], Any]
) -> Callable[[S, dict[str, Any]], dict[str, Any]]:
    """A handler ``(store, params) -> body`` of a store call returning a record or a page."""

    def handle(store: S, params: dict[str, Any]) -> dict[str, Any]:
        return respond(operation, call(store, params), complete=store.complete)

    handle.__name__ = handle.__qualname__ = f"handle_{operation}"
    return handle

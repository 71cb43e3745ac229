"""The fake service's HTTP side: a real request in, the answer Amplify would send out.

:func:`answer` parses the request with the model's routes (:mod:`.._wire`), validates its
parameters like the service, calls the operation's handler in :data:`HANDLERS` on the
:class:`~.state.Store`, and writes the JSON body and headers, or the error body and
``x-amzn-errortype`` for a :class:`~.state.ServiceError`. Adding an operation is a row in
:data:`HANDLERS` plus the state change it makes.
"""

from __future__ import annotations

import urllib.parse
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pytest_amplify_jobs import _model, _wire
from pytest_amplify_jobs._fake.errors import ServiceError
from pytest_amplify_jobs._fake.handlers import HANDLERS as APP_HANDLERS
from pytest_amplify_jobs._fake.job_handlers import HANDLERS as JOB_HANDLERS
from pytest_amplify_jobs._fake.resource_handlers import HANDLERS as RESOURCE_HANDLERS
from pytest_amplify_jobs._fake.state import Store, operation_errors
from pytest_amplify_jobs._validate import request_violations

__all__ = ["HANDLERS", "Answer", "FakeRequest", "answer", "served_operations"]


@dataclass(frozen=True)
class FakeRequest:
    """One HTTP request the fake answered: what was asked and the status it got."""

    operation: str
    method: str
    path: str
    params: Mapping[str, Any]
    status: int
    error_code: str | None = None


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers, body, and the request as the log keeps it."""

    status: int
    headers: dict[str, str]
    body: bytes
    request: FakeRequest


# operation -> handler(store, validated params) -> response body (without ResponseMetadata)
HANDLERS: dict[str, Callable[[Store, dict[str, Any]], dict[str, Any]]] = {
    **JOB_HANDLERS,
    **APP_HANDLERS,
    **RESOURCE_HANDLERS,
}


def served_operations() -> tuple[str, ...]:
    """The operations the fake answers."""
    return tuple(HANDLERS)


class NotServed(Exception):
    """A request for an operation the fake does not answer (it is never sent anywhere)."""

    def __init__(self, operation: str | None, method: str, path: str) -> None:
        what = operation or "no Amplify operation"
        super().__init__(
            f"the pytest-amplify-jobs fake serves {', '.join(served_operations())} only; "
            f"{method} {path} ({what}) was not sent anywhere"
        )
        self.operation = operation


# A request read once: its path (unquoted), operation, parameters, and what breaks the model's
# rules (None: nothing). Reading and validating is a pure function of the request's bytes, and
# code under test repeats its requests (a poll sends the same GetJob each time), so the last
# _READ_LIMIT requests of small bodies are remembered, process-wide (same model, same answer;
# bounded, so that memory stays flat over a suite).
_Read = tuple[str, str | None, dict[str, Any], str | None]
_READ: dict[tuple[str, str, bytes | str | None], tuple[_Read, bool]] = {}
_READ_LIMIT = 256
_READ_BODY_LIMIT = 4096  # bytes (or characters) of body beyond which a request is not kept


def _fresh(value: Any) -> Any:
    """A copy of parsed parameters whose dicts and lists are new (handlers may keep or change
    them); the other values (str, int, float, bool, None, datetime) are immutable."""
    if type(value) is dict:
        return {k: _fresh(v) for k, v in value.items()}
    if type(value) is list:
        return [_fresh(v) for v in value]
    return value


def _read(method: str, url: str, body: bytes | str | None) -> _Read:
    key = (method, url, body)
    kept = _READ.get(key)
    if kept is not None:
        (path, operation, params, problem), flat = kept
        return path, operation, dict(params) if flat else _fresh(params), problem
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    operation, params = _wire.parse_request(method, url, body)
    problem = None
    if operation is not None:  # every routed operation: HANDLERS may gain one later
        violations = request_violations(params, operation)
        if violations:
            problem = "; ".join(str(v) for v in violations)
    if body is None or len(body) <= _READ_BODY_LIMIT:
        if len(_READ) >= _READ_LIMIT:
            _READ.clear()
        flat = not any(type(value) in (dict, list) for value in params.values())
        _READ[key] = ((path, operation, _fresh(params), problem), flat)
    return path, operation, params, problem


# The JSON of each store's listed records (see _wire.wire_body), released with the store.
_RECORDS: weakref.WeakKeyDictionary[Store, _wire.Kept] = weakref.WeakKeyDictionary()


def _records(store: Store) -> _wire.Kept:
    kept = _RECORDS.get(store)
    if kept is None:
        kept = _RECORDS[store] = {}
    return kept


def answer(store: Store, method: str, url: str, body: bytes | str | None) -> Answer:
    """Answer one HTTP request from ``store`` (the caller holds ``store.lock``).

    Raises :class:`NotServed` for an operation outside :data:`HANDLERS`.
    """
    path, operation, params, problem = _read(method, url, body)
    handler = HANDLERS.get(operation or "")
    if operation is None or handler is None:
        raise NotServed(operation, method, path)
    code: str | None = None
    try:
        if problem is not None:
            raise ServiceError("BadRequestException", problem)
        payload = _wire.wire_body(handler(store, params), _records(store))
        status = 200
    except ServiceError as error:
        code = error.code
        if code not in operation_errors(operation) and code not in _model.common_error_codes():
            code = "BadRequestException"  # e.g. an unknown branch where NotFound is not modeled
        status = _model.error_status(code, operation)
        payload = _wire.error_body(error.message)
    store.counter += 1
    rid = _wire.request_id(store.seed * 7919 + store.counter)
    headers = _wire.headers(rid, store.now(), length=len(payload), error_code=code, full=False)
    return Answer(
        status, headers, payload, FakeRequest(operation, method, path, params, status, code)
    )

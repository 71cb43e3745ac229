"""Reaching every Amplify client in the process, and restoring it.

botocore's ``Stubber`` attaches to one client object, so code that builds its own client cannot
be tested with it. While a :class:`Mode` is active, ``BaseClient._make_api_call`` is wrapped:
the first call of any Amplify client (created before or after activation, by boto3, a botocore
session or the AWS CLI) attaches a few router handlers to that client's own events. Each
router hands the event to the innermost active mode:

* ``before-parameter-build`` and ``before-call``: :class:`ListJobsIntercept` checks the call
  against its queue and answers it before anything is signed or sent;
* ``choose-signer`` and ``before-send``: the fake service (``_fake.py``) leaves requests
  unsigned and answers them at the HTTP level, so botocore's parser and retries run for real.

The client's own exception classes and paginators are used throughout. Leaving the last active
mode restores ``_make_api_call`` and removes every handler. Modes stack: the innermost serves
until it exits.
"""

from __future__ import annotations

import collections
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._stubbing import (
    Expectation,
    ListJobsQueue,
    copy_response,
    error_response,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.model import OperationModel

    from pytest_amplify_jobs._chain import ListJobsChain

__all__ = ["ListJobsIntercept", "Mode"]

_HANDLER_ID = "pytest-amplify-jobs-route"
_lock = threading.RLock()
_active: list[Mode] = []
_attached: weakref.WeakSet[BaseClient] = weakref.WeakSet()
_original_make_api_call: Callable[..., Any] | None = None
_saved_env: dict[str, str | None] = {}
# While a mode is active, a client created without credentials must not ask the EC2 metadata
# service for some (a network call): botocore honours this variable.
_ENV = {"AWS_EC2_METADATA_DISABLED": "true"}


class Mode:
    """A way of serving Amplify calls; the innermost active mode receives every event.

    Each ``on_*`` method returns None to let botocore carry on; the defaults do nothing.
    Use a mode as a context manager to activate it.
    """

    region: str = "us-east-1"
    _client: BaseClient | None = None

    @property
    def client(self) -> BaseClient:
        """A client with fake credentials; every other Amplify client is served the same."""
        if self._client is None:
            from pytest_amplify_jobs._stubbing import make_client

            self._client = make_client(self.region)
        return self._client

    def on_parameter_build(self, model: OperationModel, params: Mapping[str, Any]) -> None:
        return None

    def on_before_call(self, model: OperationModel) -> Any:
        return None

    def on_choose_signer(self) -> Any:
        return None

    def on_before_send(self, request: Any, operation: str) -> Any:
        return None

    def _activated(self) -> None:
        """Called once this mode is the innermost (install mode-specific patches here)."""

    def _deactivated(self) -> None:
        """Called when this mode leaves the stack."""

    def __enter__(self) -> Any:
        with _lock:
            if not _active:
                _install()
            _active.append(self)
            self._activated()
        return self

    def __exit__(self, *exc: object) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
                self._deactivated()
            if not _active:
                _uninstall()


def _current() -> Mode | None:
    return _active[-1] if _active else None


def _route_parameter_build(model: OperationModel, params: Mapping[str, Any], **_: Any) -> None:
    mode = _current()
    if mode is not None:
        mode.on_parameter_build(model, params)


def _route_before_call(model: OperationModel, **_: Any) -> Any:
    mode = _current()
    return None if mode is None else mode.on_before_call(model)


def _route_choose_signer(**_: Any) -> Any:
    mode = _current()
    return None if mode is None else mode.on_choose_signer()


def _route_before_send(request: Any, event_name: str, **_: Any) -> Any:
    mode = _current()
    return None if mode is None else mode.on_before_send(request, event_name.rsplit(".", 1)[-1])


def _routes(service_id: str) -> list[tuple[str, Callable[..., Any], bool]]:
    return [
        (f"before-parameter-build.{service_id}", _route_parameter_build, True),
        (f"before-call.{service_id}", _route_before_call, False),
        (f"choose-signer.{service_id}", _route_choose_signer, True),
        (f"before-send.{service_id}", _route_before_send, False),
    ]


def _is_amplify(client: BaseClient) -> bool:
    return bool(client.meta.service_model.service_name == _model.SERVICE_NAME)


def _attach(client: BaseClient) -> None:
    if client in _attached:
        return
    service_id = client.meta.service_model.service_id.hyphenize()
    for event, handler, first in _routes(service_id):
        register = client.meta.events.register_first if first else client.meta.events.register
        register(event, handler, unique_id=f"{_HANDLER_ID}-{event}")
    _attached.add(client)


def _detach_all() -> None:
    for client in list(_attached):
        service_id = client.meta.service_model.service_id.hyphenize()
        for event, _handler, _first in _routes(service_id):
            client.meta.events.unregister(event, unique_id=f"{_HANDLER_ID}-{event}")
    _attached.clear()


def _install() -> None:
    global _original_make_api_call
    from botocore.client import BaseClient

    original: Callable[..., Any] = getattr(BaseClient, "_make_api_call")  # noqa: B009
    _original_make_api_call = original

    def _make_api_call(self: BaseClient, operation_name: str, api_params: Any) -> Any:
        if _is_amplify(self):
            with _lock:
                _attach(self)
        return original(self, operation_name, api_params)

    _make_api_call.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(BaseClient, "_make_api_call", _make_api_call)  # noqa: B010
    for name, value in _ENV.items():
        _saved_env[name] = os.environ.get(name)
        os.environ[name] = value


def _uninstall() -> None:
    global _original_make_api_call
    from botocore.client import BaseClient

    if _original_make_api_call is not None:
        setattr(BaseClient, "_make_api_call", _original_make_api_call)  # noqa: B010
        _original_make_api_call = None
    _detach_all()
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_env.clear()


@dataclass
class _Entry:
    expectation: Expectation
    status: int
    response: dict[str, Any]


def _call_text(operation: str, params: Mapping[str, Any]) -> str:
    from botocore import xform_name

    shown = ", ".join(f"{k}={_model.short_repr(v, 40)}" for k, v in params.items())
    return f"{xform_name(operation)}({shown})"


class ListJobsIntercept(ListJobsQueue, Mode):
    """Serve the ListJobs calls of every Amplify client in the process from one queue.

    The ``amplify_intercept`` fixture gives one, active for the test; outside pytest use it as
    a context manager. Same interface as :class:`ListJobsStub` (``add``, ``generate``,
    ``calls``, ``pending``, ``report``) plus ``client``, a client of our own with fake
    credentials, for convenience.

    >>> with ListJobsIntercept() as intercept:
    ...     chain = intercept.generate(jobs=30)
    ...     jobs = code_that_builds_its_own_boto3_client(chain.app_id, chain.branch_name)
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        defaults: Mapping[str, Any] | None = None,
        region: str = "us-east-1",
    ) -> None:
        super().__init__(seed=seed, defaults=defaults, region=region)
        self._entries: collections.deque[_Entry] = collections.deque()
        self._served = 0

    # -- queueing ------------------------------------------------------------------------

    def _queue(self, chain: ListJobsChain) -> None:
        chain.validate()
        with _lock:
            for index, page in enumerate(chain.pages):
                self._entries.append(_Entry(Expectation(chain, index), 200, dict(page)))
            if chain.error is not None:
                response = error_response(chain)
                self._entries.append(
                    _Entry(Expectation(chain, len(chain.pages)), chain.error.http_status, response)
                )

    def pending(self) -> list[str]:
        with _lock:
            return [entry.expectation.describe() for entry in self._entries]

    # -- serving ------------------------------------------------------------------------

    def _unqueued(self, operation: str, what: str) -> Exception:
        from botocore.exceptions import UnStubbedResponseError

        queued = self.pending()
        nxt = f"next queued: {queued[0]}" if queued else "nothing is queued"
        return UnStubbedResponseError(
            operation_name=operation,
            reason=(
                f"{what} was not queued in pytest-amplify-jobs intercept mode "
                f"({self._served} call(s) served, {nxt}). No request was sent. Queue it with "
                ".generate() / .add(), or call it outside the intercept."
            ),
        )

    def on_parameter_build(self, model: OperationModel, params: Mapping[str, Any]) -> None:
        with _lock:
            what = _call_text(model.name, params)
            if model.name != _model.OPERATION_NAME:
                raise self._unqueued(model.name, what)
            self._record(params)
            if not self._entries:
                raise self._unqueued(model.name, what)
            self._entries[0].expectation.check(params)

    def on_before_call(self, model: OperationModel) -> Any:
        from botocore.awsrequest import AWSResponse

        with _lock:
            if model.name != _model.OPERATION_NAME or not self._entries:
                raise self._unqueued(model.name, model.name)
            entry = self._entries.popleft()
            self._served += 1
        http = AWSResponse(None, entry.status, {}, None)  # type: ignore[arg-type]
        return http, copy_response(entry.response)

    def __enter__(self) -> ListJobsIntercept:
        return super().__enter__()  # type: ignore[no-any-return]

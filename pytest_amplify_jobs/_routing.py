"""Reaching every Amplify client in the process: the stack of active modes, and its routers.

botocore's ``Stubber`` attaches to one client object, so code that builds its own client cannot
be tested with it. While a :class:`Mode` is active, ``BaseClient._make_api_call`` is wrapped
(through :mod:`._botocore`): the first call of any Amplify client (created before or after
activation, by boto3, a botocore session or the AWS CLI) attaches a few router handlers to that
client's own events. Each router hands the event to the innermost active mode:

* ``before-parameter-build`` and ``before-call``: intercept mode checks the call against its
  queue and answers it before anything is signed or sent;
* ``choose-signer`` and ``before-send``: the fake service leaves requests unsigned and answers
  them at the HTTP level, so botocore's parser and retries run for real.

Leaving the last active mode restores ``_make_api_call`` and removes every handler. Modes
stack: the innermost serves until it exits.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _botocore, _model
from pytest_amplify_jobs._client import make_client

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.model import OperationModel

__all__ = ["Mode"]

_HANDLER_ID = "pytest-amplify-jobs-route"
lock = threading.RLock()
_active: list[Mode] = []
_attached: weakref.WeakSet[BaseClient] = weakref.WeakSet()
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
        with lock:
            if not _active:
                _install()
            _active.append(self)
            self._activated()
        return self

    def __exit__(self, *exc: object) -> None:
        with lock:
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


def _wrap_make_api_call(original: Callable[..., Any]) -> Callable[..., Any]:
    def _make_api_call(self: BaseClient, operation_name: str, api_params: Any) -> Any:
        if _botocore.make_api_call.active and _is_amplify(self):
            with lock:
                _attach(self)
        return original(self, operation_name, api_params)

    return _make_api_call


def _install() -> None:
    _botocore.make_api_call.acquire(_wrap_make_api_call)
    for name, value in _ENV.items():
        _saved_env[name] = os.environ.get(name)
        os.environ[name] = value


def _uninstall() -> None:
    _botocore.make_api_call.release()
    _detach_all()
    for name, value in _saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_env.clear()

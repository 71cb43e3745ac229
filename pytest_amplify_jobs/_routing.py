"""Reaching every Amplify client in the process: the stack of active modes, its routers, the guard.

botocore's ``Stubber`` attaches to one client object, so code that builds its own client cannot
be tested with it. While a :class:`Mode` is active, ``BaseClient._make_api_call`` is wrapped
(through :mod:`._botocore`): the first call of any Amplify client (created before or after
activation, by boto3, a botocore session or the AWS CLI) attaches a few router handlers to that
client's own events. Each router hands the event to the innermost active mode:

* ``before-parameter-build`` (first): the call's parameters, for checks and messages;
* ``before-call`` (last, after any ``Stubber`` on the client had its say): intercept mode
  answers from its queue; the fake lets the call go on; every other mode (the guard that
  Stubber mode activates) **refuses** it, so a stray client is never signed or sent;
* ``choose-signer`` and ``before-send``: the fake leaves requests unsigned and answers them at
  the HTTP level, so botocore's parser and retries run for real.

Clients the plugin hands out (:func:`guarded_client`) carry the routers for their whole life: a
call that no active mode serves raises. While a mode is active, Amplify clients created without
credentials get fake ones, so no credential provider (container, metadata, SSO, process) runs.

Every call the plugin refuses is recorded in :data:`refusals`, so that a fixture can fail the
test at teardown even when the code under test swallowed the error.

Leaving the last active mode restores every patch and removes every handler. Modes stack: the
innermost serves until it exits.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _botocore, _model
from pytest_amplify_jobs._client import make_client
from pytest_amplify_jobs._text import call_text

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.model import OperationModel

__all__ = ["Guard", "Mode", "Refusal", "RefusedCall", "guarded_client", "refusals"]

_HANDLER_ID = "pytest-amplify-jobs-route"
lock = threading.RLock()
_active: list[Mode] = []
_attached: weakref.WeakSet[BaseClient] = weakref.WeakSet()
_permanent: weakref.WeakSet[BaseClient] = weakref.WeakSet()
_owner: list[int] = []  # the thread that entered the outermost active mode
_params: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "pytest_amplify_jobs_call_params", default=None
)
# Amplify clients created while a mode is active without credentials get these, so that no
# credential provider runs (no environment variable is changed: nothing can leak after exit).
FAKE_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "aws_session_token": "testing",
}


# ------------------------------------------------------------------------------ refusals


class RefusedCall(Exception):
    """An Amplify call the active pytest-amplify-jobs mode does not serve; nothing was sent.

    A botocore ``UnStubbedResponseError`` at run time (see :func:`refused`), so code and tests
    that expect the Stubber's errors keep working.
    """


@dataclass(frozen=True)
class Refusal:
    """One call the plugin refused: what was called, from which client, and why."""

    operation: str
    params: Mapping[str, Any]
    client: str
    reason: str

    def describe(self) -> str:
        return f"{call_text(self.operation, self.params)} {self.reason}"


class _Refusals:
    """Every refusal since the process started, read by position (fixtures mark where they
    start and read what came after)."""

    def __init__(self) -> None:
        self._items: list[Refusal] = []
        self._lock = threading.Lock()

    def add(self, refusal: Refusal) -> None:
        with self._lock:
            self._items.append(refusal)

    def mark(self) -> int:
        with self._lock:
            return len(self._items)

    def since(self, mark: int) -> list[Refusal]:
        with self._lock:
            return list(self._items[mark:])

    def forget(self, mark: int) -> None:
        """Drop what came after ``mark`` once it has been read (memory stays flat)."""
        with self._lock:
            del self._items[mark:]


refusals = _Refusals()


def describe_client(client: Any) -> str:
    kind = type(client).__name__
    if client in _permanent:
        kind = "the plugin's own client"
    region = getattr(getattr(client, "meta", None), "region_name", "?")
    return f"{kind} at {id(client):#x} (region {region})"


_REFUSED_CLASSES: dict[type[RefusedCall], type[Any]] = {}


def _refused_class(base: type[RefusedCall]) -> type[Any]:
    """``base`` mixed with botocore's ``UnStubbedResponseError`` (made once per base)."""
    from botocore.exceptions import UnStubbedResponseError

    kind = _REFUSED_CLASSES.get(base)
    if kind is None:
        kind = type(base.__name__, (UnStubbedResponseError, base), {"__module__": base.__module__})
        _REFUSED_CLASSES[base] = kind
    return kind


def refused(
    operation: str, client: Any, reason: str, kind: type[RefusedCall] = RefusedCall
) -> Exception:
    """Record a refusal and return the exception to raise for it.

    ``reason`` follows the call in the message: "list_jobs(appId='d1') {reason}".
    """
    params = dict(_params.get() or {})
    refusal = Refusal(operation, params, describe_client(client), reason)
    refusals.add(refusal)
    error: Exception = _refused_class(kind)(operation_name=operation, reason=refusal.describe())
    return error


def record_failure(operation: str, client: Any, error: BaseException) -> None:
    """Record an error a Stubber or a mode raised for a call (parameter mismatch, nothing
    queued...), unless it is one of our own refusals (recorded already)."""
    if isinstance(error, RefusedCall):
        return
    params = dict(_params.get() or {})
    text = " ".join(str(error).split())
    refusals.add(Refusal(operation, params, describe_client(client), f"failed: {text}"))


# --------------------------------------------------------------------------------- modes


class Mode:
    """A way of serving Amplify calls; the innermost active mode receives every event.

    ``on_before_call`` refuses by default (a mode serves nothing it does not say it serves);
    the other ``on_*`` methods return None to let botocore carry on. Use a mode as a context
    manager to activate it.
    """

    region: str = "us-east-1"
    _client: BaseClient | None = None
    #: What the refusal message suggests.
    fix = (
        "pass the stubbed client to the code under test (or patch your module's client), "
        "or use amplify_intercept / amplify_fake, which serve every client in the process"
    )

    @property
    def client(self) -> BaseClient:
        """A client with fake credentials; every other Amplify client is served the same."""
        if self._client is None:
            self._client = guarded_client(self.region)
        return self._client

    def on_parameter_build(self, model: OperationModel, params: Mapping[str, Any]) -> None:
        return None

    def on_before_call(self, model: OperationModel, client: Any) -> Any:
        raise refused(
            model.name,
            client,
            f"was refused: the active {self.describe()} does not serve {describe_client(client)}; "
            f"nothing was signed or sent. Fix: {self.fix}.",
        )

    def describe(self) -> str:
        """How refusal messages name this mode."""
        return type(self).__name__

    def on_choose_signer(self) -> Any:
        return None

    def on_before_send(self, request: Any, operation: str, client: Any) -> Any:
        return None

    def _activated(self) -> None:
        """Called once this mode is the innermost (install mode-specific patches here)."""

    def _deactivated(self) -> None:
        """Called when this mode leaves the stack."""

    def __enter__(self) -> Any:
        with lock:
            first = not _active
            thread = threading.get_ident()
            if not first and _owner and _owner[0] != thread:
                raise RuntimeError(
                    f"{self.describe()} entered from another thread while "
                    f"{_active[-1].describe()} is active: modes are process-wide (they serve "
                    "every Amplify client in the process, whichever thread calls), so one "
                    "thread enters them; enter this one in the same thread, or after the other "
                    "exits"
                )
            if first:
                _owner[:] = [thread]
            _active.append(self)
            try:
                if first:
                    _install()
                self._activated()
            except BaseException:
                _active.remove(self)
                if first:
                    _owner.clear()
                    _uninstall()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        with lock:
            try:
                if self in _active:
                    _active.remove(self)
                    self._deactivated()
            finally:
                if not _active:
                    _owner.clear()
                    _uninstall()


class Guard(Mode):
    """The mode Stubber-style fixtures activate: it serves nothing itself (the ``Stubber``
    answers its own client first), so any other Amplify client is refused, never sent."""

    def __init__(self, what: str = "Stubber mode") -> None:
        self._what = what

    def describe(self) -> str:
        return self._what

    def __enter__(self) -> Guard:
        return super().__enter__()  # type: ignore[no-any-return]


def _current() -> Mode | None:
    return _active[-1] if _active else None


def active() -> bool:
    return bool(_active)


def is_active(mode: Mode) -> bool:
    """Whether ``mode`` has been entered and not left."""
    return mode in _active


# ------------------------------------------------------------------------------- routers


def _route_parameter_build(
    client_ref: Callable[[], Any], model: OperationModel, params: Mapping[str, Any], **_: Any
) -> None:
    _params.set(dict(params))
    mode = _current()
    if mode is not None:
        mode.on_parameter_build(model, params)


def _route_before_call(client_ref: Callable[[], Any], model: OperationModel, **_: Any) -> Any:
    mode = _current()
    if mode is None:  # only the plugin's own clients are routed with no mode active
        raise refused(
            model.name,
            client_ref(),
            f"was refused: nothing serves {describe_client(client_ref())} (no Stubber is active "
            "on it, and no intercept or fake is); nothing was signed or sent. Fix: use it with "
            "amplify_stubber / list_jobs_stub, or inside amplify_intercept / amplify_fake.",
        )
    return mode.on_before_call(model, client_ref())


def _route_choose_signer(client_ref: Callable[[], Any], **_: Any) -> Any:
    mode = _current()
    return None if mode is None else mode.on_choose_signer()


def _route_before_send(
    client_ref: Callable[[], Any], request: Any, event_name: str, **_: Any
) -> Any:
    mode = _current()
    if mode is None:
        return None
    return mode.on_before_send(request, event_name.rsplit(".", 1)[-1], client_ref())


_ROUTES: tuple[tuple[str, Callable[..., Any], str], ...] = (
    ("before-parameter-build", _route_parameter_build, "first"),
    ("before-call", _route_before_call, "last"),
    ("choose-signer", _route_choose_signer, "first"),
    ("before-send", _route_before_send, "normal"),
)


def _is_amplify(client: BaseClient) -> bool:
    return bool(client.meta.service_model.service_name == _model.SERVICE_NAME)


def attach(client: BaseClient, *, permanent: bool = False) -> None:
    """Attach the routers to ``client`` (idempotent); ``permanent`` ones stay after exit."""
    with lock:
        if permanent:
            _permanent.add(client)
        if client in _attached:
            return
        service_id = client.meta.service_model.service_id.hyphenize()
        ref = weakref.ref(client)
        events = client.meta.events
        for event, handler, where in _ROUTES:
            register = {
                "first": events.register_first,
                "last": events.register_last,
                "normal": events.register,
            }[where]
            register(
                f"{event}.{service_id}",
                _bound(handler, ref),
                unique_id=f"{_HANDLER_ID}-{event}",
            )
        _attached.add(client)


def _bound(handler: Callable[..., Any], ref: Callable[[], Any]) -> Callable[..., Any]:
    """``handler`` with the client's weak reference first, carrying its signature.

    botocore reads every handler's signature when it is registered (it must take
    ``**kwargs``): for a ``functools.partial`` that costs about 50 µs, four per client on
    every activation of a mode. The signature is the same for every client, so it is read
    once per handler and set on each partial (``inspect`` reads ``__signature__`` first).
    """
    bound = functools.partial(handler, ref)
    bound.__signature__ = _signature(handler)  # type: ignore[attr-defined]
    return bound


@functools.cache
def _signature(handler: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(functools.partial(handler, None))


def _detach_all() -> None:
    for client in list(_attached):
        if client in _permanent:
            continue
        service_id = client.meta.service_model.service_id.hyphenize()
        for event, _handler, _where in _ROUTES:
            client.meta.events.unregister(
                f"{event}.{service_id}", unique_id=f"{_HANDLER_ID}-{event}"
            )
        _attached.discard(client)


def guarded_client(region: str = "us-east-1") -> BaseClient:
    """A client of our own (:func:`._client.make_client`) that is never sent: routed for its
    whole life, it raises for any call no active mode serves."""
    client = make_client(region)
    attach(client, permanent=True)
    return client


# --------------------------------------------------------------------------- installing


def _on_call(client: Any, operation: str, call: Callable[[], Any]) -> Any:
    """Around every client call while a mode is active: attach Amplify clients, and record
    the errors the plugin or a Stubber raise for them (so swallowed ones still fail)."""
    if not _is_amplify(client):
        return call()
    attach(client)
    try:
        return call()
    except _stub_errors() as error:
        record_failure(operation, client, error)
        raise


async def _on_call_async(client: Any, operation: str, call: Callable[[], Any]) -> Any:
    """:func:`_on_call` for aiobotocore clients (``call()`` returns the coroutine)."""
    if not _is_amplify(client):
        return await call()
    attach(client)
    try:
        return await call()
    except _stub_errors() as error:
        record_failure(operation, client, error)
        raise


@functools.cache
def _stub_errors() -> tuple[type[BaseException], ...]:
    from botocore.exceptions import StubResponseError

    return (StubResponseError, RefusedCall, AssertionError)


def _on_create_client(service_name: str, kwargs: dict[str, Any]) -> None:
    """Amplify clients created while a mode is active get fake credentials when they were
    given none, so botocore's credential chain (which may call the network or run a
    process) never runs for them."""
    if service_name != _model.SERVICE_NAME:
        return
    if all(kwargs.get(name) is None for name in FAKE_CREDENTIALS):
        kwargs.update(FAKE_CREDENTIALS)


def _install() -> None:
    _botocore.route_calls(_on_call, _on_call_async)
    _botocore.route_client_creation(_on_create_client)


def _uninstall() -> None:
    try:
        _botocore.unroute_calls()
    finally:
        try:
            _botocore.unroute_client_creation()
        finally:
            _detach_all()

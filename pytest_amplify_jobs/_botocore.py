"""Every touch of botocore's private internals, in one place.

botocore gives no public hook for four things the plugin needs. Each is reached here, and only
here, with a comment saying why; :func:`missing_internals` names any of them that a botocore
release moved, and a test calls it so that such a release fails loudly, naming the attribute,
instead of misbehaving somewhere downstream.

* ``Stubber._queue`` / ``Stubber._add_response``: queueing a page that is valid by construction
  without botocore re-validating it (most of the cost of ``add_response``), and listing what is
  still queued for failure reports.
* ``BaseClient._make_api_call``: the one method every client call of every client passes
  through, where intercept and fake modes attach their event handlers to clients created
  anywhere.
* ``Endpoint._needs_retry`` and the ``time`` module of ``botocore.endpoint``: where botocore
  sleeps between retries, so the fake can record the backoff and sleep zero.
* ``botocore.configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES`` (sic): the session variables and
  the environment variables they read, so that our clients read none of them.

Nothing here knows about chains, modes or the fake: callers pass plain callables.
"""

from __future__ import annotations

import collections
import contextvars
import functools
import io
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.stub import Stubber

__all__ = [
    "MethodPatch",
    "missing_internals",
    "queue_trusted",
    "queued_entries",
    "route_retry_sleeps",
    "session_variables",
]

# (module, object, attribute) of every private name this module touches.
INTERNALS = (
    ("botocore.stub", "Stubber", "_queue"),
    ("botocore.stub", "Stubber", "_add_response"),
    ("botocore.client", "BaseClient", "_make_api_call"),
    ("botocore.endpoint", "Endpoint", "_needs_retry"),
    ("botocore.endpoint", None, "time"),
    ("botocore.configprovider", None, "BOTOCORE_DEFAUT_SESSION_VARIABLES"),
)
# aiobotocore's, checked only where it is installed.
AIO_INTERNALS = (
    ("aiobotocore.client", "AioBaseClient", "_make_api_call"),
    ("aiobotocore.endpoint", "AioEndpoint", "_needs_retry"),
    ("aiobotocore.session", "AioSession", "_create_client"),
)


def missing_internals() -> list[str]:
    """The dotted names of the internals above that the installed botocore lacks."""
    import importlib

    missing = []
    internals = INTERNALS + (AIO_INTERNALS if aiobotocore_installed() else ())
    for module_name, owner, attribute in internals:
        module = importlib.import_module(module_name)
        target: Any = module
        if owner is not None:
            target = getattr(module, owner)
        if attribute == "_queue":  # an instance attribute: look on a fresh Stubber
            from botocore.stub import Stubber

            try:
                target = Stubber(_probe_client())
            except Exception:  # botocore itself is broken: say which of ours we cannot see
                target = None
        if not hasattr(target, attribute):
            missing.append(".".join(p for p in (module_name, owner, attribute) if p))
    return missing


def _probe_client() -> Any:
    import botocore.session

    return botocore.session.Session().create_client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


# ------------------------------------------------------------------------------ the Stubber


def _trusted_queue(stubber: Stubber) -> collections.deque[dict[str, Any]] | None:
    from botocore.stub import Stubber as BotocoreStubber

    queue = getattr(stubber, "_queue", None)
    kind = type(stubber)
    if (
        kind.add_response is BotocoreStubber.add_response
        and getattr(kind, "_add_response", None) is getattr(BotocoreStubber, "_add_response", 0)
        and isinstance(queue, collections.deque)
    ):
        return queue
    return None


def queue_trusted(
    stubber: Stubber, operation: str, method: str, response: dict[str, Any], expected: Any
) -> None:
    """Queue a response known to be valid, skipping botocore's re-validation when possible.

    ``add_response`` validates every page with botocore's validator; a generated page is valid
    by construction (and stricter than that validator checks), so it goes straight into the
    Stubber's queue in the very form ``add_response`` builds. A subclass that overrides
    ``add_response``, or another botocore version, takes the public path.
    """
    queue = _trusted_queue(stubber)
    if queue is None:
        stubber.add_response(method, response, expected)
        return
    from botocore.awsrequest import AWSResponse

    http = AWSResponse(None, 200, {}, None)  # type: ignore[arg-type]
    queue.append(
        {"operation_name": operation, "response": (http, response), "expected_params": expected}
    )


def queued_entries(stubber: Stubber) -> list[tuple[str, Any]] | None:
    """``(operation, expected_params)`` of each response still queued; None if unreadable."""
    queue = getattr(stubber, "_queue", None)  # the Stubber keeps its queue private
    if not isinstance(queue, collections.deque):
        return None
    return [(e.get("operation_name", "?"), e.get("expected_params")) for e in list(queue)]


# ------------------------------------------------------------------------- method patches


class MethodPatch:
    """Wrap ``owner.name`` while any user holds the patch; restore it when the last one leaves.

    ``make_wrapper(original)`` returns the wrapper. The wrapper must call ``original`` when
    :attr:`active` is false: when another library wraps the method after us and unwinds out of
    order, our wrapper may outlive the patch, and it must then be a plain pass-through.
    """

    def __init__(self, owner: Callable[[], Any], name: str) -> None:
        self._owner = owner
        self._name = name
        self._lock = threading.RLock()
        self._users = 0
        self._original: Any = None
        self._wrapper: Any = None
        self.active = False

    def acquire(self, make_wrapper: Callable[[Any], Any]) -> None:
        with self._lock:
            self._users += 1
            if self._users > 1:
                return
            owner = self._owner()
            original = getattr(owner, self._name)
            # A wrapper of ours left behind by another library's out-of-order restore is inert:
            # unwrap it, so that our next release restores the true original.
            while getattr(original, "_pytest_amplify_jobs_stale", False):
                original = original.__wrapped__
            self._original = original
            wrapper = make_wrapper(original)
            wrapper.__wrapped__ = original
            self._wrapper = wrapper
            setattr(owner, self._name, wrapper)
            self.active = True

    def release(self) -> None:
        with self._lock:
            if self._users == 0:
                return
            self._users -= 1
            if self._users:
                return
            self.active = False
            owner = self._owner()
            # Put the original back only if ours is still the outermost wrapper; otherwise
            # the wrapper stays, inactive (a pass-through), marked stale for the next acquire.
            if getattr(owner, self._name) is self._wrapper:
                setattr(owner, self._name, self._original)
            else:
                self._wrapper._pytest_amplify_jobs_stale = True
            self._original = self._wrapper = None


def _base_client() -> Any:
    from botocore.client import BaseClient

    return BaseClient


def _endpoint() -> Any:
    from botocore.endpoint import Endpoint

    return Endpoint


make_api_call = MethodPatch(_base_client, "_make_api_call")
needs_retry = MethodPatch(_endpoint, "_needs_retry")


def _session() -> Any:
    import botocore.session

    return botocore.session.Session


create_client = MethodPatch(_session, "create_client")


def route_calls(
    on_call: Callable[[Any, str, Callable[[], Any]], Any],
    on_call_async: Callable[[Any, str, Callable[[], Any]], Any],
) -> None:
    """Send every client call through ``on_call(client, operation, call)`` (``call()`` makes
    it) until :func:`unroute_calls`: ``BaseClient._make_api_call`` is the one method every call
    of every botocore client passes through. aiobotocore's ``AioBaseClient`` overrides it with
    a coroutine: its calls go through ``await on_call_async(client, operation, call)``, where
    ``call()`` returns the coroutine. aiobotocore is imported only when it is installed."""

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
            if not make_api_call.active:
                return original(self, operation_name, api_params)
            return on_call(self, operation_name, lambda: original(self, operation_name, api_params))

        return _make_api_call

    def wrap_async(original: Callable[..., Any]) -> Callable[..., Any]:
        async def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
            if not aio_make_api_call.active:
                return await original(self, operation_name, api_params)
            return await on_call_async(
                self, operation_name, lambda: original(self, operation_name, api_params)
            )

        return _make_api_call

    make_api_call.acquire(wrap)
    if aiobotocore_installed():
        aio_make_api_call.acquire(wrap_async)


def unroute_calls() -> None:
    make_api_call.release()
    aio_make_api_call.release()


def route_client_creation(on_create: Callable[[str, dict[str, Any]], None]) -> None:
    """Let ``on_create(service_name, kwargs)`` adjust the keyword arguments of every
    ``Session.create_client`` call (boto3, the AWS CLI and botocore sessions all use it)."""
    global _on_create
    _on_create = on_create
    create_client.acquire(_wrap_create(create_client))
    if aiobotocore_installed():
        aio_create_client.acquire(_wrap_create(aio_create_client))


def unroute_client_creation() -> None:
    create_client.release()
    aio_create_client.release()


_on_create: Callable[[str, dict[str, Any]], None] | None = None


def _wrap_create(patch: MethodPatch) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        names = _create_signature(original, patch)

        def create(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not patch.active or _on_create is None:
                return original(self, *args, **kwargs)
            arguments = dict(names.bind(self, *args, **kwargs).arguments)
            arguments.pop("self", None)
            service_name = arguments.pop("service_name")
            _on_create(service_name, arguments)
            return original(self, service_name, **arguments)

        return create

    return wrap


# Read once per function: inspect.signature was most of the cost of entering a mode.
_signatures: dict[Callable[..., Any], Any] = {}


def _create_signature(original: Callable[..., Any], patch: MethodPatch) -> Any:
    """The signature naming ``original``'s parameters (an ``inspect.Signature``)."""
    names = _signatures.get(original)
    if names is None:
        import inspect

        names = inspect.signature(original)
        # aiobotocore's create_client takes (*args, **kwargs): read _create_client's names.
        if "service_name" not in names.parameters:
            names = inspect.signature(patch._owner()._create_client)
        _signatures[original] = names
    return names


def _aio_session() -> Any:
    from aiobotocore.session import AioSession

    return AioSession


aio_create_client = MethodPatch(_aio_session, "create_client")


# ----------------------------------------------------------------------------- retry sleeps

# The hook of the call being retried on this thread or task: hook(seconds) records the delay
# and says whether to really sleep. Set by the _needs_retry wrappers, read by the sleeps.
_sleep_hook: contextvars.ContextVar[Callable[[float], bool] | None] = contextvars.ContextVar(
    "pytest_amplify_jobs_sleep_hook", default=None
)


class _Time:
    """A ``time`` module for ``botocore.endpoint`` whose ``sleep`` asks the current hook."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        hook = _sleep_hook.get()
        if hook is None or hook(seconds):
            time.sleep(seconds)


class _Asyncio:
    """An ``asyncio`` module for aiobotocore 2.x's endpoint whose ``sleep`` asks the hook."""

    def __getattr__(self, name: str) -> Any:
        import asyncio

        return getattr(asyncio, name)

    @staticmethod
    async def sleep(seconds: float, result: Any = None) -> Any:
        import asyncio

        hook = _sleep_hook.get()
        if hook is None or hook(seconds):
            return await asyncio.sleep(seconds, result)
        return result


def _aio_endpoint() -> Any:
    from aiobotocore.endpoint import AioEndpoint

    return AioEndpoint


def _anyio_endpoint() -> Any:
    from aiobotocore.endpoint import AnyioEndpoint  # aiobotocore 3.x, httpx backend

    return AnyioEndpoint


aio_make_api_call = MethodPatch(lambda: _aio_client(), "_make_api_call")
aio_needs_retry = MethodPatch(_aio_endpoint, "_needs_retry")
aio_sleep = MethodPatch(_aio_endpoint, "_sleep")
anyio_sleep = MethodPatch(_anyio_endpoint, "_sleep")
_retry_lock = threading.Lock()
_retry_users = 0


@functools.cache
def aiobotocore_installed() -> bool:
    """Whether aiobotocore can be imported (without importing it)."""
    import importlib.util

    return importlib.util.find_spec("aiobotocore") is not None


def _aio_client() -> Any:
    from aiobotocore.client import AioBaseClient

    return AioBaseClient


def is_aio_client(client: Any) -> bool:
    """Whether ``client`` is an aiobotocore client (its calls are coroutines)."""
    module = sys.modules.get("aiobotocore.client")
    return module is not None and isinstance(client, module.AioBaseClient)


def route_retry_sleeps(choose: Callable[[Any], Callable[[float], bool] | None]) -> None:
    """Until :func:`unroute_retry_sleeps`, a retry sleep of a call whose operation model
    ``choose`` gives a hook for calls ``hook(seconds)`` and sleeps only if it returns True.

    botocore sleeps in ``Endpoint._needs_retry`` through ``botocore.endpoint.time``;
    aiobotocore 2.x awaits ``asyncio.sleep`` there, 3.x awaits ``self._sleep`` (``asyncio`` or,
    on its httpx backend, ``anyio``).
    """
    global _retry_users

    def wrap_sync(original: Callable[..., Any]) -> Callable[..., Any]:
        def _needs_retry(self: Any, attempts: int, operation_model: Any, *a: Any, **k: Any) -> Any:
            token = _sleep_hook.set(choose(operation_model) if needs_retry.active else None)
            try:
                return original(self, attempts, operation_model, *a, **k)
            finally:
                _sleep_hook.reset(token)

        return _needs_retry

    def wrap_async(original: Callable[..., Any]) -> Callable[..., Any]:
        async def _needs_retry(
            self: Any, attempts: int, operation_model: Any, *a: Any, **k: Any
        ) -> Any:
            token = _sleep_hook.set(choose(operation_model) if aio_needs_retry.active else None)
            try:
                return await original(self, attempts, operation_model, *a, **k)
            finally:
                _sleep_hook.reset(token)

        return _needs_retry

    def wrap_sleep(original: Callable[..., Any]) -> Callable[..., Any]:
        async def _sleep(self: Any, seconds: float) -> Any:
            hook = _sleep_hook.get()
            if hook is None or hook(seconds):
                return await original(self, seconds)
            return None

        return _sleep

    with _retry_lock:
        _retry_users += 1
        needs_retry.acquire(wrap_sync)
        install_endpoint_time()
        if aiobotocore_installed():
            import aiobotocore.endpoint

            aio_needs_retry.acquire(wrap_async)
            endpoint = aiobotocore.endpoint.AioEndpoint
            if "_sleep" in vars(endpoint):  # aiobotocore 3.x
                aio_sleep.acquire(wrap_sleep)
                if "_sleep" in vars(getattr(aiobotocore.endpoint, "AnyioEndpoint", object)):
                    anyio_sleep.acquire(wrap_sleep)
            elif _retry_users == 1:  # aiobotocore 2.x
                aiobotocore.endpoint.asyncio = _Asyncio()


def unroute_retry_sleeps() -> None:
    global _retry_users
    with _retry_lock:
        if _retry_users == 0:
            return
        _retry_users -= 1
        needs_retry.release()
        uninstall_endpoint_time()
        if "aiobotocore.endpoint" in sys.modules:
            import asyncio

            import aiobotocore.endpoint

            aio_needs_retry.release()
            aio_sleep.release()
            anyio_sleep.release()
            if _retry_users == 0 and isinstance(aiobotocore.endpoint.asyncio, _Asyncio):
                aiobotocore.endpoint.asyncio = asyncio


_time_users = 0
_time_lock = threading.Lock()


def install_endpoint_time() -> None:
    """Give ``botocore.endpoint`` a ``time`` whose ``sleep`` follows the current hook."""
    global _time_users
    import botocore.endpoint

    with _time_lock:
        _time_users += 1
        if _time_users == 1:
            setattr(botocore.endpoint, "time", _Time())  # noqa: B010


def uninstall_endpoint_time() -> None:
    global _time_users
    import botocore.endpoint

    with _time_lock:
        if _time_users == 0:
            return
        _time_users -= 1
        if _time_users == 0:
            setattr(botocore.endpoint, "time", time)  # noqa: B010


# -------------------------------------------------------------------------------- sessions


def session_variables() -> dict[str, tuple[Any, Any, Any, Any]]:
    """botocore's session variables: ``name -> (config name, env var(s), default, converter)``."""
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    return dict(BOTOCORE_DEFAUT_SESSION_VARIABLES)


# ----------------------------------------------------------------------------- responses


def http_response(client: Any, url: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    """The HTTP response object ``client``'s endpoint reads: an ``AWSResponse``, or for an
    aiobotocore client its ``AioAWSResponse``, whose raw body is read with ``await``."""
    if is_aio_client(client):
        from aiobotocore.awsrequest import AioAWSResponse

        return AioAWSResponse(url, status, headers, AioRawBody(body))
    from botocore.awsrequest import AWSResponse

    return AWSResponse(url, status, headers, RawBody(body))  # type: ignore[arg-type]


class RawBody(io.BytesIO):
    """What botocore reads an HTTP body from (``AWSResponse.raw``)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


class AioRawBody(RawBody):
    """What aiobotocore reads an HTTP body from: ``await raw.read()`` (``aread`` on httpx)."""

    async def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        return self.getvalue()

    async def aread(self) -> bytes:
        return self.getvalue()

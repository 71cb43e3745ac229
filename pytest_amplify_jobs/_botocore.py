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
import contextlib
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
    "retry_sleep",
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


def missing_internals() -> list[str]:
    """The dotted names of the internals above that the installed botocore lacks."""
    import importlib

    missing = []
    for module_name, owner, attribute in INTERNALS:
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
            self._original = getattr(owner, self._name)
            wrapper = make_wrapper(self._original)
            wrapper.__wrapped__ = self._original
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
            # the wrapper stays, inactive, and the later wrapper's own restore removes it.
            if getattr(owner, self._name) is self._wrapper:
                setattr(owner, self._name, self._original)
            self._original = self._wrapper = None


def _base_client() -> Any:
    from botocore.client import BaseClient

    return BaseClient


def _endpoint() -> Any:
    from botocore.endpoint import Endpoint

    return Endpoint


make_api_call = MethodPatch(_base_client, "_make_api_call")
needs_retry = MethodPatch(_endpoint, "_needs_retry")


# ----------------------------------------------------------------------------- retry sleeps


class _Time:
    """A ``time`` module for ``botocore.endpoint`` whose ``sleep`` asks the current hook."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        hook: Callable[[float], None] | None = getattr(_sleep_local, "hook", None)
        if hook is None:
            time.sleep(seconds)
        else:
            hook(seconds)


_sleep_local = threading.local()
_time_users = 0
_time_lock = threading.Lock()


def install_endpoint_time() -> None:
    """Give ``botocore.endpoint`` a ``time`` whose ``sleep`` follows :func:`retry_sleep`."""
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


@contextlib.contextmanager
def retry_sleep(hook: Callable[[float], None] | None) -> Iterator[None]:
    """Within the block, botocore's retry sleeps on this thread call ``hook(seconds)``."""
    previous = getattr(_sleep_local, "hook", None)
    _sleep_local.hook = hook
    try:
        yield
    finally:
        _sleep_local.hook = previous


# -------------------------------------------------------------------------------- sessions


def session_variables() -> dict[str, tuple[Any, Any, Any, Any]]:
    """botocore's session variables: ``name -> (config name, env var(s), default, converter)``."""
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    return dict(BOTOCORE_DEFAUT_SESSION_VARIABLES)

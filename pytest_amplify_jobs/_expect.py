"""Parameter checks for queued calls: what we add to botocore's ``Stubber`` comparison.

The Stubber compares ``expected_params`` as a plain dict: every key must be sent and no other,
so "any maxResults, or none" cannot be said, and a mismatch dumps two whole dicts. We queue an
:class:`Expectation` instead. It is a ``Mapping`` the Stubber reads through ``items()`` and
``keys()``; on ``items()`` it compares the call's real parameters (recorded for this thread by a
``provide-client-params`` hook, which botocore emits just before the Stubber's check) with what
the chain expects, raises a ``StubAssertionError`` that names each differing parameter, and
otherwise presents the received parameters so the Stubber's own equality check agrees.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._text import call_text, method_name, short_repr

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from pytest_amplify_jobs._errors import ListJobsError

__all__ = [
    "CallExpectation",
    "Expectation",
    "ParamsExpectation",
    "copy_page",
    "copy_response",
    "event_name",
    "install_probe",
]


class _Chain(Protocol):
    """What an expectation reads of a chain (``ListJobsChain``, without importing it)."""

    @property
    def app_id(self) -> str: ...

    @property
    def branch_name(self) -> str: ...

    @property
    def max_results(self) -> int | None: ...

    @property
    def pages(self) -> tuple[Any, ...]: ...

    @property
    def error(self) -> ListJobsError | None: ...

    def expected_params(self, i: int) -> dict[str, Any]: ...


_MISSING = "<not sent>"
_PROBE_ID = "pytest-amplify-jobs-params-probe"
_last_params: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "pytest_amplify_jobs_last_params", default=None
)


def _probe(params: Mapping[str, Any], **_: Any) -> None:
    _last_params.set(params)


def event_name(prefix: str, client: BaseClient) -> str:
    """``prefix`` for every operation of ``client``'s service (``provide-client-params.amplify``)."""
    return f"{prefix}.{client.meta.service_model.service_id.hyphenize()}"


def install_probe(client: BaseClient) -> None:
    """Record the parameters of each call on ``client`` for the expectations (idempotent)."""
    client.meta.events.register(
        event_name("provide-client-params", client), _probe, unique_id=_PROBE_ID
    )


def copy_response(value: Any) -> Any:
    """A deep copy of a response: dicts and lists are copied, leaves are immutable."""
    if isinstance(value, dict):
        return {k: copy_response(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_response(v) for v in value]
    return value


def copy_page(page: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a generated ListJobs page, by its known shape: the page, each job and the
    metadata dicts are copied; every value inside a job is immutable (strings, datetimes).
    About twice as fast as :func:`copy_response`, which hand-built pages keep using."""
    m = _model.model()
    out = dict(page)
    out[m.result_key] = [dict(job) for job in page[m.result_key]]
    meta = page.get("ResponseMetadata")
    if meta is not None:
        out["ResponseMetadata"] = {**meta, "HTTPHeaders": dict(meta["HTTPHeaders"])}
    return out


class ParamsExpectation(Mapping[str, Any]):
    """The expected parameters of one queued call, checked when the ``Stubber`` reads them.

    The ``Stubber`` reads ``expected_params`` through ``items()``: there the call's real
    parameters are compared with :attr:`expected`, each differing one is named in a
    ``StubAssertionError``, and otherwise the received parameters are presented so that the
    Stubber's own equality check agrees. Subclasses say what the call is (:meth:`describe`) and
    which parameters go unchecked (:meth:`unchecked`); ``expected=None`` checks nothing.
    """

    operation: str
    expected: dict[str, Any] | None

    def __init__(self, operation: str, expected: Mapping[str, Any] | None) -> None:
        self.operation = operation
        self.expected = None if expected is None else dict(expected)
        self._view: Mapping[str, Any] = self.expected or {}

    def describe(self) -> str:
        raise NotImplementedError

    def unchecked(self, name: str) -> bool:
        """Whether parameter ``name`` may have any value, or be missing."""
        return False

    def differences(self, params: Mapping[str, Any]) -> list[str]:
        if self.expected is None:
            return []
        lines = []
        for name in [*self.expected, *(k for k in params if k not in self.expected)]:
            if self.unchecked(name):
                continue
            want = self.expected.get(name, _MISSING)
            got = params.get(name, _MISSING)
            if want != got:
                shown_want = want if want is _MISSING else short_repr(want)
                shown_got = got if got is _MISSING else short_repr(got)
                lines.append(f"  {name}: expected {shown_want}, got {shown_got}")
        return lines

    def check(self, params: Mapping[str, Any]) -> None:
        from botocore.exceptions import StubAssertionError

        lines = self.differences(params)
        if lines:
            raise StubAssertionError(
                operation_name=self.operation,
                reason=f"parameters differ for {self.describe()}:\n" + "\n".join(lines),
            )
        self._view = params

    def items(self) -> Any:
        params = _last_params.get()
        if params is None:  # the probe was not installed: compare with what we expect
            params = self.expected or {}
        self.check(params)
        return super().items()

    def __getitem__(self, key: str) -> Any:
        return self._view[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._view)

    def __len__(self) -> int:
        return len(self._view)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


class Expectation(ParamsExpectation):
    """The expected parameters of one call of a chain, checked as the chain states them
    (``maxResults`` only when the chain has ``max_results``)."""

    def __init__(self, chain: _Chain, index: int) -> None:
        super().__init__(_model.OPERATION_NAME, chain.expected_params(index))
        self.chain = chain
        self.index = index

    def describe(self) -> str:
        m = _model.model()
        what = (
            f"page {self.index + 1} of {len(self.chain.pages)}"
            if self.index < len(self.chain.pages)
            else f"error {self.chain.error.code if self.chain.error else '?'}"
        )
        token = (self.expected or {}).get(m.input_token)
        token_text = f"nextToken={short_repr(token, 40)}" if token else "no nextToken"
        return (
            f"call {self.index} of chain {self.chain.app_id}/{self.chain.branch_name} "
            f"({what}, expects {token_text})"
        )

    def unchecked(self, name: str) -> bool:
        return name == _model.model().limit_key and self.chain.max_results is None


class CallExpectation(ParamsExpectation):
    """The expected parameters of one queued call of any operation (``None``: not checked);
    ``stub.ANY`` matches anything, as in the ``Stubber``."""

    def __init__(self, operation: str, expected: Mapping[str, Any] | None, what: str = "") -> None:
        super().__init__(operation, expected)
        self.what = what

    def describe(self) -> str:
        call = (
            call_text(self.operation, self.expected)
            if self.expected is not None
            else f"{method_name(self.operation)}(any parameters)"
        )
        return f"{call}{f' -> {self.what}' if self.what else ''}"

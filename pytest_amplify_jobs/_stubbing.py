"""What we add to botocore's ``Stubber``: parameter diffs, optional maxResults, copies, messages.

The Stubber compares ``expected_params`` as a plain dict: every key must be sent and no other,
so "any maxResults, or none" cannot be said, and a mismatch dumps two whole dicts. We queue an
:class:`Expectation` instead. It is a ``Mapping`` the Stubber reads through ``items()`` and
``keys()``; on ``items()`` it compares the call's real parameters (recorded for this thread by a
``provide-client-params`` hook, which botocore emits just before the Stubber's check) with what
the chain expects, raises a ``StubAssertionError`` that names each differing parameter, and
otherwise presents the received parameters so the Stubber's own equality check agrees.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import functools
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _model

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.stub import Stubber

    from pytest_amplify_jobs._chain import ListJobsChain

__all__ = [
    "Expectation",
    "ListJobsQueue",
    "ListJobsStub",
    "pending_message",
    "queue_chain",
    "stub_list_jobs",
]

_MISSING = "<not sent>"
_PROBE_ID = "pytest-amplify-jobs-params-probe"
_last_params: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "pytest_amplify_jobs_last_params", default=None
)


def _probe(params: Mapping[str, Any], **_: Any) -> None:
    _last_params.set(params)


def _event(prefix: str, client: BaseClient) -> str:
    service_id = client.meta.service_model.service_id.hyphenize()
    return f"{prefix}.{service_id}.{_model.OPERATION_NAME}"


def install_probe(client: BaseClient) -> None:
    """Record the parameters of each ListJobs call on ``client`` (idempotent)."""
    client.meta.events.register(
        _event("provide-client-params", client), _probe, unique_id=_PROBE_ID
    )


def copy_response(value: Any) -> Any:
    """A deep copy of a response: dicts and lists are copied, leaves are immutable."""
    if isinstance(value, dict):
        return {k: copy_response(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_response(v) for v in value]
    return value


class Expectation(Mapping[str, Any]):
    """The expected parameters of one call of a chain, checked as the chain states them."""

    def __init__(self, chain: ListJobsChain, index: int) -> None:
        self.chain = chain
        self.index = index
        self.expected = chain.expected_params(index)
        self._view: Mapping[str, Any] = self.expected

    def describe(self) -> str:
        m = _model.model()
        what = (
            f"page {self.index + 1} of {len(self.chain.pages)}"
            if self.index < len(self.chain.pages)
            else f"error {self.chain.error.code if self.chain.error else '?'}"
        )
        token = self.expected.get(m.input_token)
        token_text = f"nextToken={_model.short_repr(token, 40)}" if token else "no nextToken"
        return (
            f"call {self.index} of chain {self.chain.app_id}/{self.chain.branch_name} "
            f"({what}, expects {token_text})"
        )

    def differences(self, params: Mapping[str, Any]) -> list[str]:
        m = _model.model()
        lines = []
        names = list(self.expected) + [k for k in params if k not in self.expected]
        for name in names:
            if name == m.limit_key and self.chain.max_results is None:
                continue  # not checked: any maxResults, or none
            want = self.expected.get(name, _MISSING)
            got = params.get(name, _MISSING)
            if want != got:
                shown_want = want if want is _MISSING else _model.short_repr(want)
                shown_got = got if got is _MISSING else _model.short_repr(got)
                lines.append(f"  {name}: expected {shown_want}, got {shown_got}")
        return lines

    def check(self, params: Mapping[str, Any]) -> None:
        from botocore.exceptions import StubAssertionError

        lines = self.differences(params)
        if lines:
            raise StubAssertionError(
                operation_name=_model.OPERATION_NAME,
                reason=f"parameters differ for {self.describe()}:\n" + "\n".join(lines),
            )
        self._view = params

    def items(self) -> Any:
        params = _last_params.get()
        if params is None:  # the probe was not installed: compare with what we expect
            params = self.expected
        self.check(params)
        return super().items()

    def __getitem__(self, key: str) -> Any:
        return self._view[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._view)

    def __len__(self) -> int:
        return len(self._view)

    def __repr__(self) -> str:
        return f"<Expectation {self.describe()}>"


def queue_chain(stubber: Stubber, chain: ListJobsChain) -> list[Expectation]:
    """Queue every call of ``chain`` on ``stubber``; return the expectations, in order."""
    chain.validate()
    m = _model.model()
    client = stubber.client
    install_probe(client)
    expectations = []
    fast_queue = _fast_queue(stubber) if chain._trusted else None
    for index, page in enumerate(chain.pages):
        expectation = Expectation(chain, index)
        if fast_queue is not None:
            fast_queue.append(
                {
                    "operation_name": _model.OPERATION_NAME,
                    "response": (_ok_http_response(), copy_response(page)),
                    "expected_params": expectation,
                }
            )
        else:
            stubber.add_response(m.method_name, copy_response(page), expectation)
        expectations.append(expectation)
    if chain.error is not None:
        response = error_response(chain)
        expectation = Expectation(chain, len(chain.pages))
        # add_client_error builds the same response from its parts (and sets the status).
        meta = {k: v for k, v in response["ResponseMetadata"].items() if k != "HTTPStatusCode"}
        stubber.add_client_error(
            m.method_name,
            service_error_code=chain.error.code,
            service_message=chain.error.message,
            http_status_code=chain.error.http_status,
            expected_params=expectation,
            response_meta=meta,
            modeled_fields={"message": response["message"]} if "message" in response else None,
        )
        expectations.append(expectation)
    return expectations


def _fast_queue(stubber: Stubber) -> Any:
    """The Stubber's own queue, when entries can be appended to it directly.

    ``add_response`` re-validates each page with botocore's validator, which is most of the
    cost of queueing; a generated chain is valid by construction (and stricter than that
    validator checks), so it goes straight into the queue in the very form ``add_response``
    builds. Only for botocore's own ``Stubber`` whose queue looks as expected: a subclass that
    overrides ``add_response``, or another botocore version, takes the public path.
    """
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


def _ok_http_response() -> Any:
    from botocore.awsrequest import AWSResponse

    return AWSResponse(None, 200, {}, None)  # type: ignore[arg-type]


def error_response(chain: ListJobsChain) -> dict[str, Any]:
    """The parsed response botocore builds for the chain's error: ``Error``, the modeled
    ``message`` field, and ``ResponseMetadata`` with the model's HTTP status, dated just after
    the last page."""
    import email.utils
    import json

    from pytest_amplify_jobs import _generate

    error = chain.error
    assert error is not None
    when = _generate._EPOCH
    if chain.pages:
        when = email.utils.parsedate_to_datetime(
            chain.pages[-1]["ResponseMetadata"]["HTTPHeaders"]["date"]
        )
    response: dict[str, Any] = {
        "ResponseMetadata": _generate.response_metadata(
            _generate.request_id(len(chain.pages) + 7919 * len(chain.jobs)),
            when,
            status=error.http_status,
            length=len(json.dumps({"message": error.message})),
            extra={"x-amzn-errortype": f"{error.code}:"},
        ),
        "Error": {"Message": error.message, "Code": error.code},
    }
    if "message" in _model.model().error_fields.get(error.code, ()):
        response["message"] = error.message
    return response


OPT_OUT = (
    "If that is intended, opt out with @pytest.mark.amplify_jobs(assert_all_consumed=False) "
    "(fixtures) or stub_list_jobs(..., assert_all_consumed=False)."
)


def pending_calls(stubber: Stubber) -> list[str]:
    """A description of every call still queued on ``stubber``, ours or queued by hand."""
    queue = getattr(stubber, "_queue", None)  # the Stubber keeps its queue private
    if queue is None:
        try:
            stubber.assert_no_pending_responses()
        except AssertionError as error:
            return [str(error)]
        return []
    out = []
    for entry in queue:
        expected = entry.get("expected_params")
        if isinstance(expected, Expectation):
            out.append(expected.describe())
        else:
            out.append(f"{entry.get('operation_name')} (queued on the Stubber by hand)")
    return out


def pending_message(pending: list[str]) -> str:
    lines = [f"{len(pending)} queued call(s) were never made:"]
    lines += [f"  - {description}" for description in pending]
    lines.append("The code under test stopped listing early, or never listed. " + OPT_OUT)
    return "\n".join(lines)


@contextlib.contextmanager
def stub_list_jobs(
    chain: ListJobsChain,
    *,
    client: BaseClient | None = None,
    intercept: bool = False,
    assert_all_consumed: bool = True,
) -> Iterator[BaseClient]:
    """Serve ``chain`` to ListJobs calls, checking each call's parameters.

    The pattern for ``@given`` tests, where function-scoped fixtures are not reset between
    examples. Yields a client (a new one with fake credentials, never the user's real ones,
    unless ``client`` is given). By default a fresh ``Stubber`` on that client serves the
    chain; with ``intercept=True`` every Amplify client in the process is served instead (see
    ``amplify_intercept``). On a clean exit, asserts that every call of the chain was made.

    >>> with stub_list_jobs(generate_chain(jobs=3)) as client:
    ...     jobs = list_all_jobs(client, chain.app_id, chain.branch_name)
    """
    if client is None:
        client = make_client(chain.region)
    queue: ListJobsQueue
    if intercept:
        from pytest_amplify_jobs._intercept import ListJobsIntercept

        queue = ListJobsIntercept(region=chain.region)
        with queue:
            queue.add(chain)
            yield client
    else:
        from botocore.stub import Stubber

        stubber = Stubber(client)
        stub = queue = ListJobsStub(client, stubber)
        try:
            queue.add(chain)
            with stubber:
                yield client
        finally:
            stub.close()
    if assert_all_consumed:
        queue.assert_all_consumed()


class ListJobsQueue:
    """What a test does with queued ListJobs chains, whichever mechanism serves them.

    Subclasses say how a chain is queued (:meth:`_queue`) and what is still pending
    (:meth:`pending`); adding, generating with seeds and marker defaults, recording calls and
    the failure report are shared.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        defaults: Mapping[str, Any] | None = None,
        region: str = "us-east-1",
    ) -> None:
        self.seed = seed
        self.region = region
        self._defaults = dict(defaults or {})
        self._chains: list[ListJobsChain] = []
        self._seeds: list[int] = []
        self._calls: list[dict[str, Any]] = []

    def _queue(self, chain: ListJobsChain) -> None:
        raise NotImplementedError

    def pending(self) -> list[str]:
        """Descriptions of the calls still queued."""
        raise NotImplementedError

    def _record(self, params: Mapping[str, Any], **_: Any) -> None:
        self._calls.append(dict(params))

    def add(self, chain: ListJobsChain) -> ListJobsChain:
        """Queue an explicit chain (hand-built ones are strictly validated first)."""
        from pytest_amplify_jobs._chain import ListJobsChain

        if not isinstance(chain, ListJobsChain):
            raise TypeError(
                f"chain={_model.short_repr(chain)} must be a ListJobsChain "
                "(from generate_chain, a strategy, or ListJobsChain(...))"
            )
        self._queue(chain)
        self._chains.append(chain)
        return chain

    def generate(self, **kwargs: Any) -> ListJobsChain:
        """``generate_chain(**kwargs)`` with marker defaults and this test's seed, queued."""
        import inspect

        from pytest_amplify_jobs._chain import generate_chain

        allowed = inspect.signature(generate_chain).parameters
        unknown = sorted(set(kwargs) - set(allowed))
        if unknown:
            raise TypeError(
                f"generate() got unknown keyword argument(s) {', '.join(unknown)}; "
                f"allowed: {', '.join(allowed)}"
            )
        options = {**self._defaults, **kwargs}
        options.setdefault("seed", self.seed + len(self._chains))
        options.setdefault("region", self.region)
        chain = generate_chain(**options)
        self._seeds.append(options["seed"])
        return self.add(chain)

    @property
    def calls(self) -> list[dict[str, Any]]:
        """The parameters of every ListJobs call made so far, in order (copies)."""
        return [dict(c) for c in self._calls]

    @property
    def chains(self) -> tuple[ListJobsChain, ...]:
        """Every chain queued so far, in order."""
        return tuple(self._chains)

    def assert_all_consumed(self) -> None:
        """Raise ``AssertionError`` listing each call still queued, if any."""
        pending = self.pending()
        if pending:
            raise AssertionError(pending_message(pending))

    def report(self) -> str:
        """The failure-report section: chains, calls made and pending, seeds."""
        m = _model.model()
        lines = [f"seed: {self.seed}" + (f" (generated with {self._seeds})" if self._seeds else "")]
        for number, chain in enumerate(self._chains):
            error = (
                f"{chain.error.code} (HTTP {chain.error.http_status}) at call {chain.error_at}"
                if chain.error
                else "none"
            )
            lines.append(
                f"chain {number}: app {chain.app_id}, branch {chain.branch_name}, "
                f"{len(chain.pages)} pages, {len(chain.jobs)} jobs, page_size {chain.page_size}, "
                f"max_results {chain.max_results}, error {error}"
            )
        lines.append(f"calls made ({len(self._calls)}):")
        for params in self._calls:
            shown = ", ".join(
                f"{k}={_model.short_repr(v, 30)}" for k, v in params.items() if k != m.input_token
            )
            token = params.get(m.input_token)
            if token is not None:
                shown += f", nextToken={_model.short_repr(token, 30)}"
            lines.append(f"  {m.method_name}({shown})")
        pending = self.pending()
        lines.append(f"calls pending ({len(pending)}):")
        lines += [f"  {p}" for p in pending]
        return "\n".join(lines)


class ListJobsStub(ListJobsQueue):
    """What the ``list_jobs_stub`` fixture gives a test: queue chains, read the calls made.

    ``client`` and ``stubber`` are the very objects of the ``amplify_client`` and
    ``amplify_stubber`` fixtures. Works without pytest too: build it on any client and Stubber.

    >>> stub = ListJobsStub(client, stubber)
    >>> chain = stub.generate(jobs=30, page_size=10)
    """

    def __init__(
        self,
        client: BaseClient,
        stubber: Stubber,
        *,
        seed: int = 0,
        defaults: Mapping[str, Any] | None = None,
        region: str | None = None,
    ) -> None:
        super().__init__(
            seed=seed,
            defaults=defaults,
            region=region if region is not None else client.meta.region_name,
        )
        self.client = client
        self.stubber = stubber
        self._recorder_id = f"pytest-amplify-jobs-calls-{id(self)}"
        install_probe(client)
        client.meta.events.register(
            _event("provide-client-params", client), self._record, unique_id=self._recorder_id
        )

    def close(self) -> None:
        """Stop recording calls on the client (the queue itself belongs to the Stubber)."""
        self.client.meta.events.unregister(
            _event("provide-client-params", self.client), unique_id=self._recorder_id
        )

    def _queue(self, chain: ListJobsChain) -> None:
        queue_chain(self.stubber, chain)

    def pending(self) -> list[str]:
        return pending_calls(self.stubber)


def make_client(region: str = "us-east-1") -> BaseClient:
    """An Amplify client that never reads real credentials, config or AWS_* variables."""
    from botocore.config import Config

    client: BaseClient = _isolated_session().create_client(
        _model.SERVICE_NAME,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
        # AWS_ENDPOINT_URL* is read outside the session variables; a test must not follow it.
        config=Config(ignore_configured_endpoint_urls=True),  # type: ignore[call-arg]
    )
    return client


_NOWHERE = "/nonexistent/pytest-amplify-jobs"


@functools.cache
def _isolated_session() -> Any:
    import botocore.session
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    # Every session variable keeps its default but loses its environment variable, and the
    # config and credentials files point nowhere: ~/.aws, AWS_PROFILE, AWS_ENDPOINT_URL... are
    # never consulted, whatever the machine running the tests has.
    session_vars = {
        name: (config_name, None, default, converter)
        for name, (config_name, _env, default, converter) in (
            BOTOCORE_DEFAUT_SESSION_VARIABLES.items()
        )
    }
    session_vars["config_file"] = (None, None, f"{_NOWHERE}/config", None)
    session_vars["credentials_file"] = (None, None, f"{_NOWHERE}/credentials", None)
    # Explicit credentials are passed to create_client, so the credential chain never runs.
    return botocore.session.Session(session_vars=session_vars)

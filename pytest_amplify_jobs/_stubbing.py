"""Queues of ListJobs chains: what a test does with them, and the botocore ``Stubber`` one.

:class:`ListJobsQueue` is shared by every mechanism that serves queued chains (the Stubber here,
intercept mode in :mod:`._intercept`): adding, generating with seeds and marker defaults,
recording calls and the failure report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _botocore, _model
from pytest_amplify_jobs._chain import ListJobsChain, chain_from
from pytest_amplify_jobs._expect import Expectation, event_name, install_probe
from pytest_amplify_jobs._options import GenerateOptions
from pytest_amplify_jobs._text import pending_message, short_repr

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.stub import Stubber

__all__ = ["ListJobsQueue", "ListJobsStub", "pending_calls"]


def pending_calls(stubber: Stubber) -> list[str]:
    """A description of every call still queued on ``stubber``, ours or queued by hand."""
    entries = _botocore.queued_entries(stubber)
    if entries is None:
        try:
            stubber.assert_no_pending_responses()
        except AssertionError as error:
            return [str(error)]
        return []
    out = []
    for operation, expected in entries:
        if isinstance(expected, Expectation):
            out.append(expected.describe())
        else:
            out.append(f"{operation} (queued on the Stubber by hand)")
    return out


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
        if not isinstance(chain, ListJobsChain):
            raise TypeError(
                f"chain={short_repr(chain)} must be a ListJobsChain "
                "(from generate_chain, a strategy, or ListJobsChain(...))"
            )
        self._queue(chain)
        self._chains.append(chain)
        return chain

    def generate(self, **kwargs: Any) -> ListJobsChain:
        """``generate_chain(**kwargs)`` with marker defaults and this test's seed, queued."""
        GenerateOptions.check_keys(kwargs, "generate()")
        merged = {**self._defaults, **kwargs}
        merged.setdefault("seed", self.seed + len(self._chains))
        merged.setdefault("region", self.region)
        options = GenerateOptions(**merged)
        chain = chain_from(options)
        self._seeds.append(options.seed)
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
                f"{k}={short_repr(v, 30)}" for k, v in params.items() if k != m.input_token
            )
            token = params.get(m.input_token)
            if token is not None:
                shown += f", nextToken={short_repr(token, 30)}"
            lines.append(f"  {m.method_name}({shown})")
        pending = self.pending()
        lines.append(f"calls pending ({len(pending)}):")
        lines += [f"  {p}" for p in pending]
        return "\n".join(lines)


class ListJobsStub(ListJobsQueue):
    """What the ``list_jobs_stub`` fixture gives a test: queue chains, read the calls made.

    ``client`` and ``stubber`` are the very objects of the ``amplify_client`` and
    ``amplify_stubber`` fixtures. Works without pytest too: build it on any client and Stubber.

    >>> from botocore.stub import Stubber
    >>> from pytest_amplify_jobs._client import make_client
    >>> client = make_client()
    >>> with Stubber(client) as stubber:
    ...     stub = ListJobsStub(client, stubber, seed=7)
    ...     chain = stub.generate(jobs=30, page_size=10)
    ...     first = client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    >>> len(first["jobSummaries"]), len(stub.calls), len(stub.pending())
    (10, 1, 2)
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
            event_name("provide-client-params", client), self._record, unique_id=self._recorder_id
        )

    def close(self) -> None:
        """Stop recording calls on the client (the queue itself belongs to the Stubber)."""
        self.client.meta.events.unregister(
            event_name("provide-client-params", self.client), unique_id=self._recorder_id
        )

    def _queue(self, chain: ListJobsChain) -> None:
        chain.add_to(self.stubber)

    def pending(self) -> list[str]:
        return pending_calls(self.stubber)

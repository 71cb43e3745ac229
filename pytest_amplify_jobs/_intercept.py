"""Intercept mode: serve the ListJobs calls of every Amplify client in the process from a queue.

The calls are checked and answered at botocore's ``before-parameter-build`` / ``before-call``
stages (see :mod:`._routing`), before anything is signed or sent.
"""

from __future__ import annotations

import collections
import contextvars
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._expect import Expectation, copy_response
from pytest_amplify_jobs._routing import Mode, lock, refused
from pytest_amplify_jobs._stubbing import ListJobsQueue

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from pytest_amplify_jobs._chain import ListJobsChain

__all__ = ["ListJobsIntercept"]


@dataclass
class _Entry:
    expectation: Expectation
    status: int
    response: dict[str, Any]


# The entry a call took at parameter-build, answered at before-call (same thread or task).
_taken: contextvars.ContextVar[_Entry | None] = contextvars.ContextVar(
    "pytest_amplify_jobs_taken", default=None
)


class ListJobsIntercept(ListJobsQueue, Mode):
    """Serve the ListJobs calls of every Amplify client in the process from one queue.

    The ``amplify_intercept`` fixture gives one, active for the test; outside pytest use it as
    a context manager. Same interface as :class:`ListJobsStub` (``add``, ``generate``,
    ``calls``, ``pending``, ``report``) plus ``client``, a client of our own with fake
    credentials, for convenience.

    >>> import botocore.session
    >>> with ListJobsIntercept() as intercept:
    ...     chain = intercept.generate(jobs=30, page_size=30)
    ...     # code that builds its own client, with whatever credentials it finds
    ...     own = botocore.session.get_session().create_client(
    ...         "amplify", region_name="us-east-1",
    ...         aws_access_key_id="any", aws_secret_access_key="any",
    ...     )
    ...     page = own.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
    >>> page["jobSummaries"] == list(chain.jobs)
    True
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
        with lock:
            for index, page in enumerate(chain.pages):
                self._entries.append(_Entry(Expectation(chain, index), 200, dict(page)))
            if chain.error is not None:
                response = chain.error_response()
                self._entries.append(
                    _Entry(Expectation(chain, len(chain.pages)), chain.error.http_status, response)
                )

    def pending(self) -> list[str]:
        with lock:
            return [entry.expectation.describe() for entry in self._entries]

    # -- serving ------------------------------------------------------------------------

    def _unqueued(self, operation: str, client: Any) -> Exception:
        queued = self.pending()
        nxt = f"next queued: {queued[0]}" if queued else "nothing is queued"
        return refused(
            operation,
            client,
            f"was not queued in pytest-amplify-jobs intercept mode ({self._served} call(s) "
            f"served, {nxt}). No request was sent. Queue ListJobs calls with .generate() / "
            ".add(); other Amplify operations are served by amplify_fake.",
        )

    def on_parameter_build(self, model: OperationModel, params: Mapping[str, Any]) -> None:
        # Check and take in one locked step: a concurrent call can never be answered with the
        # page another call was checked against.
        _taken.set(None)
        with lock:
            if model.name != _model.OPERATION_NAME:
                return  # refused at before-call, where the client is known
            self._record(params)
            if not self._entries:
                return
            self._entries[0].expectation.check(params)
            _taken.set(self._entries.popleft())
            self._served += 1

    def on_before_call(self, model: OperationModel, client: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        entry = _taken.get()
        _taken.set(None)
        if entry is None or model.name != _model.OPERATION_NAME:
            with lock:
                raise self._unqueued(model.name, client)
        http = AWSResponse(None, entry.status, {}, None)  # type: ignore[arg-type]
        return http, copy_response(entry.response)

    def describe(self) -> str:
        return "intercept mode"

    def __enter__(self) -> ListJobsIntercept:
        return super().__enter__()  # type: ignore[no-any-return]

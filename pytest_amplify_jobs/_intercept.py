"""Intercept mode: serve the job calls of every Amplify client in the process from queues.

Each operation has its own queue (first in, first out within the operation), so ListJobs pages
the code never reads do not block its StartJob. The calls are checked and answered at
botocore's ``before-parameter-build`` / ``before-call`` stages (see :mod:`._routing`), before
anything is signed or sent.
"""

from __future__ import annotations

import collections
import contextvars
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._expect import CallExpectation, Expectation, copy_response
from pytest_amplify_jobs._routing import Mode, lock, refused
from pytest_amplify_jobs._stubbing import AmplifyQueue

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from pytest_amplify_jobs._chain import ListJobsChain

__all__ = ["AmplifyIntercept"]


@dataclass
class _Entry:
    expectation: Expectation | CallExpectation
    status: int
    response: dict[str, Any]
    order: int = 0  # when it was queued, across operations (for pending lists)


# The entry a call took at parameter-build, answered at before-call (same thread or task).
_taken: contextvars.ContextVar[_Entry | None] = contextvars.ContextVar(
    "pytest_amplify_jobs_taken", default=None
)


class AmplifyIntercept(AmplifyQueue, Mode):
    """Serve the job calls of every Amplify client in the process from queued responses.

    The ``amplify_intercept`` fixture gives one, active for the test; outside pytest use it as
    a context manager. Same interface as :class:`AmplifyStub` (``add``, ``generate``,
    ``add_response``, ``add_client_error``, ``add_job_progress``, ``calls``, ``pending``,
    ``report``) plus ``client``, a client of our own with fake credentials, for convenience.
    Each operation has its own queue: unread ListJobs pages never block a StartJob, and the
    teardown check still lists every queued call that was never made.

    >>> import botocore.session
    >>> with AmplifyIntercept() as intercept:
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
        self._queues: dict[str, collections.deque[_Entry]] = collections.defaultdict(
            collections.deque
        )
        self._order = itertools.count()
        self._served = 0

    # -- queueing ------------------------------------------------------------------------

    def _queue(self, chain: ListJobsChain) -> None:
        chain.validate()
        queue = self._queues[_model.OPERATION_NAME]
        with lock:
            for index, page in enumerate(chain.pages[: chain.queued_calls]):
                queue.append(_Entry(Expectation(chain, index), 200, dict(page), next(self._order)))
            if chain.error is not None and chain.queued_calls > len(chain.pages):
                response = chain.error_response()
                queue.append(
                    _Entry(
                        Expectation(chain, len(chain.pages)),
                        chain.error.http_status,
                        response,
                        next(self._order),
                    )
                )

    def _queue_response(
        self, operation: str, response: dict[str, Any], expectation: CallExpectation
    ) -> None:
        status = response["ResponseMetadata"]["HTTPStatusCode"] if "Error" in response else 200
        with lock:
            self._queues[operation].append(_Entry(expectation, status, response, next(self._order)))

    def pending(self) -> list[str]:
        with lock:
            entries = sorted(
                (e for queue in self._queues.values() for e in queue), key=lambda e: e.order
            )
            return [entry.expectation.describe() for entry in entries]

    # -- serving ------------------------------------------------------------------------

    def _unqueued(self, operation: str, client: Any) -> Exception:
        queued = self.pending()
        nxt = f"next queued: {queued[0]}" if queued else "nothing is queued"
        return refused(
            operation,
            client,
            f"was not queued in pytest-amplify-jobs intercept mode ({self._served} call(s) "
            f"served, {nxt}; no {operation} response is left). No request was sent. Queue "
            "ListJobs calls with .generate() / .add(), other job operations with "
            ".add_response() / .add_client_error() / .add_job_progress(); or use amplify_fake.",
        )

    def on_parameter_build(self, model: OperationModel, params: Mapping[str, Any]) -> None:
        # Check and take in one locked step: a concurrent call can never be answered with the
        # response another call was checked against.
        _taken.set(None)
        with lock:
            self._record(params, model=model)
            queue = self._queues.get(model.name)
            if not queue:
                return  # refused at before-call, where the client is known
            queue[0].expectation.check(params)
            _taken.set(queue.popleft())
            self._served += 1

    def on_before_call(self, model: OperationModel, client: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        entry = _taken.get()
        _taken.set(None)
        if entry is None:
            with lock:
                raise self._unqueued(model.name, client)
        http = AWSResponse(None, entry.status, {}, None)  # type: ignore[arg-type]
        return http, copy_response(entry.response)

    def describe(self) -> str:
        return "intercept mode"

    def __enter__(self) -> AmplifyIntercept:
        return super().__enter__()  # type: ignore[no-any-return]

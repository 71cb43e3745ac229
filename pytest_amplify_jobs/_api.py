"""``stub_list_jobs``: one chain served for the length of a ``with`` block (also in ``@given``)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pytest_amplify_jobs._chain import ListJobsChain
from pytest_amplify_jobs._checks import check_bool
from pytest_amplify_jobs._client import check_amplify_client
from pytest_amplify_jobs._intercept import AmplifyIntercept
from pytest_amplify_jobs._routing import Guard, guarded_client, refusals
from pytest_amplify_jobs._stubbing import AmplifyQueue, AmplifyStub
from pytest_amplify_jobs._text import refused_message, short_repr

if TYPE_CHECKING:
    from botocore.client import BaseClient


__all__ = ["stub_list_jobs"]


@contextlib.contextmanager
def stub_list_jobs(
    chain: ListJobsChain,
    *,
    client: BaseClient | None = None,
    intercept: bool = False,
    assert_all_consumed: bool = True,
    assert_no_refused_calls: bool = True,
    calls: int | None = None,
) -> Iterator[BaseClient]:
    """Serve ``chain`` to ListJobs calls, checking each call's parameters.

    The pattern for ``@given`` tests, where function-scoped fixtures are not reset between
    examples. Yields a client (a new one with fake credentials, never the user's real ones,
    unless ``client`` is given). By default a fresh ``Stubber`` on that client serves the
    chain; with ``intercept=True`` every Amplify client in the process is served instead (see
    ``amplify_intercept``). Any other Amplify client is refused (never signed or sent). On a
    clean exit, asserts that every call of the chain was made and that no call was refused,
    even one the code under test swallowed (``assert_all_consumed=False`` /
    ``assert_no_refused_calls=False`` opt out). ``calls=N`` serves only the first N ListJobs
    calls of the chain (code that reads the newest page only); page N keeps its ``nextToken``.

    >>> from pytest_amplify_jobs import generate_chain
    >>> chain = generate_chain(jobs=120, page_size=50)
    >>> with stub_list_jobs(chain) as client:
    ...     pages = client.get_paginator("list_jobs").paginate(
    ...         appId=chain.app_id, branchName=chain.branch_name
    ...     )
    ...     jobs = [job for page in pages for job in page["jobSummaries"]]
    >>> jobs == list(chain.jobs)
    True
    """
    if not isinstance(chain, ListJobsChain):
        raise TypeError(
            f"chain={short_repr(chain)} must be a ListJobsChain "
            "(from generate_chain, a strategy, or ListJobsChain(...))"
        )
    if calls is not None:
        chain = dataclasses.replace(chain, calls=calls)  # checked by the chain, then validated
    check_bool(TypeError, "intercept", intercept)
    check_bool(TypeError, "assert_all_consumed", assert_all_consumed)
    check_bool(TypeError, "assert_no_refused_calls", assert_no_refused_calls)
    if client is not None:
        check_amplify_client(client)
    if client is None:
        client = guarded_client(chain.region)
    mark = refusals.mark()
    queue: AmplifyQueue
    if intercept:
        queue = AmplifyIntercept(region=chain.region)
        with queue:
            queue.add(chain)
            yield client
    else:
        from botocore.stub import Stubber

        stubber = Stubber(client)
        stub = queue = AmplifyStub(client, stubber)
        try:
            queue.add(chain)
            with Guard("stub_list_jobs (Stubber mode)"), stubber:
                yield client
        finally:
            stub.close()
    refused_calls = refusals.since(mark)
    if assert_no_refused_calls and refused_calls:
        raise AssertionError(refused_message([r.describe() for r in refused_calls]))
    if assert_all_consumed:
        queue.assert_all_consumed()

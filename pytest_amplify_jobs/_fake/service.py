"""``FakeListJobs``: the fake service as a mode, its public methods, retry sleeps and report."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_amplify_jobs import _botocore, _generate, _model, _wire
from pytest_amplify_jobs._checks import (
    check_bool,
    check_int,
    check_region,
    check_request_value,
    check_seed,
)
from pytest_amplify_jobs._choices import RandomChoices
from pytest_amplify_jobs._fake.state import Store
from pytest_amplify_jobs._fake.wire import FakeRequest, NotServed, answer
from pytest_amplify_jobs._options import MAX_JOBS
from pytest_amplify_jobs._routing import Mode
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._validate import validate_list_jobs_response

if TYPE_CHECKING:
    from pytest_amplify_jobs._types import JobSummary

__all__ = ["FakeListJobs", "FakeServiceError", "fake_list_jobs"]


class FakeServiceError(AssertionError):
    """A call the fake cannot answer like the service would (it never reaches the network)."""


class FakeListJobs(Mode):
    """A stateful, thread-safe ListJobs service for every Amplify client in the process.

    It reads the real HTTP request (method, path with appId and branchName, query string with
    nextToken and maxResults), keeps branch histories as state, and returns the JSON body and
    headers Amplify would send; botocore's own parser and retry handler run for real.

    >>> import botocore.session
    >>> with fake_list_jobs() as fake:
    ...     history = fake.add_branch(app_id="d1abc", branch_name="main", jobs=120)
    ...     client = botocore.session.get_session().create_client(
    ...         "amplify", region_name="us-east-1",
    ...         aws_access_key_id="any", aws_secret_access_key="any",
    ...     )
    ...     pages = client.get_paginator("list_jobs").paginate(appId="d1abc", branchName="main")
    ...     jobs = [job for page in pages for job in page["jobSummaries"]]
    >>> jobs == history, len(fake.requests)
    (True, 3)
    """

    def __init__(
        self, *, seed: int = 0, keep_retry_delays: bool = False, region: str = "us-east-1"
    ) -> None:
        check_seed(ValueError, seed)
        check_bool(ValueError, "keep_retry_delays", keep_retry_delays)
        check_region(ValueError, region, none_ok=False)
        self.seed = seed
        self.region = region
        self.keep_retry_delays = keep_retry_delays
        self._store = Store(seed=seed, region=region)
        self._lock = self._store.lock
        self._requests: list[FakeRequest] = []
        self._backoffs: list[float] = []

    # ---------------------------------------------------------------------------------- state

    @property
    def requests(self) -> list[FakeRequest]:
        """Every request answered so far, in order (retries included)."""
        with self._lock:
            return list(self._requests)

    @property
    def backoffs(self) -> list[float]:
        """The retry delays botocore asked for (slept as zero unless ``keep_retry_delays``)."""
        with self._lock:
            return list(self._backoffs)

    def add_branch(
        self,
        app_id: str | None = None,
        branch_name: str | None = None,
        jobs: int | Sequence[JobSummary] | Sequence[Mapping[str, Any]] = 20,
        seed: int | None = None,
        *,
        finished: bool = False,
    ) -> list[JobSummary]:
        """Serve a branch: ``jobs`` generated and coherent when a count, else the given
        summaries (newest first, strictly validated). Returns the history served (copies).

        ``finished=True`` generates a settled branch (no job queued or building), ready for
        ``add_job``. Adding a branch again replaces its history and makes its tokens stale.
        """
        check_request_value(ValueError, "app_id", "appId", app_id)
        check_request_value(ValueError, "branch_name", "branchName", branch_name)
        if seed is not None:
            check_seed(ValueError, seed)
        check_bool(ValueError, "finished", finished)
        store = self._store
        with self._lock:
            seed = seed if seed is not None else self.seed + store.branches_added
            store.branches_added += 1
            choices = RandomChoices(seed)
            ctx = _generate.draw_context(
                choices, app_id=app_id, branch_name=branch_name, region=self.region, realistic=True
            )
            if isinstance(jobs, int) and not isinstance(jobs, bool):
                check_int(ValueError, "jobs", jobs, 0, MAX_JOBS)
                history = _generate.draw_history(
                    choices, ctx, min_size=jobs, max_size=jobs, finished_only=finished
                )
            elif isinstance(jobs, Sequence) and not isinstance(jobs, (str, bytes)):
                history = [dict(job) if isinstance(job, Mapping) else job for job in jobs]
                validate_list_jobs_response({_model.model().result_key: history})
                Store.check_order(history)
            else:
                raise ValueError(
                    f"jobs={short_repr(jobs)} must be a count (int from 0 to {MAX_JOBS}) or a "
                    "list of job summaries, newest first"
                )
            store.put_branch(ctx.app_id, ctx.branch_name, history)
            return [dict(job) for job in history]  # type: ignore[misc]

    def history(self, app_id: str, branch_name: str) -> list[JobSummary]:
        """The branch's jobs as the fake serves them now (copies, newest first)."""
        with self._lock:
            return [dict(job) for job in self._store.branch(app_id, branch_name).jobs]  # type: ignore[misc]

    def expire_tokens(self) -> None:
        """Make every token issued so far stale (the next use gets BadRequestException)."""
        with self._lock:
            self._store.expire_tokens()

    def fail(
        self,
        code: str,
        times: int = 1,
        after_calls: int = 0,
        *,
        app_id: str | None = None,
        branch_name: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching ListJobs calls with the modeled error ``code``,
        after letting ``after_calls`` matching calls through. Each HTTP attempt is a call
        (a retry too)."""
        errors = _model.model().errors
        if not isinstance(code, str) or code not in errors:
            raise ValueError(
                f"code={short_repr(code)} is not a modeled ListJobs error; allowed: "
                f"{', '.join(errors)}"
            )
        check_int(ValueError, "times", times, 1)
        check_int(ValueError, "after_calls", after_calls, 0)
        check_request_value(ValueError, "app_id", "appId", app_id)
        check_request_value(ValueError, "branch_name", "branchName", branch_name)
        with self._lock:
            self._store.add_fault(code, times, after_calls, app_id, branch_name)

    def add_job(
        self,
        app_id: str,
        branch_name: str,
        status: str = "PENDING",
        *,
        job_type: str | None = None,
        commit_message: str | None = None,
    ) -> JobSummary:
        """Put a new newest job at the head of a branch and return it (a copy).

        Its id follows the newest one; it starts now on the fake's clock. Only statuses a new
        job can have are allowed: queued ones, or a build when no other job is building.
        """
        if commit_message is not None:
            rule = _model.model().summary_rules["commitMessage"]
            if not isinstance(commit_message, str) or len(commit_message) > (rule.max or 10000):
                raise ValueError(
                    f"commit_message={short_repr(commit_message)} is not allowed; expected "
                    f"{_model.describe_rule(rule)}"
                )
        with self._lock:
            job = self._store.add_job(app_id, branch_name, status, job_type, commit_message)
            return dict(job)  # type: ignore[return-value]

    def advance(self, job: Mapping[str, Any] | str, status: str, *, after_calls: int = 0) -> None:
        """Move a job along its lifecycle: ``after_calls`` more ListJobs calls for its branch
        see the old status, the next one sees ``status`` (0: now). Finishing sets ``endTime``.

        Raises ``ValueError`` for a move the lifecycle does not allow (from the status the job
        will have by then), or for a second build on the branch.
        """
        if not isinstance(job, (str, Mapping)):
            raise ValueError(
                f"job={short_repr(job)} must be a job summary (a dict with its jobArn) or a jobArn"
            )
        check_int(ValueError, "after_calls", after_calls, 0)
        with self._lock:
            self._store.schedule(job, status, after_calls)

    # ------------------------------------------------------------------------- the HTTP side

    def on_choose_signer(self) -> Any:
        from botocore import UNSIGNED

        return UNSIGNED  # nothing to sign for: real credentials are never used

    def on_before_send(self, request: Any, operation: str) -> Any:
        from botocore.awsrequest import AWSResponse

        with self._lock:
            try:
                result = answer(self._store, request.method, request.url, request.body)
            except NotServed as error:
                raise FakeServiceError(str(error)) from None
            self._requests.append(result.request)
        return AWSResponse(request.url, result.status, result.headers, _wire.RawBody(result.body))  # type: ignore[arg-type]

    # ---------------------------------------------------------------------------- activation

    def _activated(self) -> None:
        _RetrySleep.install(self)

    def _deactivated(self) -> None:
        _RetrySleep.uninstall(self)

    def __enter__(self) -> FakeListJobs:
        return super().__enter__()  # type: ignore[no-any-return]

    def _sleep(self, seconds: float) -> None:
        with self._lock:
            self._backoffs.append(seconds)
        if self.keep_retry_delays:
            time.sleep(seconds)

    def report(self) -> str:
        """The failure-report section: branches, requests and their answers."""
        with self._lock:
            lines = [f"seed: {self.seed}"]
            for (app_id, branch_name), branch in self._store.branches.items():
                lines.append(
                    f"branch {app_id}/{branch_name}: {len(branch.jobs)} jobs, {branch.calls} calls"
                )
            lines.append(f"requests ({len(self._requests)}):")
            for r in self._requests:
                shown = ", ".join(f"{k}={short_repr(v, 30)}" for k, v in r.params.items())
                lines.append(
                    f"  {r.method} {r.path} ({shown}) -> {r.status}{' ' + r.error_code if r.error_code else ''}"
                )
            return "\n".join(lines)


class _RetrySleep:
    """Zero botocore's retry sleeps for Amplify operations while a fake is active.

    ``Endpoint._needs_retry`` decides and then sleeps through ``botocore.endpoint.time``; we wrap
    the method so that, for Amplify operations, the sleep goes to the innermost fake (which
    records it and sleeps zero). Decisions and attempt counts are botocore's own.
    """

    _users: ClassVar[list[FakeListJobs]] = []

    @classmethod
    def _wrap(cls, original: Callable[..., Any]) -> Callable[..., Any]:
        def _needs_retry(
            self: Any, attempts: int, operation_model: Any, *args: Any, **kwargs: Any
        ) -> Any:
            current = cls._users[-1] if cls._users and _botocore.needs_retry.active else None
            amplify = operation_model.service_model.service_name == _model.SERVICE_NAME
            hook = current._sleep if current is not None and amplify else None
            with _botocore.retry_sleep(hook):
                return original(self, attempts, operation_model, *args, **kwargs)

        return _needs_retry

    @classmethod
    def install(cls, fake: FakeListJobs) -> None:
        cls._users.append(fake)
        _botocore.needs_retry.acquire(cls._wrap)
        _botocore.install_endpoint_time()

    @classmethod
    def uninstall(cls, fake: FakeListJobs) -> None:
        if fake not in cls._users:
            return
        cls._users.remove(fake)
        _botocore.needs_retry.release()
        _botocore.uninstall_endpoint_time()


def fake_list_jobs(
    *, seed: int = 0, keep_retry_delays: bool = False, region: str = "us-east-1"
) -> FakeListJobs:
    """A :class:`FakeListJobs` to use as a context manager (also inside ``@given``).

    >>> with fake_list_jobs(seed=3) as fake:
    ...     history = fake.add_branch(app_id="d1abc", branch_name="main", jobs=30)
    >>> len(history)
    30
    """
    return FakeListJobs(seed=seed, keep_retry_delays=keep_retry_delays, region=region)

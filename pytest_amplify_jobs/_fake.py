"""A stateful ListJobs backend answering on the wire, at botocore's ``before-send`` stage.

The Stubber (and intercept mode) replay a fixed script before botocore's parser and retry
handler run. The fake answers like the service instead: it reads the real HTTP request (method,
path with appId and branchName, query string with nextToken and maxResults), keeps branch
histories as state, and returns the JSON body and headers Amplify would send. botocore's own
parser turns that into the page, and its retry handler really retries 429 and 500 answers.

Choices the real service does not document (see the README):

* ``maxResults`` absent (or 0): pages of :func:`default_page_size` jobs, the model's maximum.
* Tokens are opaque and bound to their branch listing; they continue *after the last job
  served*, so jobs added at the head meanwhile are neither repeated nor skipped. A made-up
  token, one from another branch, or one made stale (``expire_tokens()``, or the branch
  replaced by ``add_branch``) gets ``BadRequestException`` (HTTP 400), the modeled error for a
  request the service rejects as invalid.
* An unknown app or branch also gets ``BadRequestException``: ListJobs models no
  ``NotFoundException``, and the message names the branches the fake knows.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import hashlib
import io
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._intercept import Mode

if TYPE_CHECKING:
    from pytest_amplify_jobs._types import JobSummary

__all__ = [
    "FakeListJobs",
    "FakeRequest",
    "FakeServiceError",
    "default_page_size",
    "fake_list_jobs",
]


def default_page_size() -> int:
    """Jobs per page when a request sends no ``maxResults`` (or 0): the model's maximum, 50.

    The service does not document its default. The largest page a caller could ask for is
    the choice that breaks code assuming "one call lists everything" as soon as a branch has
    more jobs than that, without making small histories paginate unrealistically.
    """
    return _model.model().max_page_size


class FakeServiceError(AssertionError):
    """A call the fake cannot answer like the service would (it never reaches the network)."""


@dataclass(frozen=True)
class FakeRequest:
    """One HTTP request the fake answered: what was asked and the status it got."""

    operation: str
    method: str
    path: str
    params: Mapping[str, Any]
    status: int
    error_code: str | None = None


@dataclass
class _Token:
    app_id: str
    branch_name: str
    after_job_id: int
    generation: int


@dataclass
class _Branch:
    jobs: list[dict[str, Any]]  # newest first
    generation: int = 0
    calls: int = 0  # ListJobs calls answered for this branch


@dataclass
class _Fault:
    code: str
    times: int
    after_calls: int
    app_id: str | None
    branch_name: str | None


@dataclass
class _Transition:
    job_arn: str
    status: str
    due_after: int  # the branch's call count after which it applies
    applied: bool = field(default=False)


class _RawBody(io.BytesIO):
    """What botocore reads an HTTP body from (``AWSResponse.raw``)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


# Lifecycle moves a job may make (forward only), by status; a finished job moves no more.
_TRANSITIONS = {
    "CREATED": ("PENDING", "PROVISIONING", "RUNNING", "CANCELLING", "CANCELLED", "FAILED"),
    "PENDING": ("PROVISIONING", "RUNNING", "CANCELLING", "CANCELLED", "FAILED"),
    "PROVISIONING": ("RUNNING", "CANCELLING", "FAILED"),
    "RUNNING": ("SUCCEED", "FAILED", "CANCELLING"),
    "CANCELLING": ("CANCELLED", "FAILED"),
}


class FakeListJobs(Mode):
    """A stateful, thread-safe ListJobs service for every Amplify client in the process.

    >>> with fake_list_jobs() as fake:
    ...     history = fake.add_branch(app_id="d1abc", branch_name="main", jobs=120)
    ...     jobs = my_code_listing_every_job("d1abc", "main")   # any client, any call order
    ...     assert jobs == history
    """

    def __init__(
        self, *, seed: int = 0, keep_retry_delays: bool = False, region: str = "us-east-1"
    ) -> None:
        from pytest_amplify_jobs._chain import check_bool, check_region, check_seed

        check_seed(ValueError, seed)
        check_bool(ValueError, "keep_retry_delays", keep_retry_delays)
        check_region(ValueError, region)
        self.seed = seed
        self.region = region
        self.keep_retry_delays = keep_retry_delays
        self._lock = threading.RLock()
        self._branches: dict[tuple[str, str], _Branch] = {}
        self._tokens: dict[str, _Token] = {}
        self._faults: list[_Fault] = []
        self._transitions: list[_Transition] = []
        self._requests: list[FakeRequest] = []
        self._backoffs: list[float] = []
        self._counter = 0
        self._clock: dt.datetime | None = None
        self._branches_added = 0

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
        from pytest_amplify_jobs._chain import check_int, check_request_value
        from pytest_amplify_jobs._choices import RandomChoices
        from pytest_amplify_jobs._validate import validate_list_jobs_response

        check_request_value(ValueError, "app_id", "appId", app_id)
        check_request_value(ValueError, "branch_name", "branchName", branch_name)
        with self._lock:
            seed = seed if seed is not None else self.seed + self._branches_added
            self._branches_added += 1
            choices = RandomChoices(seed)
            ctx = _generate.draw_context(
                choices, app_id=app_id, branch_name=branch_name, region=self.region, realistic=True
            )
            if isinstance(jobs, int) and not isinstance(jobs, bool):
                check_int(ValueError, "jobs", jobs, 0)
                history = _generate.draw_history(
                    choices, ctx, min_size=jobs, max_size=jobs, finished_only=finished
                )
            elif isinstance(jobs, Sequence) and not isinstance(jobs, str):
                history = [dict(job) for job in jobs]
                validate_list_jobs_response({_model.model().result_key: history})
                self._check_order(history)
            else:
                raise ValueError(
                    f"jobs={_model.short_repr(jobs)} must be a count (int >= 0) or a list of "
                    "job summaries, newest first"
                )
            key = (ctx.app_id, ctx.branch_name)
            old = self._branches.get(key)
            self._branches[key] = _Branch(history, generation=(old.generation + 1) if old else 0)
            newest = max(
                (j.get("endTime", j["startTime"]) for j in history), default=_generate._EPOCH
            )
            if self._clock is None or newest > self._clock:
                self._clock = newest + dt.timedelta(minutes=1)
            return [dict(job) for job in history]  # type: ignore[misc]

    @staticmethod
    def _check_order(history: list[dict[str, Any]]) -> None:
        ids = [int(job["jobId"]) for job in history]
        if any(a <= b for a, b in itertools.pairwise(ids)):
            raise ValueError(
                f"jobs must be newest first with decreasing jobId, got jobIds {ids[:10]}"
            )

    def history(self, app_id: str, branch_name: str) -> list[JobSummary]:
        """The branch's jobs as the fake serves them now (copies, newest first)."""
        with self._lock:
            return [dict(job) for job in self._branch(app_id, branch_name).jobs]  # type: ignore[misc]

    def _branch(self, app_id: str, branch_name: str) -> _Branch:
        branch = self._branches.get((app_id, branch_name))
        if branch is None:
            known = ", ".join(f"{a}/{b}" for a, b in self._branches) or "none"
            raise ValueError(f"the fake has no branch {app_id}/{branch_name}; known: {known}")
        return branch

    def expire_tokens(self) -> None:
        """Make every token issued so far stale (the next use gets BadRequestException)."""
        with self._lock:
            for branch in self._branches.values():
                branch.generation += 1

    # ------------------------------------------------------------------------- scripted faults

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
        after letting ``after_calls`` matching calls through. Retries count as calls."""
        from pytest_amplify_jobs._chain import check_int

        errors = _model.model().errors
        if code not in errors:
            raise ValueError(
                f"code={code!r} is not a modeled ListJobs error; allowed: {', '.join(errors)}"
            )
        check_int(ValueError, "times", times, 1)
        check_int(ValueError, "after_calls", after_calls, 0)
        with self._lock:
            self._faults.append(_Fault(code, times, after_calls, app_id, branch_name))

    # ---------------------------------------------------------------------------- living jobs

    def _now(self) -> dt.datetime:
        if self._clock is None:
            self._clock = _generate._EPOCH
        return self._clock

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
        m = _model.model()
        with self._lock:
            branch = self._branch(app_id, branch_name)
            if status not in m.queued_statuses + m.building_statuses:
                raise ValueError(
                    f"status={status!r} is not a status a new job can have; allowed: "
                    f"{', '.join(m.queued_statuses + m.building_statuses)}"
                )
            if job_type is not None and job_type not in m.job_types:
                raise ValueError(
                    f"job_type={job_type!r} is not a job type; allowed: {', '.join(m.job_types)}"
                )
            if status in m.building_statuses:
                self._check_no_other_build(branch, None, status)
            job_id = int(branch.jobs[0]["jobId"]) + 1 if branch.jobs else 1
            self._clock = self._now() + dt.timedelta(seconds=30)
            ctx = _generate.BranchContext(
                app_id, branch_name, self.region, _account_of(branch), realistic=True
            )
            flavour = int.from_bytes(
                hashlib.sha256(f"{self.seed}:{job_id}".encode()).digest()[:4], "big"
            )
            draw = _generate.JobDraw(
                status,
                job_type or m.job_types_ordinary_first[0],
                flavour,
                _generate._mix(flavour, 5),
                commit_message,
            )
            job = _generate.build_job(ctx, job_id, draw, self._clock)
            branch.jobs.insert(0, job)
            return dict(job)  # type: ignore[return-value]

    def _find(self, job: Mapping[str, Any] | str) -> tuple[_Branch, dict[str, Any]]:
        arn = job if isinstance(job, str) else job.get("jobArn")
        for branch in self._branches.values():
            for candidate in branch.jobs:
                if candidate["jobArn"] == arn:
                    return branch, candidate
        raise ValueError(f"job={_model.short_repr(arn)} is not a job the fake serves")

    def _check_no_other_build(
        self, branch: _Branch, job: dict[str, Any] | None, status: str
    ) -> None:
        m = _model.model()
        for other in branch.jobs:
            if other is not job and self._planned_status(other) in m.building_statuses:
                raise ValueError(
                    f"status={status!r}: job {other['jobId']} of the branch is "
                    f"{self._planned_status(other)}; one build at a time"
                )

    def _planned_status(self, job: dict[str, Any]) -> str:
        status: str = job["status"]
        for transition in self._transitions:
            if transition.job_arn == job["jobArn"] and not transition.applied:
                status = transition.status
        return status

    def advance(self, job: Mapping[str, Any] | str, status: str, *, after_calls: int = 0) -> None:
        """Move a job along its lifecycle once ``after_calls`` more ListJobs calls for its
        branch have been answered (0: now). Finishing sets ``endTime``.

        Raises ``ValueError`` for a move the lifecycle does not allow (from the status the job
        will have by then), or for a second build on the branch.
        """
        from pytest_amplify_jobs._chain import check_int

        m = _model.model()
        check_int(ValueError, "after_calls", after_calls, 0)
        with self._lock:
            branch, target = self._find(job)
            current = self._planned_status(target)
            allowed = _TRANSITIONS.get(current, ())
            if status not in m.statuses:
                raise ValueError(
                    f"status={status!r} is not a job status; allowed: {', '.join(m.statuses)}"
                )
            if status not in allowed:
                raise ValueError(
                    f"job {target['jobId']} cannot go from {current} to {status}; allowed: "
                    f"{', '.join(allowed) or 'none (it has finished)'}"
                )
            if status in m.building_statuses and current not in m.building_statuses:
                self._check_no_other_build(branch, target, status)
            self._transitions.append(
                _Transition(target["jobArn"], status, branch.calls + after_calls)
            )
            self._apply_due(branch)

    def _apply_due(self, branch: _Branch) -> None:
        m = _model.model()
        for transition in self._transitions:
            if transition.applied or transition.due_after > branch.calls:
                continue
            for job in branch.jobs:
                if job["jobArn"] == transition.job_arn:
                    self._clock = self._now() + dt.timedelta(seconds=30)
                    job["status"] = transition.status
                    if transition.status in m.finished_statuses:
                        job["endTime"] = max(self._clock, job["startTime"])
                    transition.applied = True

    # ------------------------------------------------------------------------- the HTTP side

    def on_choose_signer(self) -> Any:
        from botocore import UNSIGNED

        return UNSIGNED  # nothing to sign for: real credentials are never used

    def on_before_send(self, request: Any, operation: str) -> Any:
        if operation != _model.OPERATION_NAME:
            raise FakeServiceError(
                f"the pytest-amplify-jobs fake serves ListJobs only; {request.method} "
                f"{urllib.parse.urlsplit(request.url).path} ({operation}) was not sent anywhere"
            )
        with self._lock:
            status, body, params, code = self._serve(request)
            self._counter += 1
            rid = _generate.request_id(self.seed * 7919 + self._counter)
            self._requests.append(
                FakeRequest(
                    operation,
                    request.method,
                    urllib.parse.unquote(urllib.parse.urlsplit(request.url).path),
                    params,
                    status,
                    code,
                )
            )
            when = self._now()
        headers = {
            "date": _generate.http_date(when),
            "content-type": "application/json",
            "content-length": str(len(body)),
            "connection": "keep-alive",
            "x-amzn-requestid": rid,
            "access-control-allow-origin": "*",
        }
        if code is not None:
            headers["x-amzn-errortype"] = f"{code}:"
        from botocore.awsrequest import AWSResponse

        return AWSResponse(request.url, status, headers, _RawBody(body))  # type: ignore[arg-type]

    def _serve(self, request: Any) -> tuple[int, bytes, dict[str, Any], str | None]:
        m = _model.model()
        split = urllib.parse.urlsplit(request.url)
        params: dict[str, Any] = {}
        match = _path_regex().fullmatch(split.path)
        if request.method != m.http_method or match is None:
            return self._error(
                "BadRequestException", f"no such route: {request.method} {split.path}", params
            )
        for name, value in match.groupdict().items():
            params[name] = urllib.parse.unquote(value)
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        for member, (location, wire_name) in m.request_locations.items():
            if location == "querystring" and wire_name in query:
                value = query[wire_name][0]
                rule = m.request_rules[member]
                params[member] = (
                    int(value)
                    if rule.type_name == "integer" and value.lstrip("-").isdigit()
                    else value
                )
        from pytest_amplify_jobs._validate import request_violations

        violations = request_violations(params)
        if violations:
            return self._error("BadRequestException", "; ".join(str(v) for v in violations), params)
        app_id, branch_name = params["appId"], params["branchName"]
        key = (app_id, branch_name)
        branch = self._branches.get(key)
        fault = self._take_fault(app_id, branch_name)
        if fault is not None:
            return self._error(fault, _generate.error_message(fault), params)
        if branch is None:
            known = ", ".join(f"{a}/{b}" for a, b in self._branches) or "none"
            return self._error(
                "BadRequestException",
                f"Branch {branch_name!r} of app {app_id!r} does not exist (the fake knows: {known})",
                params,
            )
        branch.calls += 1
        self._clock = self._now() + dt.timedelta(seconds=1)
        self._apply_due(branch)
        after = None
        token_text = params.get(m.input_token)
        if token_text is not None:
            token = self._tokens.get(token_text)
            if token is None:
                return self._error(
                    "BadRequestException", "Invalid nextToken: not issued by this service", params
                )
            if (token.app_id, token.branch_name) != key:
                return self._error(
                    "BadRequestException",
                    f"Invalid nextToken: issued for {token.app_id}/{token.branch_name}",
                    params,
                )
            if token.generation != branch.generation:
                return self._error(
                    "BadRequestException", "Invalid nextToken: the token has expired", params
                )
            after = token.after_job_id
        size = params.get(m.limit_key) or default_page_size()
        # Jobs are newest first with decreasing ids: continue just below the last id served.
        start = 0
        if after is not None:
            start = bisect.bisect_left(branch.jobs, -after + 1, key=lambda j: -int(j["jobId"]))
        page = branch.jobs[start : start + size]
        body: dict[str, Any] = {m.result_key: page}
        if start + size < len(branch.jobs):
            body[m.output_token] = self._issue(key, int(page[-1]["jobId"]), branch.generation)
        return 200, _generate.wire_body(body), params, None

    def _issue(self, key: tuple[str, str], after: int, generation: int) -> str:
        self._counter += 1
        digest = hashlib.sha256(f"{self.seed}:{self._counter}:{key}:{after}".encode()).digest()
        token = base64.urlsafe_b64encode(digest + digest[:12]).decode()
        self._tokens[token] = _Token(key[0], key[1], after, generation)
        return token

    def _take_fault(self, app_id: str, branch_name: str) -> str | None:
        for fault in self._faults:
            if fault.times <= 0:
                continue
            if fault.app_id not in (None, app_id) or fault.branch_name not in (None, branch_name):
                continue
            if fault.after_calls > 0:
                fault.after_calls -= 1
                return None
            fault.times -= 1
            return fault.code
        return None

    def _error(
        self, code: str, message: str, params: dict[str, Any]
    ) -> tuple[int, bytes, dict[str, Any], str]:
        status = _model.model().errors[code]
        return status, json.dumps({"message": message}).encode(), params, code

    # ---------------------------------------------------------------------------- activation

    def _activated(self) -> None:
        _RetrySleep.install(self)

    def _deactivated(self) -> None:
        _RetrySleep.uninstall(self)

    def __enter__(self) -> FakeListJobs:
        return super().__enter__()  # type: ignore[no-any-return]

    def report(self) -> str:
        """The failure-report section: branches, requests and their answers."""
        with self._lock:
            lines = [f"seed: {self.seed}"]
            for (app_id, branch_name), branch in self._branches.items():
                lines.append(
                    f"branch {app_id}/{branch_name}: {len(branch.jobs)} jobs, {branch.calls} calls"
                )
            lines.append(f"requests ({len(self._requests)}):")
            for r in self._requests:
                shown = ", ".join(f"{k}={_model.short_repr(v, 30)}" for k, v in r.params.items())
                lines.append(
                    f"  {r.method} {r.path} ({shown}) -> {r.status}{' ' + r.error_code if r.error_code else ''}"
                )
            return "\n".join(lines)


def _account_of(branch: _Branch) -> str:
    for job in branch.jobs:
        return str(job["jobArn"].split(":")[4])
    return f"{_generate._ACCOUNT_BASE:012d}"


_PATH_REGEX: re.Pattern[str] | None = None


def _path_regex() -> re.Pattern[str]:
    """The model's request URI template as a regex: ``{appId}`` becomes a named group."""
    global _PATH_REGEX
    if _PATH_REGEX is None:
        template = _model.model().request_uri.split("?", 1)[0]
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        _PATH_REGEX = re.compile(pattern)
    return _PATH_REGEX


class _RetrySleep:
    """Zero botocore's retry sleeps for Amplify operations while a fake is active.

    ``Endpoint._needs_retry`` decides and then calls ``time.sleep`` from ``botocore.endpoint``;
    we wrap the method to mark Amplify calls on this thread and give that module a ``time``
    whose ``sleep`` skips marked calls. Decisions and attempt counts are botocore's own.
    """

    _local = threading.local()
    _users: ClassVar[list[FakeListJobs]] = []
    _original: Any = None

    class _Time:
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            fake = getattr(_RetrySleep._local, "fake", None)
            if fake is None:
                time.sleep(seconds)
                return
            with fake._lock:
                fake._backoffs.append(seconds)
            if fake.keep_retry_delays:
                time.sleep(seconds)

    @classmethod
    def install(cls, fake: FakeListJobs) -> None:
        import botocore.endpoint

        cls._users.append(fake)
        if cls._original is not None:
            return
        original = getattr(botocore.endpoint.Endpoint, "_needs_retry")  # noqa: B009
        cls._original = original

        def _needs_retry(
            self: Any, attempts: int, operation_model: Any, *args: Any, **kwargs: Any
        ) -> Any:
            current = cls._users[-1] if cls._users else None
            amplify = operation_model.service_model.service_name == _model.SERVICE_NAME
            cls._local.fake = current if amplify else None
            try:
                return original(self, attempts, operation_model, *args, **kwargs)
            finally:
                cls._local.fake = None

        setattr(botocore.endpoint.Endpoint, "_needs_retry", _needs_retry)  # noqa: B010
        setattr(botocore.endpoint, "time", cls._Time())  # noqa: B010

    @classmethod
    def uninstall(cls, fake: FakeListJobs) -> None:
        import botocore.endpoint

        if fake in cls._users:
            cls._users.remove(fake)
        if cls._users or cls._original is None:
            return
        setattr(botocore.endpoint.Endpoint, "_needs_retry", cls._original)  # noqa: B010
        setattr(botocore.endpoint, "time", time)  # noqa: B010
        cls._original = None


def fake_list_jobs(
    *, seed: int = 0, keep_retry_delays: bool = False, region: str = "us-east-1"
) -> FakeListJobs:
    """A :class:`FakeListJobs` to use as a context manager (also inside ``@given``).

    >>> with fake_list_jobs() as fake:
    ...     fake.add_branch(app_id="d1abc", branch_name="main", jobs=30)
    ...     boto3.client("amplify").list_jobs(appId="d1abc", branchName="main")
    """
    return FakeListJobs(seed=seed, keep_retry_delays=keep_retry_delays, region=region)

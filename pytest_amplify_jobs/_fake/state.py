"""The fake service's state: branches and their jobs, tokens, scripted faults, lifecycle moves.

No HTTP and no botocore here (moto keeps ``models.py`` apart from ``responses.py`` the same
way): :mod:`.wire` turns requests into calls on a :class:`Store` and its answers, or its
:class:`ServiceError`, into responses. Every method expects the caller to hold ``store.lock``.

Counting calls (``fail`` and ``advance`` mean the same): each HTTP attempt that reaches a branch
is one call, whether it is answered with data or with a scripted fault; a retried attempt is a
new call. ``after_calls=N``: N matching calls see the old state, call N+1 sees the new one.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import hashlib
import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._text import short_repr

__all__ = ["Branch", "ServiceError", "Store", "default_page_size"]


def default_page_size() -> int:
    """Jobs per page when a request sends no ``maxResults`` (or 0): the model's maximum, 50.

    The service does not document its default. The largest page a caller could ask for is
    the choice that breaks code assuming "one call lists everything" as soon as a branch has
    more jobs than that, without making small histories paginate unrealistically.

    >>> default_page_size()
    50
    """
    return _model.model().max_page_size


class ServiceError(Exception):
    """An error the service answers with: a code of the model and its message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class Token:
    app_id: str
    branch_name: str
    after_job_id: int
    generation: int


@dataclass
class Branch:
    jobs: list[dict[str, Any]]  # newest first
    generation: int = 0
    calls: int = 0  # HTTP attempts that reached this branch (faulted ones included)


@dataclass
class Fault:
    code: str
    times: int
    after_calls: int
    app_id: str | None
    branch_name: str | None


@dataclass
class Transition:
    job_arn: str
    status: str
    due_after: int  # applies to the first call made once the branch has had this many
    applied: bool = field(default=False)


class Store:
    """Branches, tokens, faults and scheduled moves of one fake service."""

    def __init__(self, *, seed: int, region: str) -> None:
        self.seed = seed
        self.region = region
        self.lock = threading.RLock()
        self.branches: dict[tuple[str, str], Branch] = {}
        self.tokens: dict[str, Token] = {}
        self.faults: list[Fault] = []
        self.transitions: list[Transition] = []
        self.counter = 0
        self.clock: dt.datetime | None = None
        self.branches_added = 0

    # ------------------------------------------------------------------------------ branches

    def put_branch(self, app_id: str, branch_name: str, history: list[dict[str, Any]]) -> None:
        """Serve ``history`` (newest first, coherent) as the branch; its old tokens go stale."""
        key = (app_id, branch_name)
        old = self.branches.get(key)
        self.branches[key] = Branch(history, generation=(old.generation + 1) if old else 0)
        newest = max((j.get("endTime", j["startTime"]) for j in history), default=_generate.EPOCH)
        if self.clock is None or newest > self.clock:
            self.clock = newest + dt.timedelta(minutes=1)

    @staticmethod
    def check_order(history: Sequence[Mapping[str, Any]]) -> None:
        ids = [int(job["jobId"]) for job in history]
        if any(a <= b for a, b in itertools.pairwise(ids)):
            raise ValueError(
                f"jobs must be newest first with decreasing jobId, got jobIds {ids[:10]}"
            )

    def branch(self, app_id: str, branch_name: str) -> Branch:
        """The branch, or ``ValueError`` naming the known ones (for the test's own calls)."""
        branch = self.branches.get((app_id, branch_name))
        if branch is None:
            raise ValueError(
                f"the fake has no branch {app_id}/{branch_name}; known: {self.known_branches()}"
            )
        return branch

    def known_branches(self) -> str:
        return ", ".join(f"{a}/{b}" for a, b in self.branches) or "none"

    def expire_tokens(self) -> None:
        for branch in self.branches.values():
            branch.generation += 1

    # ------------------------------------------------------------------------------ the clock

    def now(self) -> dt.datetime:
        if self.clock is None:
            self.clock = _generate.EPOCH
        return self.clock

    def tick(self, seconds: int) -> dt.datetime:
        self.clock = self.now() + dt.timedelta(seconds=seconds)
        return self.clock

    # --------------------------------------------------------------------------------- faults

    def add_fault(
        self, code: str, times: int, after_calls: int, app_id: str | None, branch_name: str | None
    ) -> None:
        self.faults.append(Fault(code, times, after_calls, app_id, branch_name))

    def take_fault(self, app_id: str, branch_name: str) -> str | None:
        """The code this call fails with, if a scripted fault is due (counts the call)."""
        for fault in self.faults:
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

    # ----------------------------------------------------------------------------- living jobs

    def add_job(
        self,
        app_id: str,
        branch_name: str,
        status: str,
        job_type: str | None,
        commit_message: str | None,
    ) -> dict[str, Any]:
        m = _model.model()
        branch = self.branch(app_id, branch_name)
        if status not in m.queued_statuses + m.building_statuses:
            raise ValueError(
                f"status={short_repr(status)} is not a status a new job can have; allowed: "
                f"{', '.join(m.queued_statuses + m.building_statuses)}"
            )
        if job_type is not None and job_type not in m.job_types:
            raise ValueError(
                f"job_type={short_repr(job_type)} is not a job type; allowed: "
                f"{', '.join(m.job_types)}"
            )
        if status in m.building_statuses:
            self.check_no_other_build(branch, None, status)
        job_id = int(branch.jobs[0]["jobId"]) + 1 if branch.jobs else 1
        start = self.tick(30)
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
            _generate.mix(flavour, 5),
            commit_message,
        )
        job = _generate.build_job(ctx, job_id, draw, start)
        branch.jobs.insert(0, job)
        return job

    def find(self, job: Mapping[str, Any] | str) -> tuple[Branch, dict[str, Any]]:
        arn = job if isinstance(job, str) else job.get("jobArn")
        for branch in self.branches.values():
            for candidate in branch.jobs:
                if candidate["jobArn"] == arn:
                    return branch, candidate
        raise ValueError(f"job={short_repr(arn)} is not a job the fake serves")

    def check_no_other_build(self, branch: Branch, job: dict[str, Any] | None, status: str) -> None:
        m = _model.model()
        for other in branch.jobs:
            if other is not job and self.planned_status(other) in m.building_statuses:
                raise ValueError(
                    f"status={status!r}: job {other['jobId']} of the branch is "
                    f"{self.planned_status(other)}; one build at a time"
                )

    def planned_status(self, job: dict[str, Any]) -> str:
        status: str = job["status"]
        for transition in self.transitions:
            if transition.job_arn == job["jobArn"] and not transition.applied:
                status = transition.status
        return status

    def schedule(self, job: Mapping[str, Any] | str, status: str, after_calls: int) -> None:
        m = _model.model()
        branch, target = self.find(job)
        current = self.planned_status(target)
        allowed = m.moves.get(current, ())
        if status not in m.statuses:
            raise ValueError(
                f"status={short_repr(status)} is not a job status; allowed: {', '.join(m.statuses)}"
            )
        if status not in allowed:
            raise ValueError(
                f"job {target['jobId']} cannot go from {current} to {status}; allowed: "
                f"{', '.join(allowed) or 'none (it has finished)'}"
            )
        if status in m.building_statuses and current not in m.building_statuses:
            self.check_no_other_build(branch, target, status)
        self.transitions.append(Transition(target["jobArn"], status, branch.calls + after_calls))
        self.apply_due(branch)

    def apply_due(self, branch: Branch) -> None:
        """Apply every move due by now: those whose branch has had ``due_after`` calls."""
        m = _model.model()
        for transition in self.transitions:
            if transition.applied or transition.due_after > branch.calls:
                continue
            for job in branch.jobs:
                if job["jobArn"] == transition.job_arn:
                    now = self.tick(30)
                    job["status"] = transition.status
                    if transition.status in m.finished_statuses:
                        job["endTime"] = max(now, job["startTime"])
                    transition.applied = True

    # ------------------------------------------------------------------------------ listings

    def observe(self, app_id: str, branch_name: str) -> Branch:
        """Count one call reaching a branch: faults first, then the moves due before it.

        Raises :class:`ServiceError` for a scripted fault or an unknown branch.
        """
        branch = self.branches.get((app_id, branch_name))
        fault = self.take_fault(app_id, branch_name)
        if branch is not None:
            self.apply_due(branch)  # moves due after the calls so far, before this one
            branch.calls += 1
        if fault is not None:
            raise ServiceError(fault, _model.model().error_message(fault))
        if branch is None:
            raise ServiceError(
                "BadRequestException",
                f"Branch {branch_name!r} of app {app_id!r} does not exist (the fake knows: "
                f"{self.known_branches()})",
            )
        self.tick(1)
        return branch

    def list_jobs(
        self, app_id: str, branch_name: str, token_text: str | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a branch's jobs and the token of the next page (None: the last)."""
        key = (app_id, branch_name)
        branch = self.observe(app_id, branch_name)
        after = None
        if token_text is not None:
            token = self.tokens.get(token_text)
            if token is None:
                raise ServiceError(
                    "BadRequestException", "Invalid nextToken: not issued by this service"
                )
            if (token.app_id, token.branch_name) != key:
                raise ServiceError(
                    "BadRequestException",
                    f"Invalid nextToken: issued for {token.app_id}/{token.branch_name}",
                )
            if token.generation != branch.generation:
                raise ServiceError(
                    "BadRequestException", "Invalid nextToken: the token has expired"
                )
            after = token.after_job_id
        # Jobs are newest first with decreasing ids: continue just below the last id served.
        start = 0
        if after is not None:
            start = bisect.bisect_left(branch.jobs, -after + 1, key=lambda j: -int(j["jobId"]))
        page = branch.jobs[start : start + size]
        token_out = None
        if start + size < len(branch.jobs):
            token_out = self.issue(key, int(page[-1]["jobId"]), branch.generation)
        return page, token_out

    def issue(self, key: tuple[str, str], after: int, generation: int) -> str:
        self.counter += 1
        digest = hashlib.sha256(f"{self.seed}:{self.counter}:{key}:{after}".encode()).digest()
        token = base64.urlsafe_b64encode(digest + digest[:12]).decode()
        self.tokens[token] = Token(key[0], key[1], after, generation)
        return token


def _account_of(branch: Branch) -> str:
    for job in branch.jobs:
        return str(job["jobArn"].split(":")[4])
    return _generate.account_from(0)

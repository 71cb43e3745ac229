"""Coherence of a branch history: the rules a real Amplify branch's jobs obey together.

The model checks each job on its own (:mod:`._validate`); these rules check them as one
history, newest first. They are named (:data:`RULES`) so that an error says which one broke:
the same names serve :func:`validate_job_history` (hand-built data), the scenario checks of
the generator (``statuses=``, ``newest=``), the fake's ``add_branch`` and
``ListJobsChain.violations(coherent=True)``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._checks import check_choices
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._validate import SHOWN_VIOLATIONS, Violation

__all__ = [
    "RULES",
    "IncoherentJobHistory",
    "Scenario",
    "check_scenario",
    "job_history_violations",
    "job_kind",
    "validate_job_history",
]

#: Every coherence rule, by name: what it asks of a history (newest first).
RULES: Mapping[str, str] = {
    "ids-newest-first": "jobIds decrease from the newest job to the oldest",
    "ids-unique": "no two jobs share a jobId",
    "arn-matches": "jobArn names the app, the branch and the jobId of its job",
    "commit-before-start": "commitTime <= startTime",
    "start-before-end": "startTime <= endTime",
    "end-only-finished": "only a finished job has an endTime",
    "one-build": "at most one build in flight",
    "build-newest": "the build in flight is newer than every finished job",
    # A job cancelled while queued (StopJob) is no finished job to this rule: see below.
    "queued-newest": "queued jobs are newer than the build and every finished job",
    # AWS API reference, JobSummary: MANUAL "is for a manually deployed app. Manually deployed
    # apps are not connected to a Git repository"; RELEASE "is available only for apps that
    # are connected to a repository".
    "one-kind": (
        "a branch's jobs are all manual deploys or all builds of a repository (an app is "
        "deployed manually or connected to a repository, never both)"
    ),
}

_ARN = re.compile(
    r"arn:[a-z-]+:amplify:(?P<region>[a-z0-9-]*):(?P<account>\d*):apps/(?P<app>[^/]+)"
    r"/branches/(?P<branch>.+)/jobs/(?P<id>[^/]+)"
)


def _rule(name: str) -> str:
    return f"{name}: {RULES[name]}"


class IncoherentJobHistory(ValueError):
    """A history real Amplify could not show; ``violations`` lists every broken rule, each
    with its path (``jobs[2].endTime``) and the rule's name (see :data:`RULES`)."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        count = len(self.violations)
        shown = [f"  {v}" for v in self.violations[:SHOWN_VIOLATIONS]]
        if count > SHOWN_VIOLATIONS:
            shown.append(f"  ... and {count - SHOWN_VIOLATIONS} more")
        super().__init__(
            f"the job history is not coherent ({count} violation{'s' if count != 1 else ''}):\n"
            + "\n".join(shown)
        )


def _phase_violations(
    statuses: Sequence[object], path: str = "jobs[{i}].status"
) -> list[Violation]:
    """The lifecycle rules over statuses, newest first: queued jobs, at most one build, then
    finished jobs."""
    m = _model.model()
    out: list[Violation] = []
    build: int | None = None
    settled: int | None = None  # the newest job that is building or finished
    for index, status in enumerate(statuses):
        where = path.format(i=index)
        if status in m.queued_statuses:
            if settled is not None:
                older_than = "a build" if settled == build else "a finished job"
                out.append(
                    Violation(
                        where,
                        status,
                        f"{_rule('queued-newest')} (older than {older_than}, "
                        f"{path.format(i=settled)})",
                    )
                )
            continue
        if status in m.building_statuses:
            if build is not None:
                out.append(
                    Violation(where, status, f"{_rule('one-build')} (also {path.format(i=build)})")
                )
            elif settled is not None:
                out.append(
                    Violation(
                        where,
                        status,
                        f"{_rule('build-newest')} (older than {path.format(i=settled)})",
                    )
                )
            else:
                build = index
        # A job cancelled while it was queued (StopJob) never built: the jobs queued before
        # it still wait. A summary cannot tell it from a cancelled build, so both pass.
        if settled is None and status != "CANCELLED":
            settled = index
    return out


def job_history_violations(
    jobs: Sequence[Mapping[str, Any]],
    *,
    app_id: str | None = None,
    branch_name: str | None = None,
    path: str = "jobs",
) -> list[Violation]:
    """Every coherence rule ``jobs`` (newest first) breaks, each with its path; empty if none.

    ``app_id`` / ``branch_name`` are what the ARNs must name (default: what the first ARN
    names). Members missing or of the wrong type are the model's business
    (:func:`~pytest_amplify_jobs.validate_response`) and are skipped here.

    >>> import datetime as dt
    >>> t = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    >>> arn = "arn:aws:amplify:us-east-1:123456789012:apps/d1/branches/main/jobs/"
    >>> jobs = [{"jobId": "2", "jobArn": arn + "0000000002", "status": "RUNNING",
    ...          "commitTime": t, "startTime": t},
    ...         {"jobId": "1", "jobArn": arn + "0000000001", "status": "PENDING",
    ...          "commitTime": t, "startTime": t}]
    >>> [str(v) for v in job_history_violations(jobs)]
    ['jobs[1].status: queued-newest: queued jobs are newer than the build and every finished job (older than a build, jobs[0].status)']
    """
    m = _model.model()
    out: list[Violation] = []
    seen: dict[int, int] = {}
    previous: int | None = None
    owner: tuple[str | None, str | None] = (app_id, branch_name)
    shared: tuple[str, str, str] | None = None  # partition-free: region, account, app
    for index, job in enumerate(jobs):
        where = f"{path}[{index}]"
        if not isinstance(job, Mapping):
            continue
        job_id = _int_id(job.get("jobId"))
        if job_id is not None:
            if job_id in seen:
                out.append(
                    Violation(
                        f"{where}.jobId",
                        job.get("jobId"),
                        f"{_rule('ids-unique')} (also {path}[{seen[job_id]}])",
                    )
                )
            elif previous is not None and job_id > previous:
                out.append(
                    Violation(
                        f"{where}.jobId",
                        job.get("jobId"),
                        f"{_rule('ids-newest-first')} (newer job {path}[{index - 1}] has "
                        f"jobId {previous})",
                    )
                )
            seen.setdefault(job_id, index)
            previous = job_id
        arn = job.get("jobArn")
        if isinstance(arn, str):
            match = _ARN.fullmatch(arn)
            problem = None
            if match is None:
                problem = "not a job ARN (arn:aws:amplify:REGION:ACCOUNT:apps/APP/branches/BRANCH/jobs/ID)"
            else:
                app, branch = owner
                if app is None or branch is None:
                    owner = (app or match["app"], branch or match["branch"])
                    app, branch = owner
                here = (match["region"], match["account"], match["app"])
                shared = shared or here
                if match["app"] != app:
                    problem = f"names app {match['app']!r}, not {app!r}"
                elif match["branch"] != branch:
                    problem = f"names branch {match['branch']!r}, not {branch!r}"
                elif _int_id(match["id"]) != job_id:
                    problem = f"names job {match['id']!r}, not jobId {job.get('jobId')!r}"
                elif here != shared:
                    problem = "names another region or account than the first job's ARN"
            if problem is not None:
                out.append(Violation(f"{where}.jobArn", arn, f"{_rule('arn-matches')}: {problem}"))
        commit, start, end = job.get("commitTime"), job.get("startTime"), job.get("endTime")
        if _later(commit, start):
            out.append(Violation(f"{where}.commitTime", commit, _rule("commit-before-start")))
        if _later(start, end):
            out.append(Violation(f"{where}.endTime", end, _rule("start-before-end")))
        status = job.get("status")
        if end is not None and status in (*m.queued_statuses, *m.building_statuses):
            out.append(
                Violation(f"{where}.endTime", end, f"{_rule('end-only-finished')} ({status})")
            )
    statuses = [job.get("status") if isinstance(job, Mapping) else None for job in jobs]
    out.extend(_phase_violations(statuses, f"{path}[{{i}}].status"))
    out.extend(_kind_violations(jobs, path))
    return out


_KINDS = {True: "a manual deploy", False: "a build of a repository"}


def job_kind(job: Mapping[str, Any]) -> bool | None:
    """Whether a summary is a manual deploy (True) or a repository's build (False): its
    ``jobType``, or, where the service leaves it out, its commit (none: a manual deploy,
    departure manual-deploy-summary; ``HEAD``: a build, release-head). None: not a summary.

    >>> job_kind({"jobType": "MANUAL"}), job_kind({"commitId": "HEAD"}), job_kind({})
    (True, False, True)
    """
    m = _model.model()
    if "jobType" in job:
        job_type = job["jobType"]
        if job_type == m.manual_job_type:
            return True
        return False if job_type in m.job_types else None
    return "commitId" not in job


def _kind_violations(jobs: Sequence[Mapping[str, Any]], path: str) -> list[Violation]:
    out: list[Violation] = []
    first: tuple[int, bool] | None = None
    for index, job in enumerate(jobs):
        kind = job_kind(job) if isinstance(job, Mapping) else None
        if kind is None:
            continue
        if first is None:
            first = index, kind
        elif kind != first[1]:
            out.append(
                Violation(
                    f"{path}[{index}].jobType",
                    job.get("jobType"),
                    f"{_rule('one-kind')} ({_KINDS[kind]}; {path}[{first[0]}] is "
                    f"{_KINDS[first[1]]})",
                )
            )
    return out


def _int_id(value: object) -> int | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _later(a: object, b: object) -> bool:
    """``a > b`` for two datetimes that compare (both aware or both naive); else False (the
    model's checks report the types)."""
    if not (isinstance(a, dt.datetime) and isinstance(b, dt.datetime)):
        return False
    return (a.tzinfo is None) == (b.tzinfo is None) and a > b


def validate_job_history(
    jobs: Sequence[Mapping[str, Any]],
    *,
    app_id: str | None = None,
    branch_name: str | None = None,
) -> None:
    """Raise :class:`IncoherentJobHistory` listing every coherence rule ``jobs`` breaks.

    ``jobs`` is one branch's history, newest first, as ListJobs lists it. The rules
    (:data:`RULES`): jobIds decrease and are unique; every ARN names the app, the branch and
    the job id; ``commitTime <= startTime <= endTime``; only finished jobs have an ``endTime``;
    at most one build is in flight, and only jobs newer than it are queued; the jobs are all
    manual deploys or all builds of a repository (``one-kind``).

    >>> validate_job_history([
    ...     {"jobId": "1", "status": "RUNNING"}, {"jobId": "2", "status": "RUNNING"}])
    Traceback (most recent call last):
    ...
    pytest_amplify_jobs._coherence.IncoherentJobHistory: the job history is not coherent (2 violations):
      jobs[1].jobId: ids-newest-first: jobIds decrease from the newest job to the oldest (newer job jobs[0] has jobId 1)
      jobs[1].status: one-build: at most one build in flight (also jobs[0].status)
    """
    if isinstance(jobs, (str, bytes, Mapping)) or not isinstance(jobs, Sequence):
        raise TypeError(f"jobs={short_repr(jobs)} must be a list of job summaries, newest first")
    violations = job_history_violations(jobs, app_id=app_id, branch_name=branch_name)
    if violations:
        raise IncoherentJobHistory(violations)


# ----------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """What a test pins about a generated history (checked; hashable, so strategies cache).

    ``statuses``: the statuses any job may have (ordinary first; None: all). ``newest``: the
    statuses of the newest jobs, newest first. ``job_types``: the job types any job may have.
    """

    statuses: tuple[str, ...] | None = None
    newest: tuple[str, ...] = ()
    job_types: tuple[str, ...] | None = None

    @property
    def pinned(self) -> bool:
        return bool(self.statuses or self.newest or self.job_types)

    def max_jobs(self) -> int | None:
        """The longest coherent history this scenario allows (None: any length)."""
        m = _model.model()
        allowed = self.statuses or m.statuses
        if any(s in m.finished_statuses for s in allowed):
            return None
        settled = any(s not in m.queued_statuses for s in self.newest)
        if settled:
            return len(self.newest)
        if any(s in m.queued_statuses for s in allowed):
            return None
        return len(self.newest) + 1  # only builds allowed: one more

    def check_size(self, exc: type[Exception], name: str, size: int) -> None:
        """``exc`` when a history of ``size`` jobs cannot hold this scenario."""
        if size < len(self.newest):
            raise exc(
                f"{name}={size} is fewer jobs than newest={list(self.newest)!r} pins; "
                f"expected at least {len(self.newest)}"
            )
        limit = self.max_jobs()
        if limit is not None and size > limit:
            raise exc(
                f"{name}={size} cannot be a coherent history with {self._describe()}: "
                f"{_rule('one-build')}, and {_rule('queued-newest')}; so at most {limit} "
                f"job{'s' if limit != 1 else ''} (allow a finished status, or ask for fewer jobs)"
            )

    def check_sizes(
        self,
        exc: type[Exception],
        min_name: str,
        min_size: int,
        max_name: str,
        max_size: int | None,
    ) -> None:
        """``exc`` when no size in ``min_size..max_size`` can hold this scenario (sizes below
        ``len(newest)`` are raised to it, sizes above :meth:`max_jobs` lowered to it)."""
        if max_size is not None and max_size < len(self.newest):
            self.check_size(exc, max_name, max_size)
        limit = self.max_jobs()
        if limit is not None and min_size > limit:
            self.check_size(exc, min_name, min_size)

    def _describe(self) -> str:
        parts = []
        if self.statuses is not None:
            parts.append(f"statuses={list(self.statuses)!r}")
        if self.newest:
            parts.append(f"newest={list(self.newest)!r}")
        return " and ".join(parts) or "no finished status"


def check_scenario(
    exc: type[Exception],
    *,
    statuses: Iterable[str] | None = None,
    newest: Iterable[str] | None = None,
    job_types: Iterable[str] | None = None,
) -> Scenario:
    """The checked :class:`Scenario`; ``exc`` naming the parameter, the value and the rule.

    >>> check_scenario(ValueError, newest=["RUNNING", "PENDING"])
    Traceback (most recent call last):
    ...
    ValueError: newest=['RUNNING', 'PENDING'] is not a coherent history: newest[1]: queued-newest: queued jobs are newer than the build and every finished job (older than a build, newest[0])
    """
    m = _model.model()
    chosen = check_choices(exc, "statuses", statuses, m.statuses)
    types = check_choices(exc, "job_types", job_types, m.job_types)
    pinned: tuple[str, ...] = ()
    if newest is not None:
        if isinstance(newest, (str, bytes)) or not isinstance(newest, Iterable):
            raise exc(
                f"newest={short_repr(newest)} must be a list of statuses, newest first "
                f"(allowed: {', '.join(m.statuses)})"
            )
        pinned = tuple(newest)
        for index, status in enumerate(pinned):
            if not isinstance(status, str) or status not in m.statuses:
                raise exc(
                    f"newest={short_repr(newest)} has {short_repr(status)} at newest[{index}], "
                    f"which is not a job status; allowed: {', '.join(m.statuses)}"
                )
            if chosen is not None and status not in chosen:
                raise exc(
                    f"newest={short_repr(newest)} has {status!r} at newest[{index}], which "
                    f"statuses={list(chosen)!r} does not allow"
                )
        broken = _phase_violations(pinned, "newest[{i}]")
        if broken:
            raise exc(
                f"newest={short_repr(newest)} is not a coherent history: "
                + "; ".join(str(v) for v in broken)
            )
    ordered = tuple(s for s in m.statuses_ordinary_first if s in chosen) if chosen else None
    ordered_types = tuple(t for t in m.job_types_ordinary_first if t in types) if types else None
    return Scenario(ordered, pinned, ordered_types)


#: The scenario that pins nothing.
ANY_SCENARIO = Scenario()

"""Generated worlds: what the service *does* while the code under test polls it.

An :class:`AmplifyWorld` is apps, branches and coherent histories, plus a script: the
lifecycle each in-flight job follows and after how many calls on its branch each move happens,
jobs that appear while the code polls, the lifecycle of jobs the code starts, and a fault
schedule. The fake serves it exactly (``fake_amplify(world=...)``, ``fake.load(world)``).

Time is counted in calls on a branch, as the fake counts them (see ARCHITECTURE.md, "Counting
calls in the fake"): every HTTP attempt that reaches the branch, faulted ones and retries
included. A move "after N calls" is seen by call N+1; a fault "at call N" answers call N.

Schedules are valid by construction: a job leaves the queue only once every older job of its
branch has finished (so at most one build at a time, and every history served is coherent).
Faults are transient by default: only codes botocore retries in both its legacy and standard
modes, answered by every operation on a branch, at most as many in a row as either mode's
default retries absorb (standard mode's 3 attempts; the default mode from botocore 1.44 on).

One builder (:func:`build_world`) takes :class:`~pytest_amplify_jobs._choices.Choices`:
``amplify_worlds()`` draws through Hypothesis (shrinkable), :func:`generate_world` through a
seeded ``random.Random``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._checks import check_bool, check_choices, check_int, check_region
from pytest_amplify_jobs._checks import check_seed as _check_seed
from pytest_amplify_jobs._choices import Choices, RandomChoices
from pytest_amplify_jobs._coherence import ANY_SCENARIO, Scenario, check_scenario
from pytest_amplify_jobs._options import MAX_JOBS

__all__ = [
    "AmplifyWorld",
    "BranchWorld",
    "FaultBurst",
    "JobPlan",
    "Move",
    "WorldSpec",
    "build_world",
    "check_world",
    "generate_world",
    "retry_budget",
    "schedule_route",
    "transient_codes",
]


# ------------------------------------------------------------------------ botocore's retries


@functools.cache
def _legacy_retry() -> tuple[int, tuple[tuple[str | None, int | None], ...]]:
    """botocore's default retry config: max attempts, and the (code, HTTP status) it retries."""
    from botocore.loaders import create_loader

    config = create_loader().load_data("_retry")
    default = config["retry"]["__default__"]
    definitions = config.get("definitions", {})
    rules: list[tuple[str | None, int | None]] = []
    for policy in default["policies"].values():
        policy = definitions.get(policy.get("$ref"), policy)
        response = policy.get("applies_when", {}).get("response")
        if response:
            rules.append((response.get("service_error_code"), response.get("http_status_code")))
    return int(default["max_attempts"]), tuple(rules)


def retry_budget() -> int:
    """Faulted attempts in a row that botocore's default retries absorb in either mode: the
    smaller ``max_attempts`` of legacy mode (5, from ``_retry.json``) and standard mode (3,
    the default from botocore 1.44 on) minus the attempt that must succeed.

    >>> retry_budget()
    2
    """
    from botocore.retries.standard import DEFAULT_MAX_ATTEMPTS

    return min(_legacy_retry()[0], DEFAULT_MAX_ATTEMPTS) - 1


def _retried(code: str) -> bool:
    fact = _model.error_fact(code)
    return any(
        rule_code in (None, code) and status in (None, fact.http_status)
        for rule_code, status in _legacy_retry()[1]
    )


@functools.cache
def _branch_codes() -> tuple[str, ...]:
    """Error codes every operation on a branch answers: modeled by all of them, or common."""
    names = [
        name
        for name in _model.operation_names()
        if (shape := _model.operation(name).input_shape) is not None
        and "branchName" in shape.required_members
    ]
    modeled = set.intersection(
        *({s.name for s in _model.operation(name).error_shapes} for name in names)
    )
    ordered = [code for code in _model.all_error_codes() if code in modeled]
    return tuple(_model.common_error_codes()) + tuple(ordered)


@functools.cache
def transient_codes() -> tuple[str, ...]:
    """Codes of transient faults: retried by botocore (legacy and standard modes), answered by every
    operation on a branch; throttling first.

    >>> transient_codes()[:2]
    ('ThrottlingException', 'TooManyRequestsException')
    """
    return tuple(code for code in _branch_codes() if _retried(code))


def persistent_codes() -> tuple[str, ...]:
    """Codes a world with ``persistent_faults=True`` may use: every code a branch answers."""
    return _branch_codes()


# ------------------------------------------------------------------------------- lifecycles


@functools.cache
def routes(status: str) -> tuple[tuple[str, ...], ...]:
    """Every way a job in ``status`` can go on to finish (the model's moves), ordinary first:
    ``SUCCEED`` endings, then ``FAILED``, then ``CANCELLED``, shortest first.

    >>> routes("RUNNING")
    (('SUCCEED',), ('FAILED',), ('CANCELLING', 'FAILED'), ('CANCELLING', 'CANCELLED'))
    """
    m = _model.model()
    rank = {s: i for i, s in enumerate(m.statuses_ordinary_first)}
    order = {s: i for i, s in enumerate(m.queued_statuses + m.building_statuses)}

    def walk(current: str) -> Iterator[tuple[str, ...]]:
        for following in m.moves.get(current, ()):
            if following in m.finished_statuses:
                yield (following,)
            else:
                for rest in walk(following):
                    yield (following, *rest)

    found = list(walk(status))
    found.sort(key=lambda r: (rank[r[-1]], len(r), [order.get(s, 99) for s in r]))
    return tuple(found)


class Move(NamedTuple):
    """One scripted move: ``status`` is seen from the call after ``after_calls`` calls on the
    branch (counted from when the world is loaded)."""

    status: str
    after_calls: int


def schedule_route(
    route: Sequence[tuple[str, int]], start: int, queue_free: int
) -> tuple[tuple[Move, ...], int]:
    """Moves of one job from drawn ``(status, wait)`` steps, starting after ``start`` calls;
    it leaves the queue no sooner than ``queue_free`` (when every older job has finished).
    Returns the moves and when the queue is free again (when this job finishes).

    >>> schedule_route([("RUNNING", 1), ("SUCCEED", 0)], start=0, queue_free=3)
    ((Move(status='RUNNING', after_calls=3), Move(status='SUCCEED', after_calls=3)), 3)
    """
    queued = _model.model().queued_statuses
    moves = []
    at = start
    for status, wait in route:
        at += wait
        if status not in queued:
            at = max(at, queue_free)
        moves.append(Move(status, at))
    return tuple(moves), max(queue_free, at)


@dataclass(frozen=True)
class JobPlan:
    """A job's script: its id, its status when the world is loaded, and its moves."""

    job_id: str
    status: str
    moves: tuple[Move, ...] = ()
    arrives_after: int | None = None  # None: in the history when loaded
    job_type: str | None = None  # of a job that arrives
    steps: tuple[tuple[str, int], ...] = ()  # drawn (status, wait) steps of a job that arrives

    @property
    def final_status(self) -> str:
        return self.moves[-1].status if self.moves else self.status

    @property
    def finishes_after(self) -> int:
        """Calls on the branch that see the job unfinished: call ``finishes_after + 1``
        sees its final status (0 for a job finished when loaded)."""
        return self.moves[-1].after_calls if self.moves else 0

    def timeline(self) -> str:
        text = f"#{self.job_id} {self.status}"
        if self.arrives_after is not None:
            text = f"#{self.job_id} arrives after {self.arrives_after} calls: {self.status}"
        at = self.arrives_after or 0
        for move in self.moves:
            text += f" -({move.after_calls - at})-> {move.status}"
            at = move.after_calls
        return text


@dataclass(frozen=True)
class FaultBurst:
    """Calls ``at_call`` .. ``at_call + times - 1`` on the watched branch (1-based, any
    operation) are answered with the error ``code``."""

    code: str
    at_call: int
    times: int = 1

    def timeline(self) -> str:
        calls = (
            f"call {self.at_call}"
            if self.times == 1
            else f"calls {self.at_call}-{self.at_call + self.times - 1}"
        )
        return f"{calls} {self.code}"


@dataclass(frozen=True)
class BranchWorld:
    """One branch of a world: its history when loaded (newest first) and its scripts.

    ``manual``: its app is deployed manually (no repository), so its jobs are manual deploys,
    those that arrive too, and the code starts one with StartDeployment; else the app is
    connected to a repository (webhook builds, RELEASE, RETRY; StartJob).
    """

    app_id: str
    branch_name: str
    jobs: tuple[dict[str, Any], ...]
    plans: tuple[JobPlan, ...]  # jobs that move or arrive, oldest first
    settles_after: int  # calls after which no scripted job of the branch moves any more
    manual: bool = False

    @property
    def queue_free(self) -> int:
        """Calls after which every job in the history when loaded has finished."""
        return max((p.finishes_after for p in self.plans if p.arrives_after is None), default=0)

    def timeline(self) -> str:
        """The jobs that move, the newest finished one, how many older ones, then arrivals."""
        planned = {p.job_id: p for p in self.plans if p.arrives_after is None}
        parts = [planned[j["jobId"]].timeline() for j in self.jobs if j["jobId"] in planned]
        finished = [j for j in self.jobs if j["jobId"] not in planned]
        if finished:
            parts.append(f"#{finished[0]['jobId']} {finished[0]['status']}")
        if len(finished) > 1:
            parts.append(f"{len(finished) - 1} older finished")
        if not self.jobs:
            parts.append("no jobs")
        parts += [p.timeline() for p in self.plans if p.arrives_after is not None]
        kind = " (manual deploys)" if self.manual else ""
        return f"{self.app_id}/{self.branch_name}{kind}: " + ", ".join(parts)


@dataclass(frozen=True, repr=False)
class AmplifyWorld:
    """What the service holds and does, for the fake to serve exactly.

    The first branch is the one a test watches (:attr:`app_id`, :attr:`branch_name`); faults
    and arriving jobs are scripted on it. Each job's truth is in :meth:`final_status` and
    :meth:`finishes_after`; jobs the code starts (StartJob, StartDeployment) follow
    :attr:`started` once every scripted job of their branch has finished. Its histories depart
    from the model as the service's do (see ``departures()``) unless :attr:`model_complete`
    (then load it into ``fake_amplify(model_complete=True)``, so that what the fake adds is
    model-complete too).

    :attr:`apps` are its apps as GetApp shows them, each of one kind, as its branches'
    histories are: connected to a repository (``repository`` set; webhook builds, RELEASE,
    RETRY) or deployed manually (no ``repository``; manual deploys only), so that the fake
    refuses what the service refuses (StartJob on a manual app, a deployment on the other).

    >>> world = generate_world(seed=1, max_faults=0, max_arrivals=0)
    >>> world.app_id.startswith("d"), world.final_status() in ("SUCCEED", "FAILED", "CANCELLED")
    (True, True)
    """

    branches: tuple[BranchWorld, ...]
    started: tuple[tuple[str, int], ...]  # the (status, wait) steps of a started job
    faults: tuple[FaultBurst, ...] = ()
    region: str = "us-east-1"
    # Histories with every member the model requires (no departures of the service).
    model_complete: bool = False
    apps: tuple[dict[str, Any], ...] = ()  # one App per app id of the branches, in order

    @property
    def manual(self) -> bool:
        """Whether the watched branch's app is deployed manually (no repository): its jobs
        are manual deploys, and the code starts one with StartDeployment, not StartJob."""
        return self.watched.manual

    def app(self, app_id: str | None = None) -> dict[str, Any]:
        """The App (as GetApp shows it when loaded) of ``app_id`` (default: the watched
        branch's)."""
        app_id = self.app_id if app_id is None else app_id
        for app in self.apps:
            if app["appId"] == app_id:
                return app
        raise ValueError(
            f"app_id={app_id!r} is not an app of the world; known: "
            f"{', '.join(a['appId'] for a in self.apps) or 'none'}"
        )

    @property
    def watched(self) -> BranchWorld:
        return self.branches[0]

    @property
    def app_id(self) -> str:
        """The app of the branch a test watches."""
        return self.watched.app_id

    @property
    def branch_name(self) -> str:
        """The branch a test watches (the first one drawn)."""
        return self.watched.branch_name

    @property
    def jobs(self) -> tuple[dict[str, Any], ...]:
        """The watched branch's history when loaded, newest first."""
        return self.watched.jobs

    @property
    def job_id(self) -> str | None:
        """The newest job of the watched branch when loaded (None: no jobs)."""
        return self.jobs[0]["jobId"] if self.jobs else None

    def plan(self, job_id: str | None = None) -> JobPlan:
        """The script of one job of the watched branch (default: the newest when loaded).

        Arriving jobs take the ids after the newest, in order, as long as the code starts
        no job before they arrive.
        """
        job_id = self.job_id if job_id is None else str(job_id)
        if job_id is None:
            raise ValueError("job_id=None: the watched branch had no job when loaded; name one")
        for plan in self.watched.plans:
            if plan.job_id == job_id:
                return plan
        for job in self.jobs:
            if job["jobId"] == job_id:
                return JobPlan(job_id, job["status"])
        known = [j["jobId"] for j in self.jobs] + [p.job_id for p in self.watched.plans]
        raise ValueError(
            f"job_id={job_id!r} is not a job of the watched branch; known: "
            f"{', '.join(dict.fromkeys(known)) or 'none'}"
        )

    def final_status(self, job_id: str | None = None) -> str:
        """The status a job of the watched branch ends with (default: the newest when loaded)."""
        return self.plan(job_id).final_status

    def finishes_after(self, job_id: str | None = None) -> int:
        """How many calls on the watched branch see the job unfinished (default: the newest
        when loaded); call ``finishes_after() + 1`` sees :meth:`final_status`."""
        return self.plan(job_id).finishes_after

    @property
    def started_status(self) -> str:
        """The status jobs the code starts end with."""
        return self.started[-1][0]

    def started_finishes_after(self, started_at: int = 1) -> int:
        """How many calls on the watched branch see the first job the code starts unfinished,
        when StartJob is call ``started_at`` on it (it queues behind the jobs there by then)."""
        queue_free = self.watched.queue_free
        for plan in self.watched.plans:
            if plan.arrives_after is not None and plan.arrives_after < started_at:
                queue_free = max(queue_free, plan.finishes_after)
        return schedule_route(self.started, started_at, queue_free)[1]

    @property
    def settles_after(self) -> int:
        """Calls on the watched branch after which no scripted job moves or arrives and no
        fault is left."""
        last_fault = max((f.at_call + f.times - 1 for f in self.faults), default=0)
        return max(self.watched.settles_after, last_fault)

    def faulted(self, call: int) -> str | None:
        """The error code call ``call`` (1-based) on the watched branch is answered with."""
        for burst in self.faults:
            if burst.at_call <= call < burst.at_call + burst.times:
                return burst.code
        return None

    def timeline(self) -> str:
        """The world as short lines: each branch, then jobs the code starts, then faults."""
        lines = [b.timeline() for b in self.branches]
        started = "".join(f" -({wait})-> {status}" for status, wait in self.started)
        lines.append(f"started jobs: PENDING{started}")
        if self.faults:
            lines.append("faults: " + ", ".join(f.timeline() for f in self.faults))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "AmplifyWorld(" + "; ".join(self.timeline().splitlines()) + ")"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints falsifying examples with this hook: the timeline, not every field.
        printer.text(repr(self))


# ------------------------------------------------------------------------------- the builder


@dataclass(frozen=True)
class WorldSpec:
    """The checked arguments of ``amplify_worlds`` / :func:`generate_world` (hashable)."""

    min_jobs: int = 1
    max_jobs: int = 5
    scenario: Scenario = ANY_SCENARIO
    max_apps: int = 2
    max_branches: int = 2
    max_wait: int = 5
    max_arrivals: int = 1
    max_faults: int = 2
    fault_codes: tuple[str, ...] = ()
    persistent_faults: bool = False
    region: str = "us-east-1"
    model_complete: bool = False


def check_world(
    exc: type[Exception],
    *,
    min_jobs: object = 1,
    max_jobs: object = 5,
    statuses: Iterable[str] | None = None,
    newest: Iterable[str] | None = None,
    job_types: Iterable[str] | None = None,
    max_apps: object = 2,
    max_branches: object = 2,
    max_wait: object = 5,
    max_arrivals: object = 1,
    max_faults: object = 2,
    fault_codes: Iterable[str] | None = None,
    persistent_faults: object = False,
    region: object = "us-east-1",
    model_complete: object = False,
) -> WorldSpec:
    """The :class:`WorldSpec` of these arguments, or ``exc`` naming the bad one.

    >>> check_world(ValueError, fault_codes=["AccessDeniedException"])
    Traceback (most recent call last):
    ...
    ValueError: fault_codes=['AccessDeniedException'] has 'AccessDeniedException', which is not transient (botocore's default retries do not absorb it); allowed: ThrottlingException, TooManyRequestsException, ServiceUnavailableException, InternalFailure, InternalFailureException (pass persistent_faults=True for the others)
    """
    check_int(exc, "min_jobs", min_jobs, 0, MAX_JOBS)
    check_int(exc, "max_jobs", max_jobs, 0, MAX_JOBS)
    assert isinstance(min_jobs, int) and isinstance(max_jobs, int)
    if min_jobs > max_jobs:
        raise exc(f"min_jobs={min_jobs!r} is greater than max_jobs={max_jobs!r}")
    scenario = check_scenario(exc, statuses=statuses, newest=newest, job_types=job_types)
    scenario.check_sizes(exc, "min_jobs", min_jobs, "max_jobs", max_jobs)
    check_int(exc, "max_apps", max_apps, 1, 100)
    check_int(exc, "max_branches", max_branches, 1, 100)
    check_int(exc, "max_wait", max_wait, 0, 10_000)
    check_int(exc, "max_arrivals", max_arrivals, 0, 100)
    check_int(exc, "max_faults", max_faults, 0, 100)
    check_bool(exc, "persistent_faults", persistent_faults)
    check_region(exc, region, none_ok=False)
    check_bool(exc, "model_complete", model_complete)
    allowed = persistent_codes() if persistent_faults else transient_codes()
    known = tuple(dict.fromkeys((*_model.all_error_codes(), *_model.model().service_errors)))
    codes = check_choices(exc, "fault_codes", fault_codes, known)
    for code in codes or ():
        if code not in allowed:
            why = (
                "not transient (botocore's default retries do not absorb it)"
                if code in persistent_codes()
                else "not answered by every operation on a branch"
            )
            hint = "" if persistent_faults else " (pass persistent_faults=True for the others)"
            raise exc(
                f"fault_codes={list(codes or ())!r} has {code!r}, which is {why}; allowed: "
                f"{', '.join(allowed)}{hint}"
            )
    return WorldSpec(
        min_jobs=min_jobs,
        max_jobs=max_jobs,
        scenario=scenario,
        max_apps=max_apps,  # type: ignore[arg-type]
        max_branches=max_branches,  # type: ignore[arg-type]
        max_wait=max_wait,  # type: ignore[arg-type]
        max_arrivals=max_arrivals,  # type: ignore[arg-type]
        max_faults=max_faults,  # type: ignore[arg-type]
        fault_codes=codes or allowed,
        persistent_faults=persistent_faults,  # type: ignore[arg-type]
        region=region,  # type: ignore[arg-type]
        model_complete=model_complete,  # type: ignore[arg-type]
    )


class _BranchDraw(NamedTuple):
    app_index: int  # 0: the watched branch's app
    name: str
    epoch_offset: int
    draws: tuple[_generate.JobDraw, ...]


@dataclass(frozen=True)
class _DrawBranch:
    """One more branch (hashable, so Hypothesis caches its list strategy): which app, its
    name and its jobs' draws; the builder gives it its app and plans."""

    max_apps: int
    max_jobs: int

    def __call__(self, c: Choices) -> _BranchDraw:
        app_index = c.integer(0, self.max_apps - 1)
        name = _generate.draw_branch_name(c)
        offset = c.integer(0, 365 * 24 * 3600)
        # One integer per job (as draw_history's realistic jobs): the cheapest list to draw.
        drawer = _generate.JobDrawer()
        draws = [drawer.from_int(v) for v in c.integers(0, drawer.top, 0, self.max_jobs)]
        return _BranchDraw(app_index, name, offset, tuple(draws))


class _FaultDraw(NamedTuple):
    gap: int
    code: str
    times: int


@dataclass(frozen=True)
class _DrawFault:
    codes: tuple[str, ...]
    max_gap: int
    max_times: int

    def __call__(self, c: Choices) -> _FaultDraw:
        return _FaultDraw(
            c.integer(0, self.max_gap), c.sampled(self.codes), c.integer(1, self.max_times)
        )


@dataclass(frozen=True)
class _DrawArrival:
    max_wait: int
    job_types: tuple[str, ...]

    def __call__(self, c: Choices) -> tuple[int, str]:
        return c.integer(0, self.max_wait), c.sampled(self.job_types)


def _draw_route(c: Choices, status: str, max_wait: int) -> tuple[tuple[str, int], ...]:
    # The ending first (weighted like generated histories: mostly SUCCEED), then the way there.
    ending = c.sampled(_endings(status))
    route = c.sampled([r for r in routes(status) if r[-1] == ending])
    # As many waits for every route: Hypothesis prefers fewer choices, and a short route must
    # not look simpler than SUCCEED for that reason alone.
    longest = max(len(r) for r in routes(status))
    waits = c.integers(0, max_wait, longest, longest)
    return tuple(zip(route, waits, strict=False))


@functools.cache
def _endings(status: str) -> tuple[str, ...]:
    reachable = {r[-1] for r in routes(status)}
    return tuple(s for s in _generate.status_table(True) if s in reachable)


def _plan_branch(
    c: Choices,
    app_id: str,
    branch_name: str,
    jobs: list[dict[str, Any]],
    max_wait: int,
    arrivals: Sequence[tuple[int, str]] = (),
    *,
    manual: bool = False,
) -> BranchWorld:
    """Draw the moves of every in-flight job (oldest first, each leaving the queue after the
    one before has finished), then the jobs that arrive."""
    m = _model.model()
    in_flight = m.queued_statuses + m.building_statuses
    plans: list[JobPlan] = []
    queue_free = 0
    for job in reversed(jobs):
        if job["status"] in in_flight:
            moves, queue_free = schedule_route(
                _draw_route(c, job["status"], max_wait), 0, queue_free
            )
            plans.append(JobPlan(job["jobId"], job["status"], moves))
    next_id = max((int(j["jobId"]) for j in jobs), default=0) + 1
    arrives = 0
    queued = m.queued_statuses[-1]
    for offset, (wait, job_type) in enumerate(arrivals):
        arrives += wait
        steps = _draw_route(c, queued, max_wait)
        moves, queue_free = schedule_route(steps, arrives, queue_free)
        plans.append(JobPlan(str(next_id + offset), queued, moves, arrives, job_type, steps))
    return BranchWorld(app_id, branch_name, tuple(jobs), tuple(plans), queue_free, manual)


def build_world(c: Choices, spec: WorldSpec) -> AmplifyWorld:
    """The one builder: ``amplify_worlds()`` and :func:`generate_world` differ only in ``c``.

    Ordinary choices come first, so it shrinks toward one app connected to a repository with
    one branch holding the fewest jobs allowed, every move due at once (a job finishes at the
    first poll) on its way to ``SUCCEED``, no job arriving and no fault. Each app is of one
    kind (drawn, one in four deployed manually, or as ``job_types`` pin the watched one), and
    every branch of it holds the jobs that kind makes.
    """
    m = _model.model()
    ctx = _generate.draw_context(
        c,
        app_id=None,
        branch_name=None,
        region=spec.region,
        realistic=True,
        complete=spec.model_complete,
    )
    manual = _generate.draw_manual(c, spec.scenario.job_types)
    types = _generate.kind_types(manual, spec.scenario.job_types)
    scenario = dataclasses.replace(spec.scenario, job_types=types)
    jobs = _generate.draw_history(
        c, ctx, min_size=spec.min_jobs, max_size=spec.max_jobs, scenario=scenario
    )
    others = c.many(_DrawBranch(spec.max_apps, spec.max_jobs), 0, spec.max_branches - 1)
    arrivals = c.many(_DrawArrival(spec.max_wait, types), 0, spec.max_arrivals)
    watched = _plan_branch(
        c, ctx.app_id, ctx.branch_name, jobs, spec.max_wait, arrivals, manual=manual
    )
    branches = [watched]
    kinds = {ctx.app_id: manual}  # in the order the apps appear
    seen = {(ctx.app_id, ctx.branch_name)}
    for draw in others:
        app_id = ctx.app_id
        if draw.app_index:
            app_id = _generate.draw_app_id(RandomChoices(_generate.mix(draw.app_index, 11)))
        if (app_id, draw.name) in seen:
            continue
        seen.add((app_id, draw.name))
        if app_id not in kinds:
            kinds[app_id] = _generate.draw_manual(c)
        kind = kinds[app_id]
        other = _generate.BranchContext(
            app_id, draw.name, ctx.region, ctx.account, complete=spec.model_complete
        )
        draws = [_generate.of_kind(d, kind) for d in draw.draws]
        history = _generate.build_history(other, draws, draw.epoch_offset)
        branches.append(_plan_branch(c, app_id, draw.name, history, spec.max_wait, manual=kind))
    started = _draw_route(c, m.queued_statuses[-1], spec.max_wait)
    faults = _faults(c, spec)
    apps = tuple(
        _generate.draw_app(
            RandomChoices(_generate.mix(ctx.identity, 12 + index)),
            app_id=app_id,
            region=spec.region,
            account=ctx.account,
            complete=spec.model_complete,
            manual=kind,
        )
        for index, (app_id, kind) in enumerate(kinds.items())
    )
    return AmplifyWorld(
        tuple(branches), started, faults, spec.region, spec.model_complete, apps=apps
    )


def _faults(c: Choices, spec: WorldSpec) -> tuple[FaultBurst, ...]:
    budget = retry_budget()
    max_times = 2 * budget + 1 if spec.persistent_faults else budget
    draws = c.many(
        _DrawFault(spec.fault_codes, 2 * spec.max_wait + 2, max_times), 0, spec.max_faults
    )
    out: list[FaultBurst] = []
    last = 0  # the last faulted call so far
    for draw in draws:
        # Transient bursts are apart: one attempt of every call gets through its retries.
        gap = draw.gap + (1 if out and not spec.persistent_faults else 0)
        out.append(FaultBurst(draw.code, last + gap + 1, draw.times))
        last = last + gap + draw.times
    return tuple(out)


def generate_world(
    *,
    seed: int = 0,
    min_jobs: int = 1,
    max_jobs: int = 5,
    statuses: Iterable[str] | None = None,
    newest: Iterable[str] | None = None,
    job_types: Iterable[str] | None = None,
    max_apps: int = 2,
    max_branches: int = 2,
    max_wait: int = 5,
    max_arrivals: int = 1,
    max_faults: int = 2,
    fault_codes: Iterable[str] | None = None,
    persistent_faults: bool = False,
    region: str = "us-east-1",
    model_complete: bool = False,
) -> AmplifyWorld:
    """A seeded :class:`AmplifyWorld` (same arguments as ``amplify_worlds``): the same seed
    gives the same world, for fixtures and scripts.

    >>> world = generate_world(seed=7, newest=["RUNNING"], max_faults=0, max_arrivals=0)
    >>> world.jobs[0]["status"], world == generate_world(seed=7, newest=["RUNNING"],
    ...                                                  max_faults=0, max_arrivals=0)
    ('RUNNING', True)
    """
    _check_seed(ValueError, seed)
    spec = check_world(
        ValueError,
        min_jobs=min_jobs,
        max_jobs=max_jobs,
        statuses=statuses,
        newest=newest,
        job_types=job_types,
        max_apps=max_apps,
        max_branches=max_branches,
        max_wait=max_wait,
        max_arrivals=max_arrivals,
        max_faults=max_faults,
        fault_codes=fault_codes,
        persistent_faults=persistent_faults,
        region=region,
        model_complete=model_complete,
    )
    return build_world(RandomChoices(seed), spec)

"""The job lifecycle: the fake's clock, scheduled moves, and started jobs moving by themselves.

Counting calls (``fail`` and ``advance`` mean the same): each HTTP attempt that reaches a branch
is one call, whether it is answered with data or with a scripted fault; a retried attempt is a
new call. ``after_calls=N``: N matching calls see the old state, call N+1 sees the new one.

Observing calls (ListJobs, GetJob, GetBranch of a branch) also move the branch's *started* jobs
(those StartJob or StartDeployment created) one lifecycle step, before they are answered: see
:meth:`Lifecycle.step`. A stopped build always completes its cancellation at the next observing
call. One build at a time holds for every schedule: :meth:`Lifecycle.schedule` refuses any that
would put two builds on a branch at any moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._fake.records import BranchRecord, JobMeta
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._world import schedule_route

__all__ = ["OBSERVING", "Clock", "Lifecycle", "Transition"]

# Operations that observe a branch's jobs: each such call moves started jobs one step.
OBSERVING = frozenset({"ListJobs", "GetJob", "GetBranch"})


class Clock:
    """The fake's time: starts at the newest time it serves, moves with every call.

    The service's timestamps carry milliseconds (``"startTime": "2024-02-08T21:54:42.674000"``
    in AWS's GetJob example, https://docs.aws.amazon.com/amplify/latest/userguide/troubleshooting-SSR.html,
    tests/published/006), so the clock's do too: it counts whole seconds, and each second it
    shows carries a millisecond offset derived from that second alone (the same calls give the
    same times, seeded runs repeat). An offset is under a second and the count moves by at
    least one, so time only moves forward.
    """

    def __init__(self) -> None:
        # Whole seconds, counted in UTC (no wall-clock arithmetic across a zone's changes);
        # now() adds the milliseconds.
        self.time: dt.datetime | None = None

    def now(self) -> dt.datetime:
        if self.time is None:
            self.time = _generate.EPOCH.astimezone(_UTC)
        # As botocore hands a timestamp out: in tzlocal(), like the generated histories.
        return _generate.local(self.time + _milliseconds(self.time))

    def tick(self, seconds: int) -> dt.datetime:
        self.now()
        assert self.time is not None
        self.time += dt.timedelta(seconds=max(1, seconds))
        return self.now()

    def not_before(self, when: dt.datetime) -> None:
        """Nothing served is newer than now: move to ``when`` (its next whole second) if it
        is later."""
        if self.time is None or when > self.now():
            whole = when.astimezone(_UTC).replace(microsecond=0)
            self.time = whole if whole == when else whole + dt.timedelta(seconds=1)


_UTC = dt.timezone.utc


def _milliseconds(second: dt.datetime) -> dt.timedelta:
    """The millisecond offset of a whole second of the clock: 0 to 999, spread (617 is coprime
    to 1000: a thousand consecutive seconds get a thousand distinct offsets)."""
    return dt.timedelta(milliseconds=int(second.timestamp()) * 617 % 1000)


@dataclass
class Transition:
    job_arn: str
    status: str
    due_after: int  # applies to the first call made once the branch has had this many
    applied: bool = field(default=False)


# A job a world's branch adds once due: (branch, job type) -> the job, queued.
Arrive = Callable[[BranchRecord, str | None], dict[str, Any]]


class Lifecycle:
    """Where jobs go: moves scheduled by ``advance`` and worlds, and started jobs' steps."""

    def __init__(self, clock: Clock, arrive: Arrive) -> None:
        self.clock = clock
        self.arrive = arrive
        self.transitions: list[Transition] = []
        # Where started jobs end (None: they stay where StartJob put them until advance()).
        self.auto_final: str | None = _model.model().finished_statuses[0]
        # Whether started jobs show PROVISIONING on their way: off by default, because polling
        # code never observes it on the service (the source is in the comment of path()).
        self.auto_provisioning = False

    def __bool__(self) -> bool:
        return bool(self.transitions)

    # ------------------------------------------------------------------------- scheduling

    def follow(
        self,
        branch: BranchRecord,
        job: dict[str, Any],
        steps: Sequence[tuple[str, int]],
        start: int,
    ) -> None:
        """A new job of a world's branch moves by ``steps`` after ``start`` calls, leaving the
        queue once every job before it has finished (one build at a time, by construction)."""
        assert branch.queue_free is not None
        moves, branch.queue_free = schedule_route(steps, start, branch.queue_free)
        branch.job_meta(job["jobId"]).auto = False
        self.transitions.extend(Transition(job["jobArn"], s, due) for s, due in moves)

    def void(self, arns: Iterable[str]) -> None:
        """Scripted moves of these jobs never apply (they were stopped, or went)."""
        gone = set(arns)
        for transition in self.transitions:
            if transition.job_arn in gone:
                transition.applied = True

    def check_no_other_build(
        self, branch: BranchRecord, job: dict[str, Any] | None, status: str
    ) -> None:
        other = self.other_build(branch, job)
        if other is not None:
            raise ValueError(
                f"status={status!r}: job {other['jobId']} of the branch is "
                f"{self.planned_status(other)}; one build at a time"
            )

    def check_queue(self, branch: BranchRecord, job_id: int, status: str) -> None:
        """One queue: job ``job_id`` builds (``status``) only once every older job has left
        it; ``ValueError`` naming the older job otherwise."""
        m = _model.model()
        if status not in m.building_statuses:
            return
        for older in branch.jobs:
            planned = self.planned_status(older)
            if int(older["jobId"]) < job_id and planned in m.queued_statuses:
                raise ValueError(
                    f"status={status!r}: job {older['jobId']} of the branch is queued before "
                    f"job {job_id} ({planned}); jobs leave the queue oldest first (advance it "
                    "first)"
                )

    def other_build(
        self, branch: BranchRecord, job: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """A job other than ``job`` that is building, or will be once its moves apply."""
        m = _model.model()
        for other in branch.jobs:
            if other is not job and (
                self.planned_status(other) in m.building_statuses
                or other["status"] in m.building_statuses
            ):
                return other
        return None

    def planned_status(self, job: dict[str, Any]) -> str:
        status: str = job["status"]
        for transition in self.transitions:
            if transition.job_arn == job["jobArn"] and not transition.applied:
                status = transition.status
        return status

    def schedule(
        self, branch: BranchRecord, target: dict[str, Any], status: str, after_calls: int
    ) -> None:
        """``advance``: ``target`` moves to ``status`` after ``after_calls`` calls on its
        branch; ``ValueError`` for a move its lifecycle or one build at a time forbids."""
        m = _model.model()
        current = self.planned_status(target)
        allowed = m.moves.get(current, ())
        if not isinstance(status, str) or status not in m.statuses:
            raise ValueError(
                f"status={short_repr(status)} is not a job status; allowed: {', '.join(m.statuses)}"
            )
        if status not in allowed:
            raise ValueError(
                f"job {target['jobId']} cannot go from {current} to {status}; allowed: "
                f"{', '.join(allowed) or 'none (it has finished)'}"
            )
        self.check_queue(branch, int(target["jobId"]), status)
        due = branch.calls + after_calls
        pending = [t for t in self.transitions if t.job_arn == target["jobArn"] and not t.applied]
        if pending and due < max(t.due_after for t in pending):
            earlier = max(pending, key=lambda t: t.due_after)
            raise ValueError(
                f"after_calls={after_calls}: job {target['jobId']} already moves to "
                f"{earlier.status} after {earlier.due_after - branch.calls} more call(s); a later "
                f"move cannot come before it (allowed: after_calls >= "
                f"{earlier.due_after - branch.calls})"
            )
        transition = Transition(target["jobArn"], status, due)
        self.transitions.append(transition)
        clash = self.overlapping_builds(branch)
        if clash is not None:
            self.transitions.remove(transition)
            other_id = clash[1] if clash[0] == target["jobId"] else clash[0]
            other = next(j for j in branch.jobs if j["jobId"] == other_id)
            if clash[2] <= branch.calls:
                what = f"job {other_id} of the branch is {self.planned_status(other)}"
            else:
                what = f"job {other_id} would be building too from call {int(clash[2]) + 1}"
            raise ValueError(
                f"status={status!r} after_calls={after_calls}: {what}; one build at a time"
            )
        branch.job_meta(target["jobId"]).auto = False  # exact control from now on
        self.apply_due(branch)

    def overlapping_builds(self, branch: BranchRecord) -> tuple[str, str, float] | None:
        """Two jobs of ``branch`` building at the same moment of the schedule (their ids and
        the call count from which they overlap); None when one build at a time holds."""
        m = _model.model()
        spans: list[tuple[float, float, str]] = []
        for job in branch.jobs:
            moves = sorted(
                (t.due_after, index, t.status)
                for index, t in enumerate(self.transitions)
                if t.job_arn == job["jobArn"] and not t.applied
            )
            building = job["status"] in m.building_statuses
            start: float = -1.0 if building else float("inf")
            for due, _index, status in moves:
                if status in m.building_statuses and not building:
                    building, start = True, due
                elif status not in m.building_statuses and building:
                    spans.append((start, due, job["jobId"]))
                    building = False
            if building:
                spans.append((start, float("inf"), job["jobId"]))
        spans.sort()
        reach, reaching = float("-inf"), ""  # the latest end so far, and whose
        for start, end, job_id in spans:
            if start < reach:
                return reaching, job_id, max(start, float(branch.calls))
            if end > reach:
                reach, reaching = end, job_id
        return None

    # ------------------------------------------------------------------------------ moving

    def apply_due(self, branch: BranchRecord) -> None:
        """Apply every move due by now: those whose branch has had ``due_after`` calls (a
        world's jobs that arrive by now first)."""
        for arrival in branch.arrivals:
            if not arrival.applied and arrival.due_after <= branch.calls:
                arrival.applied = True
                job = self.arrive(branch, arrival.job_type)
                self.follow(branch, job, arrival.steps, arrival.due_after)
        for transition in self.transitions:
            if transition.applied or transition.due_after > branch.calls:
                continue
            for job in branch.jobs:
                if job["jobArn"] == transition.job_arn:
                    self.set_status(branch, job, transition.status)
                    transition.applied = True

    def set_status(self, branch: BranchRecord, job: dict[str, Any], status: str) -> None:
        """Move a job now: a first build status records when it built, finishing sets endTime."""
        m = _model.model()
        now = self.clock.tick(30)
        job["status"] = status
        meta = branch.job_meta(job["jobId"])
        if status in m.building_statuses and meta.built_from is None:
            meta.built_from = now
        if status in m.finished_statuses:
            job["endTime"] = max(now, job["startTime"])

    def path(self, job: dict[str, Any], job_meta: JobMeta | None = None) -> str | None:
        """The next status of a started job on its way to ``auto_final`` (None: it stays)."""
        m = _model.model()
        job_meta = job_meta or JobMeta()
        status = job["status"]
        final = self.auto_final
        if status == "CANCELLING":
            return "CANCELLED"
        if final is None or status in m.finished_statuses:
            return None
        if status in m.queued_statuses:
            # Polling code does not observe PROVISIONING on the service (the most copied
            # deploy script waits while the status matches ^(PENDING|RUNNING)$ and works in
            # production CI: opengovsg/postmangovsg scripts/amplify-deploy.sh), so started
            # jobs go PENDING -> RUNNING unless auto_advance(provisioning=True).
            return "PROVISIONING" if self.auto_provisioning else "RUNNING"
        if status == "PROVISIONING":
            return "RUNNING"
        if final == "SUCCEED" and job_meta.fails_at is not None:
            return "FAILED"
        return "CANCELLING" if final == "CANCELLED" else final

    def step(self, branch: BranchRecord) -> None:
        """One lifecycle step of the branch's started jobs (one per observing call).

        The build moves along its path (a build stopped by StopJob from CANCELLING to
        CANCELLED, whoever started it); with no build, the oldest queued started job starts
        building.
        """
        m = _model.model()
        build = next((j for j in branch.jobs if j["status"] in m.building_statuses), None)
        if build is not None:
            meta = branch.job_meta(build["jobId"])
            following = self.path(build, meta)
            scheduled = self.planned_status(build) != build["status"]
            if following is not None and not scheduled and (meta.auto or meta.stopping):
                self.set_status(branch, build, following)
            return
        # A build scheduled with advance() for later keeps its turn: started jobs wait for it,
        # or they would be building when it starts.
        arns = {j["jobArn"] for j in branch.jobs}
        if any(
            not t.applied and t.job_arn in arns and t.status in m.building_statuses
            for t in self.transitions
        ):
            return
        # One queue: the oldest queued job goes first. A job the test added (add_job, no
        # automatic moves) holds the queue until it is advanced, as a stuck job does.
        for job in reversed(branch.jobs):  # oldest first
            if job["status"] in m.queued_statuses:
                meta = branch.job_meta(job["jobId"])
                following = self.path(job, meta) if meta.auto else None
                if following is not None and self.other_build(branch, job) is None:
                    self.set_status(branch, job, following)
                return

"""The fake service's state: apps, their branches and jobs, tokens, scripted faults, moves.

No HTTP and no botocore here (moto keeps ``models.py`` apart from ``responses.py`` the same
way): :mod:`.wire` turns requests into calls on a :class:`Store` and its answers, or its
:class:`ServiceError`, into responses. Every method expects the caller to hold ``store.lock``.

Counting calls (``fail`` and ``advance`` mean the same): each HTTP attempt that reaches a branch
is one call, whether it is answered with data or with a scripted fault; a retried attempt is a
new call. ``after_calls=N``: N matching calls see the old state, call N+1 sees the new one.

Observing calls (ListJobs, GetJob, GetBranch of a branch) also move the branch's *started* jobs
(those StartJob or StartDeployment created) one lifecycle step, before they are answered: see
:meth:`Store.step`. A stopped build always completes its cancellation at the next observing call.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import functools
import hashlib
import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._choices import RandomChoices
from pytest_amplify_jobs._fake.errors import MESSAGES, NOT_FOUND, ServiceError
from pytest_amplify_jobs._fake.resources import Resources
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._world import schedule_route

__all__ = [
    "ARTIFACT_FILE",
    "BRANCHES_PER_APP",
    "OBSERVING",
    "Branch",
    "ServiceError",
    "Store",
    "default_page_size",
]

# Operations that observe a branch's jobs: each such call moves started jobs one step.
OBSERVING = frozenset({"ListJobs", "GetJob", "GetBranch"})


# Quotas (https://docs.aws.amazon.com/amplify/latest/userguide/quotas-chapter.html): branches
# per app are enforced by CreateBranch; the 25 apps per region are a default AWS raises on
# request, so CreateApp does not enforce them.
BRANCHES_PER_APP = 50

# The texts of the refusals of apps, branches, artifacts, access logs and tags. They belong in
# errors.MESSAGES (one table of texts) and move there with its owner's agreement.
# aws-amplify/amplify-hosting#2604 (CreateBranch of an existing branch, HTTP 400):
BRANCH_EXISTS = "Failed to create branch. The branch {} already exists for the app {}"
# ours (unpublished), in the style of the above:
BRANCH_LIMIT = "Failed to create branch. The app {} already has the maximum of {} branches."
ARTIFACT_NOT_FOUND = "Artifact {} not found."
RESOURCE_NOT_FOUND = "Resource {} not found."
TAG_LIMIT = "Resource {} cannot have more than {} tags."
LOG_RANGE = "startTime must not be after endTime."

#: The file a build's artifacts are in (GetJob's ``artifactsUrl``, ListArtifacts).
ARTIFACT_FILE = "artifacts.zip"

_PRODUCTION = "PRODUCTION"
_NO_STAGE = "NONE"  # the stage of a branch created without one (departure stage-none)
# Jobs that deployed, or failed to: what an app's productionBranch reports.
_DEPLOYED = ("SUCCEED", "FAILED")
# What the service sets on an app created without them (tests/published/001_CreateApp_*.json).
_APP_DEFAULTS: dict[str, Any] = {
    "enableBranchAutoBuild": False,
    "enableBranchAutoDeletion": False,
    "enableBasicAuth": False,
    "customRules": [],
    "enableAutoBranchCreation": False,
}
# Members of a request that name the resource rather than set it.
_NAMING = frozenset({"appId", "branchName", "appArn", "branchArn"})

# The fields of an access log, in order (Amplify's CSV: CloudFront's standard log fields).
_LOG_FIELDS = (
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
)
# The requests of a log: (uri, status, bytes, content type).
_LOG_REQUESTS = (
    ("/", 200, 2001, "text/html"),
    ("/assets/index.js", 200, 48213, "application/javascript"),
    ("/assets/index.css", 200, 5120, "text/css"),
    ("/favicon.ico", 304, 0, "image/x-icon"),
    ("/missing", 404, 512, "text/html"),
)
_EDGES = ("IAD89-C1", "FRA56-P7", "NRT57-P2", "SFO53-C1")


def _quote(text: str) -> str:
    import urllib.parse  # only URLs of files need it

    return urllib.parse.quote(text, safe="")


def default_page_size() -> int:
    """Jobs per page when a request sends no ``maxResults`` (or 0): the model's maximum, 50.

    The service does not document its default. The largest page a caller could ask for is
    the choice that breaks code assuming "one call lists everything" as soon as a branch has
    more jobs than that, without making small histories paginate unrealistically.

    >>> default_page_size()
    50
    """
    return _model.model().max_page_size


@dataclass
class Token:
    app_id: str
    branch_name: str
    after_job_id: int
    generation: int


@dataclass
class JobMeta:
    """What the store knows of a job beyond its summary."""

    auto: bool = False  # started by the code under test: moves by itself (see Store.step)
    built_from: dt.datetime | None = None  # when it entered its first build status
    reason: str | None = None  # StartJob's jobReason
    stopping: bool = False  # StopJob moved it to CANCELLING: it ends CANCELLED by itself
    deployment: bool = False  # created by CreateDeployment (waits, CREATED, for StartDeployment)
    zip_path: str | None = None  # where CreateDeployment's zip is to be uploaded
    fails_at: str | None = None  # the step it fails at, whatever its lifecycle says


@dataclass
class Branch:
    jobs: list[dict[str, Any]]  # newest first
    generation: int = 0
    calls: int = 0  # HTTP attempts that reached this branch (faulted ones included)
    info: dict[str, Any] = field(default_factory=dict)  # the Branch shape but derived members
    meta: dict[str, JobMeta] = field(default_factory=dict)  # by jobId
    next_id: int = 1  # ids are never reused, even after DeleteJob
    # A world's script (see load): jobs yet to appear, the (status, wait) steps of jobs the
    # code starts, and the call from which a new job may leave the queue (every scripted job
    # before it has finished; None: not a world's branch).
    arrivals: list[Arrival] = field(default_factory=list)
    start_steps: tuple[tuple[str, int], ...] = ()
    queue_free: int | None = None

    def job_meta(self, job_id: str) -> JobMeta:
        return self.meta.setdefault(job_id, JobMeta())


@dataclass
class Arrival:
    """A job a world adds (queued) once its branch has had ``due_after`` calls, and the
    ``(status, wait)`` steps it then follows (queued behind every job before it)."""

    app_id: str
    branch_name: str
    due_after: int
    job_type: str | None
    steps: tuple[tuple[str, int], ...]
    applied: bool = False


@dataclass
class Fault:
    code: str
    times: int
    after_calls: int
    app_id: str | None
    branch_name: str | None
    operation: str | None = None
    message: str | None = None  # None: the service's message for the code and operation


@dataclass
class Transition:
    job_arn: str
    status: str
    due_after: int  # applies to the first call made once the branch has had this many
    applied: bool = field(default=False)


class Store:
    """Apps, branches, tokens, faults and scheduled moves of one fake service."""

    def __init__(self, *, seed: int, region: str) -> None:
        self.seed = seed
        self.region = region
        self.lock = threading.RLock()
        self.apps: dict[str, dict[str, Any]] = {}  # appId -> App (insertion order is list order)
        self.branches: dict[tuple[str, str], Branch] = {}
        self.tokens: dict[str, Token] = {}
        self.list_tokens: dict[str, tuple[str, str | None, int]] = {}  # token -> (op, app, offset)
        self.faults: list[Fault] = []
        self.transitions: list[Transition] = []
        self.counter = 0
        self.clock: dt.datetime | None = None
        self.branches_added = 0
        self.apps_added = 0
        # Where started jobs end (None: they stay where StartJob put them until advance()).
        self.auto_final: str | None = _model.model().finished_statuses[0]
        # Whether started jobs show PROVISIONING on their way (the service's polling scripts
        # never see it: see Store.path).
        self.auto_provisioning = False
        # model_complete: every member the model requires, no departures of the service.
        self.complete = False
        # The URL of a file the fake serves (uploads, logs); None: no endpoint (generated
        # responses), and URLs in the service's own S3 form are handed out.
        self.url_for: Callable[[str], str] | None = None
        self.uploaded: set[str] = set()  # paths of files uploaded to the fake
        # Webhooks, domain associations, backend environments, tags: see _fake/resources.py.
        self.resources = Resources(self)

    # ----------------------------------------------------------------------- apps, branches

    def put_app(self, app: dict[str, Any]) -> dict[str, Any]:
        """Serve ``app`` (an App of the model); its branches stay."""
        self.apps[app["appId"]] = app
        return app

    def new_app(self, app_id: str | None, account: str | None = None) -> dict[str, Any]:
        """A generated app (seeded by the store's seed and how many apps were added)."""
        choices = RandomChoices(self.seed * 1_000_003 + self.apps_added)
        self.apps_added += 1
        return self.put_app(
            _generate.draw_app(
                choices, app_id=app_id, region=self.region, account=account, complete=self.complete
            )
        )

    def is_manual(self, app_id: str) -> bool:
        """Whether the app deploys manually (no repository): CreateDeployment and
        StartDeployment only. An app connected to a repository builds with StartJob only."""
        app = self.apps.get(app_id)
        return app is not None and not app.get("repository")

    def check_kind(self, app_id: str, operation: str) -> None:
        """Refuse what the app's kind does not accept, with the service's text."""
        manual = self.is_manual(app_id)
        if operation in ("CreateDeployment", "StartDeployment") and not manual:
            # aws-amplify/amplify-cli#4837 (also aws-amplify/amplify-hosting#1423)
            raise ServiceError("BadRequestException", MESSAGES["repository-app"])
        if operation == "StartJob" and manual:
            raise ServiceError("BadRequestException", MESSAGES["manual-app"])

    def account_of_app(self, app_id: str) -> str | None:
        app = self.apps.get(app_id)
        return str(app["appArn"].split(":")[4]) if app is not None else None

    def put_branch(
        self,
        app_id: str,
        branch_name: str,
        history: list[dict[str, Any]],
        stage: str | None = None,
    ) -> None:
        """Serve ``history`` (newest first, coherent) as the branch; its old tokens go stale.

        Creates the app (generated) when the store has none of that id.
        """
        key = (app_id, branch_name)
        old = self.branches.get(key)
        app = self.apps.get(app_id)
        if app is None:
            app = self.new_app(app_id, _account_of_jobs(history))
        first = min((j["startTime"] for j in history), default=self.now())
        created = first - dt.timedelta(hours=1)  # a branch exists before its first build
        if created <= app["createTime"]:
            app["createTime"] = app["updateTime"] = created - dt.timedelta(hours=1)
        info = _generate.build_branch(
            app, branch_name, created, complete=self.complete, stage=stage
        )
        top = max((int(j["jobId"]) for j in history), default=0)
        self.branches[key] = Branch(
            history,
            generation=(old.generation + 1) if old else 0,
            info=info,
            next_id=max(top, old.next_id - 1 if old else 0) + 1,
        )
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
        for name, value in (("app_id", app_id), ("branch_name", branch_name)):
            if not isinstance(value, str):
                raise TypeError(f"{name}={short_repr(value)} must be a string")
        branch = self.branches.get((app_id, branch_name))
        if branch is None:
            raise ValueError(
                f"the fake has no branch {app_id}/{branch_name} (app_id={app_id!r}, "
                f"branch_name={branch_name!r}); known: {self.known_branches()}"
            )
        return branch

    def known_branches(self) -> str:
        return ", ".join(f"{a}/{b}" for a, b in self.branches) or "none"

    def known_apps(self) -> str:
        return ", ".join(self.apps) or "none"

    def expire_tokens(self) -> None:
        for branch in self.branches.values():
            branch.generation += 1
        self.list_tokens.clear()

    def branch_view(self, app_id: str, branch_name: str) -> dict[str, Any]:
        """The Branch as GetBranch shows it: ``activeJobId`` and ``totalNumberOfJobs`` derived.

        ``activeJobId`` is the newest job's id, zero-padded to ten digits as the service sends
        it (``"0000000131"``, see the README's departures section); a branch without jobs has
        none (the service leaves it out, departure ``branch-unset-members``; model-complete:
        ``"0"``).
        """
        branch = self.branches[(app_id, branch_name)]
        out = dict(branch.info)
        if branch.jobs:
            out["activeJobId"] = branch.jobs[0]["jobId"].zfill(10)
        elif self.complete:
            out["activeJobId"] = "0"
        out["totalNumberOfJobs"] = str(len(branch.jobs))
        return out

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
        self,
        code: str,
        times: int,
        after_calls: int,
        app_id: str | None,
        branch_name: str | None,
        operation: str | None = None,
        message: str | None = None,
    ) -> None:
        self.faults.append(Fault(code, times, after_calls, app_id, branch_name, operation, message))

    def take_fault(
        self, app_id: str | None, branch_name: str | None, operation: str = "ListJobs"
    ) -> tuple[str, str | None] | None:
        """The code this call fails with, if a scripted fault is due (counts the call).

        A fault matches the calls of its operation (any that models its code when it names
        none), app and branch.
        """
        for fault in self.faults:
            if fault.times <= 0:
                continue
            if fault.operation not in (None, operation) or not _models(operation, fault.code):
                continue
            if fault.app_id not in (None, app_id) or fault.branch_name not in (None, branch_name):
                continue
            if fault.after_calls > 0:
                fault.after_calls -= 1
                return None
            fault.times -= 1
            return fault.code, fault.message
        return None

    # ----------------------------------------------------------------------------- living jobs

    def add_job(
        self,
        app_id: str,
        branch_name: str,
        status: str,
        job_type: str | None,
        commit_message: str | None,
        *,
        commit_id: str | None = None,
        commit_time: dt.datetime | None = None,
        retry_of: dict[str, Any] | None = None,
        source: tuple[str, str] | None = None,
        job_id: int | None = None,
        auto: bool = False,
        reason: str | None = None,
    ) -> dict[str, Any]:
        m = _model.model()
        branch = self.branch(app_id, branch_name)
        if not isinstance(status, str) or status not in m.queued_statuses + m.building_statuses:
            raise ValueError(
                f"status={short_repr(status)} is not a status a new job can have; allowed: "
                f"{', '.join(m.queued_statuses + m.building_statuses)}"
            )
        if job_type is not None and (not isinstance(job_type, str) or job_type not in m.job_types):
            raise ValueError(
                f"job_type={short_repr(job_type)} is not a job type; allowed: "
                f"{', '.join(m.job_types)}"
            )
        if status in m.building_statuses:
            self.check_no_other_build(branch, None, status)
        if job_id is None:
            job_id = branch.next_id
        branch.next_id = max(branch.next_id, job_id + 1)
        start = self.tick(30)
        if commit_time is not None and commit_time > start:
            start = self.clock = commit_time  # a commit is never newer than its build
        ctx = _generate.BranchContext(
            app_id,
            branch_name,
            self.region,
            self.account_of(app_id, branch),
            realistic=True,
            complete=self.complete,
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
            commit_id,
        )
        job = _generate.build_job(ctx, job_id, draw, start, retry_of=retry_of)
        if commit_time is not None:
            job["commitTime"] = commit_time
        if source is not None:
            job["sourceUrl"], job["sourceUrlType"] = source
        # Newest first by id (a reserved deployment id can be older than a later job).
        index = bisect.bisect_left(branch.jobs, -job_id, key=lambda j: -int(j["jobId"]))
        branch.jobs.insert(index, job)
        meta = branch.job_meta(job["jobId"])
        meta.auto, meta.reason = auto, reason
        if status in m.building_statuses:
            meta.built_from = start
        if auto and branch.queue_free is not None:
            self.follow(branch, job, branch.start_steps, branch.calls)
        return job

    def follow(
        self, branch: Branch, job: dict[str, Any], steps: Sequence[tuple[str, int]], start: int
    ) -> None:
        """A new job of a world's branch moves by ``steps`` after ``start`` calls, leaving the
        queue once every job before it has finished (one build at a time, by construction)."""
        assert branch.queue_free is not None
        moves, branch.queue_free = schedule_route(steps, start, branch.queue_free)
        branch.job_meta(job["jobId"]).auto = False
        self.transitions.extend(Transition(job["jobArn"], s, due) for s, due in moves)

    def account_of(self, app_id: str, branch: Branch) -> str:
        return (
            _account_of_jobs(branch.jobs)
            or self.account_of_app(app_id)
            or _generate.account_from(0)
        )

    def find(self, job: Mapping[str, Any] | str) -> tuple[Branch, dict[str, Any]]:
        arn = job if isinstance(job, str) else job.get("jobArn")
        for branch in self.branches.values():
            for candidate in branch.jobs:
                if candidate["jobArn"] == arn:
                    return branch, candidate
        raise ValueError(f"job={short_repr(arn)} is not a job the fake serves")

    def check_no_other_build(self, branch: Branch, job: dict[str, Any] | None, status: str) -> None:
        other = self.other_build(branch, job)
        if other is not None:
            raise ValueError(
                f"status={status!r}: job {other['jobId']} of the branch is "
                f"{self.planned_status(other)}; one build at a time"
            )

    def other_build(self, branch: Branch, job: dict[str, Any] | None) -> dict[str, Any] | None:
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

    def schedule(self, job: Mapping[str, Any] | str, status: str, after_calls: int) -> None:
        m = _model.model()
        branch, target = self.find(job)
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

    def overlapping_builds(self, branch: Branch) -> tuple[str, str, float] | None:
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

    def apply_due(self, branch: Branch) -> None:
        """Apply every move due by now: those whose branch has had ``due_after`` calls (a
        world's jobs that arrive by now first)."""
        for arrival in branch.arrivals:
            if not arrival.applied and arrival.due_after <= branch.calls:
                arrival.applied = True
                queued = _model.model().queued_statuses[-1]
                job = self.add_job(
                    arrival.app_id, arrival.branch_name, queued, arrival.job_type, None
                )
                self.follow(branch, job, arrival.steps, arrival.due_after)
        for transition in self.transitions:
            if transition.applied or transition.due_after > branch.calls:
                continue
            for job in branch.jobs:
                if job["jobArn"] == transition.job_arn:
                    self.set_status(branch, job, transition.status)
                    transition.applied = True

    def set_status(self, branch: Branch, job: dict[str, Any], status: str) -> None:
        """Move a job now: a first build status records when it built, finishing sets endTime."""
        m = _model.model()
        now = self.tick(30)
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

    def step(self, branch: Branch) -> None:
        """One lifecycle step of the branch's started jobs (one per observing call).

        The build moves along its path (a build stopped by StopJob from CANCELLING to
        CANCELLED, whoever started it); with no build, the oldest queued started job starts building.
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
        for job in reversed(branch.jobs):  # oldest first
            if job["status"] in m.queued_statuses and branch.job_meta(job["jobId"]).auto:
                following = self.path(job, branch.job_meta(job["jobId"]))
                if following is not None and self.other_build(branch, job) is None:
                    self.set_status(branch, job, following)
                return

    # ------------------------------------------------------------------------------ calls

    def reach_app(self, operation: str, app_id: str | None) -> dict[str, Any] | None:
        """Count one call reaching the service (no branch): faults, then the app if named."""
        fault = self.take_fault(app_id, None, operation)
        if fault is not None:
            raise ServiceError(
                fault[0], fault[1] or _model.model().error_message(fault[0], operation)
            )
        self.tick(1)
        if app_id is None:
            return None
        app = self.apps.get(app_id)
        if app is None:
            raise ServiceError(NOT_FOUND, MESSAGES["app-not-found"].format(app_id))
        return app

    def observe(self, app_id: str, branch_name: str, operation: str = "ListJobs") -> Branch:
        """Count one call reaching a branch: faults first, then the moves due before it, then
        (for an observing operation) one step of its started jobs.

        Raises :class:`ServiceError` for a scripted fault or an unknown branch.
        """
        branch = self.branches.get((app_id, branch_name))
        fault = self.take_fault(app_id, branch_name, operation)
        if branch is not None:
            self.apply_due(branch)  # moves due after the calls so far, before this one
            branch.calls += 1
        if fault is not None:
            raise ServiceError(
                fault[0], fault[1] or _model.model().error_message(fault[0], operation)
            )
        if branch is None:
            raise ServiceError(NOT_FOUND, MESSAGES["branch-not-found"].format(branch_name))
        if operation in OBSERVING:
            self.step(branch)
        self.tick(1)
        return branch

    def job(self, branch: Branch, app_id: str, branch_name: str, job_id: str) -> dict[str, Any]:
        for job in branch.jobs:
            if job["jobId"] == job_id or int(job["jobId"]) == int(job_id):
                return job
        raise ServiceError(NOT_FOUND, MESSAGES["job-not-found"].format(job_id))

    # ------------------------------------------------------------------------- operations

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

    def get_job(
        self, app_id: str, branch_name: str, job_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The job's summary (as ListJobs shows it) and its steps."""
        branch = self.observe(app_id, branch_name, "GetJob")
        job = self.job(branch, app_id, branch_name, job_id)
        return job, self.steps(app_id, branch_name, branch, job)

    def steps(
        self, app_id: str, branch_name: str, branch: Branch, job: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The steps GetJob shows, each with the ``logUrl`` of its log (and BUILD's
        ``artifactsUrl`` once it succeeded), as the service sends them."""
        steps = self.built_steps(branch, job)
        base = f"{app_id}/{_quote(branch_name)}/{job['jobId'].zfill(10)}"
        for step in steps:
            step["logUrl"] = self.file_url(f"logs/{base}/{step['stepName']}/log.txt")
            if step["stepName"] == "BUILD" and step["status"] == "SUCCEED":
                step["artifactsUrl"] = self.file_url(f"artifacts/{base}/BUILD/artifacts.zip")
        return steps

    def built_steps(self, branch: Branch, job: dict[str, Any]) -> list[dict[str, Any]]:
        """The job's steps without their URLs (handing out a URL starts the local endpoint)."""
        meta = branch.meta.get(job["jobId"])
        return _generate.build_steps(
            job, meta.built_from if meta else None, fails_at=meta.fails_at if meta else None
        )

    def file_url(self, path: str) -> str:
        """The URL of a file: on the fake's local endpoint when it has one, else in the form
        the service hands out (a presigned S3 URL, for generated responses nobody serves)."""
        if self.url_for is not None:
            return self.url_for(path)
        return _generate.artifact_url(self.region, path)

    def start_job(self, app_id: str, branch_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """StartJob: a new newest job, PENDING (queued behind a build if one runs)."""
        m = _model.model()
        branch = self.observe(app_id, branch_name, "StartJob")
        job_type = params["jobType"]
        retry_of = None
        if job_type == m.manual_job_type:
            # aws/aws-sdk#121: StartJob never starts a manual deploy.
            raise ServiceError("BadRequestException", MESSAGES["manual-job-type"])
        self.check_kind(app_id, "StartJob")
        if job_type == m.retry_job_type:
            if "jobId" not in params:
                raise ServiceError("BadRequestException", "jobId is required when jobType is RETRY")
            retry_of = self.job(branch, app_id, branch_name, params["jobId"])
        elif "jobId" in params:
            raise ServiceError(
                "BadRequestException",
                f"jobId is only allowed when jobType is RETRY, not {job_type}",
            )
        return self.add_job(
            app_id,
            branch_name,
            m.queued_statuses[-1],
            job_type,
            params.get("commitMessage"),
            # Without commitId a RELEASE builds HEAD (departure release-head).
            commit_id=params.get("commitId") or ("HEAD" if job_type == "RELEASE" else None),
            commit_time=params.get("commitTime"),
            retry_of=retry_of,
            auto=True,
            reason=params.get("jobReason"),
        )

    def stop_job(self, app_id: str, branch_name: str, job_id: str) -> dict[str, Any]:
        """StopJob: a build goes to CANCELLING (CANCELLED at the next observing call); a queued
        job is CANCELLED at once (it holds no build); a finished job is a BadRequestException."""
        m = _model.model()
        branch = self.observe(app_id, branch_name, "StopJob")
        job = self.job(branch, app_id, branch_name, job_id)
        status = job["status"]
        if status in m.finished_statuses:
            raise ServiceError(
                "BadRequestException", f"Job {job['jobId']} has already finished ({status})"
            )
        for transition in self.transitions:  # scripted moves of a stopped job are void
            if transition.job_arn == job["jobArn"]:
                transition.applied = True
        if status in m.queued_statuses:
            self.set_status(branch, job, "CANCELLED")
        elif status != "CANCELLING":
            self.set_status(branch, job, "CANCELLING")
            branch.job_meta(job["jobId"]).stopping = True
        return job

    def delete_job(self, app_id: str, branch_name: str, job_id: str) -> dict[str, Any]:
        """DeleteJob: a finished job disappears; a job in flight is a BadRequestException."""
        m = _model.model()
        branch = self.observe(app_id, branch_name, "DeleteJob")
        job = self.job(branch, app_id, branch_name, job_id)
        if job["status"] not in m.finished_statuses:
            raise ServiceError(
                "BadRequestException",
                f"Job {job['jobId']} is {job['status']}; only a finished job can be deleted "
                "(stop it first)",
            )
        branch.jobs.remove(job)
        branch.meta.pop(job["jobId"], None)
        return job

    def create_deployment(
        self, app_id: str, branch_name: str, files: Mapping[str, str]
    ) -> tuple[str, str, dict[str, str]]:
        """CreateDeployment: a new job, CREATED and visible to ListJobs, GetJob and StopJob
        (the documented fix for a stuck deployment is ListJobs then StopJob on it), the URL to
        PUT its zip to and one URL per file. Refused while an earlier deployment of the branch
        has not finished (aws-amplify/amplify-backend#1528, #2137)."""
        m = _model.model()
        branch = self.observe(app_id, branch_name, "CreateDeployment")
        self.check_kind(app_id, "CreateDeployment")
        for job in branch.jobs:
            meta = branch.meta.get(job["jobId"])
            if meta is not None and meta.deployment and job["status"] not in m.finished_statuses:
                raise ServiceError(
                    "BadRequestException", MESSAGES["deployment-unfinished"].format(job["jobId"])
                )
        created = m.queued_statuses[0]  # CREATED (see README: undocumented, our choice)
        job = self.add_job(
            app_id, branch_name, created, m.manual_job_type, None, job_id=branch.next_id
        )
        job_id = job["jobId"]
        meta = branch.job_meta(job_id)
        meta.deployment = True
        base = f"uploads/{app_id}/{_quote(branch_name)}/{job_id}"
        meta.zip_path = f"{base}/deploy.zip"
        return (
            job_id,
            self.file_url(meta.zip_path),
            {name: self.file_url(f"{base}/files/{_quote(name)}") for name in files},
        )

    def start_deployment(
        self, app_id: str, branch_name: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """StartDeployment: start the CREATED job of CreateDeployment (``jobId``), or a new
        MANUAL job from a ``sourceUrl``. A deployment whose zip never arrived fails at DEPLOY
        (the service's exact behaviour is undocumented)."""
        m = _model.model()
        branch = self.observe(app_id, branch_name, "StartDeployment")
        self.check_kind(app_id, "StartDeployment")
        if "jobId" in params:
            job = next((j for j in branch.jobs if int(j["jobId"]) == int(params["jobId"])), None)
            meta = branch.meta.get(job["jobId"]) if job is not None else None
            if job is None or meta is None or not meta.deployment:
                raise ServiceError(
                    NOT_FOUND, MESSAGES["deployment-not-found"].format(params["jobId"])
                )
            if job["status"] != m.queued_statuses[0]:
                raise ServiceError(
                    "BadRequestException",
                    MESSAGES["deployment-started"].format(job["jobId"], job["status"]),
                )
            self.set_status(branch, job, m.queued_statuses[-1])
            job["startTime"] = self.now()
            meta.auto = True
            if (
                meta.zip_path is not None
                and meta.zip_path not in self.uploaded
                and (self.url_for is not None)
            ):
                meta.fails_at = "DEPLOY"
            if m.source_url_types and "sourceUrl" not in job:
                job["sourceUrl"] = self.file_url(meta.zip_path or "")
                job["sourceUrlType"] = m.source_url_types[0]
            return job
        if "sourceUrl" not in params:
            raise ServiceError("BadRequestException", MESSAGES["deployment-no-source"])
        source = (params["sourceUrl"], params.get("sourceUrlType", m.source_url_types[0]))
        return self.add_job(
            app_id,
            branch_name,
            m.queued_statuses[-1],
            m.manual_job_type,
            None,
            source=source,
            auto=True,
        )

    def receive_upload(self, path: str) -> None:
        """A file PUT to the fake's endpoint (the zip of a deployment, for one)."""
        self.uploaded.add(path)

    def list_branches(
        self, app_id: str, token_text: str | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of an app's branches (in the order they were added)."""
        self.reach_app("ListBranches", app_id)
        names = [b for (a, b) in self.branches if a == app_id]
        start = self.offset("ListBranches", app_id, token_text)
        page = [self.branch_view(app_id, name) for name in names[start : start + size]]
        token = self.issue_offset("ListBranches", app_id, start + size, len(names))
        return page, token

    def list_apps(
        self, token_text: str | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the apps (in the order they were added)."""
        self.reach_app("ListApps", None)
        ids = list(self.apps)
        start = self.offset("ListApps", None, token_text)
        page = [self.app_view(i) for i in ids[start : start + size]]
        return page, self.issue_offset("ListApps", None, start + size, len(ids))

    def get_branch(self, app_id: str, branch_name: str) -> dict[str, Any]:
        self.observe(app_id, branch_name, "GetBranch")
        return self.branch_view(app_id, branch_name)

    # ------------------------------------------------- apps and branches: create, update, delete

    def app_view(self, app_id: str) -> dict[str, Any]:
        """The App as GetApp shows it: ``productionBranch`` derived from the store.

        It names the app's first branch whose stage is ``PRODUCTION`` (none: no
        ``productionBranch``), with the ``status`` and ``endTime`` (``lastDeployTime``) of its
        newest job that deployed or failed to (a cancelled job deployed nothing, and
        ``CANCELLED`` is longer than the 7 characters the model allows the member).
        """
        out = dict(self.apps[app_id])
        out.pop("productionBranch", None)
        for (owner, name), branch in self.branches.items():
            if owner != app_id or branch.info.get("stage") != _PRODUCTION:
                continue
            production: dict[str, Any] = {"branchName": name}
            deployed = next((j for j in branch.jobs if j["status"] in _DEPLOYED), None)
            if deployed is not None:
                production["status"] = deployed["status"]
                production["lastDeployTime"] = deployed["endTime"]
            out["productionBranch"] = production
            break
        return out

    def create_app(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """CreateApp: a new app, connected to a repository when ``repository`` is given, else
        deployed manually; the members given, the service's defaults for the rest.

        Amplify's default quota of 25 apps per region is adjustable on request: not enforced.
        """
        self.reach_app("CreateApp", None)
        while True:  # ids derive from the seed and how many apps were added: unique in practice
            identity = self.seed * 1_000_003 + self.apps_added
            self.apps_added += 1
            app_id = _generate.draw_app_id(RandomChoices(identity))
            if app_id not in self.apps:
                break
        account = next(
            (a for a in map(self.account_of_app, self.apps) if a), _generate.account_from(0)
        )
        app = _generate.draw_app(
            RandomChoices(identity),
            app_id=app_id,
            region=self.region,
            account=account,
            complete=self.complete,
            manual=not params.get("repository"),
        )
        if not self.complete:  # departure app-unset-members: only what was set
            for member in ("description", "repository", "environmentVariables"):
                app.pop(member, None)
        app.update(_APP_DEFAULTS)
        app.update(_members_of(_app_shape(), params))
        app["createTime"] = app["updateTime"] = self.now()
        return self.app_view(self.put_app(app)["appId"])

    def update_app(self, app_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """UpdateApp: the members given replace the app's; ``updateTime`` moves."""
        app = self.reach_app("UpdateApp", app_id)
        assert app is not None
        app.update(_members_of(_app_shape(), params))
        app["updateTime"] = self.now()
        return self.app_view(app_id)

    def delete_app(self, app_id: str) -> dict[str, Any]:
        """DeleteApp: the app goes with its branches, their jobs, and (``store.resources``)
        its webhooks, domain associations and backend environments. Returns the app."""
        self.reach_app("DeleteApp", app_id)
        app = self.app_view(app_id)
        for key in [key for key in self.branches if key[0] == app_id]:
            self.drop_branch(key)
        del self.apps[app_id]
        self.resources.forget_app(app_id)
        return app

    def create_branch(self, app_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """CreateBranch: a new branch without jobs, the members given and the service's
        defaults (``stage`` ``"NONE"`` when none is given: departure ``stage-none``; with
        ``complete``, the stage its name suggests). The call is the branch's first.

        Refused when the branch exists, and beyond :data:`BRANCHES_PER_APP`.
        """
        branch_name = params["branchName"]
        fault = self.take_fault(app_id, branch_name, "CreateBranch")
        if fault is not None:
            raise ServiceError(
                fault[0], fault[1] or _model.model().error_message(fault[0], "CreateBranch")
            )
        self.tick(1)
        app = self.apps.get(app_id)
        if app is None:
            raise ServiceError(NOT_FOUND, MESSAGES["app-not-found"].format(app_id))
        if (app_id, branch_name) in self.branches:
            raise ServiceError("BadRequestException", BRANCH_EXISTS.format(branch_name, app_id))
        if sum(1 for owner, _ in self.branches if owner == app_id) >= BRANCHES_PER_APP:
            raise ServiceError(
                "LimitExceededException", BRANCH_LIMIT.format(app_id, BRANCHES_PER_APP)
            )
        stage = params.get("stage")
        if self.complete:
            info = _generate.build_branch(app, branch_name, self.now(), stage=stage)
        else:  # departure branch-unset-members: only what was set
            info = _generate.build_branch(
                app, branch_name, self.now(), complete=False, stage=_NO_STAGE
            )
            info["stage"] = stage or _NO_STAGE
        info.update(_members_of(_branch_shape(), params))
        self.branches[(app_id, branch_name)] = Branch([], calls=1, info=info)
        return self.branch_view(app_id, branch_name)

    def update_branch(
        self, app_id: str, branch_name: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """UpdateBranch: the members given replace the branch's; ``updateTime`` moves."""
        branch = self.observe(app_id, branch_name, "UpdateBranch")
        branch.info.update(_members_of(_branch_shape(), params))
        branch.info["updateTime"] = self.now()
        return self.branch_view(app_id, branch_name)

    def delete_branch(self, app_id: str, branch_name: str) -> dict[str, Any]:
        """DeleteBranch: the branch goes with its jobs, its tokens and (``store.resources``)
        its webhooks. Returns the branch as it was."""
        self.observe(app_id, branch_name, "DeleteBranch")
        view = self.branch_view(app_id, branch_name)
        self.drop_branch((app_id, branch_name))
        self.resources.forget_branch(app_id, branch_name)
        return view

    def drop_branch(self, key: tuple[str, str]) -> None:
        """Forget a branch, its jobs, their scripted moves and its tokens."""
        branch = self.branches.pop(key)
        arns = {job["jobArn"] for job in branch.jobs}
        for transition in self.transitions:
            if transition.job_arn in arns:
                transition.applied = True
        self.tokens = {
            text: token
            for text, token in self.tokens.items()
            if (token.app_id, token.branch_name) != key
        }

    # ------------------------------------------------------------------------------ artifacts

    @staticmethod
    def artifact_id(job: Mapping[str, Any]) -> str:
        """The id of a job's build artifacts: UUID-shaped, derived from its ARN (ours: the
        service's ids are opaque)."""
        h = hashlib.sha256(f"{job['jobArn']}/{ARTIFACT_FILE}".encode()).hexdigest()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

    def has_artifacts(self, branch: Branch, job: dict[str, Any]) -> bool:
        """Whether the job built (its BUILD step succeeded): GetJob shows ``artifactsUrl``."""
        return any(
            step["stepName"] == "BUILD" and step["status"] == "SUCCEED"
            for step in self.built_steps(branch, job)
        )

    def list_artifacts(
        self, app_id: str, branch_name: str, job_id: str, token_text: str | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a job's artifacts: the build's ``artifacts.zip`` once it built."""
        branch = self.observe(app_id, branch_name, "ListArtifacts")
        job = self.job(branch, app_id, branch_name, job_id)
        artifacts = []
        if self.has_artifacts(branch, job):
            artifacts.append(
                {"artifactFileName": ARTIFACT_FILE, "artifactId": self.artifact_id(job)}
            )
        listing = f"{app_id}/{branch_name}/{job['jobId']}"
        start = self.offset("ListArtifacts", listing, token_text)
        token = self.issue_offset("ListArtifacts", listing, start + size, len(artifacts))
        return artifacts[start : start + size], token

    def get_artifact_url(self, artifact_id: str) -> str:
        """The URL of an artifact (served by the fake's local endpoint); a call on its branch."""
        for (app_id, branch_name), branch in self.branches.items():
            for job in branch.jobs:
                if self.artifact_id(job) == artifact_id and self.has_artifacts(branch, job):
                    self.observe(app_id, branch_name, "GetArtifactUrl")
                    base = f"{app_id}/{_quote(branch_name)}/{job['jobId'].zfill(10)}"
                    return self.file_url(f"artifacts/{base}/BUILD/{ARTIFACT_FILE}")
        self.reach_app("GetArtifactUrl", None)
        raise ServiceError(NOT_FOUND, ARTIFACT_NOT_FOUND.format(artifact_id))

    # ---------------------------------------------------------------------------- access logs

    def generate_access_logs(
        self,
        app_id: str,
        domain_name: str,
        start: dt.datetime | None,
        end: dt.datetime | None,
    ) -> str:
        """GenerateAccessLogs: the URL of the CSV of the domain's requests from ``start`` to
        ``end`` (defaults: the day before now), served by :meth:`access_log`.

        Any domain is accepted: ``store.resources`` offers no look-up of an app's domain
        associations yet.
        """
        self.reach_app("GenerateAccessLogs", app_id)
        end = end if end is not None else self.now()
        start = start if start is not None else end - dt.timedelta(days=1)
        if start > end:
            raise ServiceError("BadRequestException", LOG_RANGE)
        first, last = int(start.timestamp()), int(end.timestamp())
        return self.file_url(f"access-logs/{app_id}/{domain_name}/{first}-{last}.csv")

    def access_log(self, path: str) -> tuple[str, bytes] | None:
        """The file behind :meth:`generate_access_logs`' URL: a CSV in the form of Amplify's
        access logs (CloudFront's standard log fields), a few requests derived from the path,
        inside its time range. None (404) for a path it did not hand out.

        >>> store = Store(seed=0, region="us-east-1")
        >>> _ = store.new_app("d1abc")
        >>> kind, body = store.access_log("access-logs/d1abc/example.com/1704067200-1704070800.csv")
        >>> kind, body.decode().splitlines()[1].split(",")[:9]
        ('text/csv', ['2024-01-01', '00:00:00', 'IAD89-C1', '2311', '192.0.2.191', 'GET', 'example.com', '/', '200'])
        """
        parts = path.split("/")
        if len(parts) != 4 or parts[0] != "access-logs" or parts[1] not in self.apps:
            return None
        _kind, _app, domain, span = parts
        first, _, last = span.removesuffix(".csv").partition("-")
        if not (first.isdigit() and last.isdigit()) or int(first) > int(last):
            return None
        lines = [",".join(_LOG_FIELDS)]
        count = len(_LOG_REQUESTS)
        for index, (uri, status, size, kind) in enumerate(_LOG_REQUESTS):
            when = dt.datetime.fromtimestamp(
                int(first) + (int(last) - int(first)) * index // count, dt.timezone.utc
            )
            flavour = _generate.mix(int(first) + index, 13)
            result = "Hit" if index else "Miss"
            lines.append(
                ",".join(
                    (
                        when.strftime("%Y-%m-%d"),
                        when.strftime("%H:%M:%S"),
                        _EDGES[flavour % len(_EDGES)],
                        str(size + 310),
                        f"192.0.2.{15 + flavour % 200}",
                        "GET",
                        domain,
                        uri,
                        str(status),
                        "-",
                        "Mozilla/5.0%20(X11;%20Linux%20x86_64)",
                        "-",
                        "-",
                        result if status < 400 else "Error",
                        base64.urlsafe_b64encode(flavour.to_bytes(8, "big") * 5).decode()[:56],
                        domain,
                        "https",
                        "512",
                        f"0.{(flavour % 90) + 5:03d}",
                        "-",
                        "TLSv1.3",
                        "TLS_AES_128_GCM_SHA256",
                        result if status < 400 else "Error",
                        "HTTP/2.0",
                        "-",
                        "-",
                        str(40000 + flavour % 20000),
                        f"0.{(flavour % 80) + 4:03d}",
                        result if status < 400 else "Error",
                        kind,
                        str(size),
                        "-",
                        "-",
                    )
                )
            )
        return "text/csv", ("\n".join(lines) + "\n").encode()

    # ----------------------------------------------------------------------------------- tags

    def tagged(self, operation: str, arn: str) -> dict[str, Any]:
        """The app (its record) or branch (its ``info``) of an ARN, whose ``tags`` member
        holds its tags; a call on it. ``ResourceNotFoundException`` for any other ARN."""
        for app in self.apps.values():
            if app["appArn"] == arn:
                self.reach_app(operation, app["appId"])
                return app
        for (app_id, branch_name), branch in self.branches.items():
            if branch.info.get("branchArn") == arn:
                return self.observe(app_id, branch_name, operation).info
        self.reach_app(operation, None)
        raise ServiceError("ResourceNotFoundException", RESOURCE_NOT_FOUND.format(arn))

    def tag_resource(self, arn: str, tags: Mapping[str, str]) -> None:
        """TagResource: add or replace tags (at most the model's 50 per resource)."""
        record = self.tagged("TagResource", arn)
        merged = {**record.get("tags", {}), **tags}
        if len(merged) > _tags_limit():
            raise ServiceError("BadRequestException", TAG_LIMIT.format(arn, _tags_limit()))
        record["tags"] = merged

    def untag_resource(self, arn: str, keys: Sequence[str]) -> None:
        """UntagResource: remove tags (unknown keys are ignored); no tags left, no member."""
        record = self.tagged("UntagResource", arn)
        kept = {k: v for k, v in record.get("tags", {}).items() if k not in keys}
        if kept:
            record["tags"] = kept
        else:
            record.pop("tags", None)

    def list_tags(self, arn: str) -> dict[str, str]:
        """ListTagsForResource: the resource's tags."""
        return dict(self.tagged("ListTagsForResource", arn).get("tags", {}))

    # ------------------------------------------------------------------------------ tokens

    def offset(self, operation: str, app_id: str | None, token_text: str | None) -> int:
        if token_text is None:
            return 0
        token = self.list_tokens.get(token_text)
        if token is None or token[:2] != (operation, app_id):
            raise ServiceError(
                "BadRequestException", "Invalid nextToken: not issued for this listing"
            )
        return token[2]

    def issue_offset(
        self, operation: str, app_id: str | None, offset: int, total: int
    ) -> str | None:
        if offset >= total:
            return None
        token = self.issue((operation, app_id or ""), offset, -1, register=False)
        self.list_tokens[token] = (operation, app_id, offset)
        return token

    def issue(
        self, key: tuple[str, str], after: int, generation: int, *, register: bool = True
    ) -> str:
        self.counter += 1
        digest = hashlib.sha256(f"{self.seed}:{self.counter}:{key}:{after}".encode()).digest()
        token = base64.urlsafe_b64encode(digest + digest[:12]).decode()
        if register:
            self.tokens[token] = Token(key[0], key[1], after, generation)
        return token


def _models(operation: str, code: str) -> bool:
    """Whether ``operation`` can answer ``code``: its modeled errors, and the common errors
    AWS's front end sends for every operation."""
    return code in _operation_errors(operation) or code in _model.common_error_codes()


@functools.cache
def _operation_errors(operation: str) -> frozenset[str]:
    return frozenset(shape.name for shape in _model.operation(operation).error_shapes)


def operation_errors(operation: str) -> frozenset[str]:
    """The error codes ``operation`` models.

    >>> sorted(operation_errors("GetJob"))[:2]
    ['BadRequestException', 'InternalFailureException']
    """
    return _operation_errors(operation)


def _account_of_jobs(jobs: Sequence[Mapping[str, Any]]) -> str | None:
    for job in jobs:
        return str(job["jobArn"].split(":")[4])
    return None


@functools.cache
def _app_shape() -> Any:
    return _model.operation("GetApp").output_shape.members["app"]  # type: ignore[union-attr]


@functools.cache
def _branch_shape() -> Any:
    return _model.operation("GetBranch").output_shape.members["branch"]  # type: ignore[union-attr]


@functools.cache
def _tags_limit() -> int:
    shape = _model.operation("TagResource").input_shape
    assert shape is not None
    limit: int = shape.members["tags"].metadata["max"]
    return limit


def _members_of(shape: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The request's members that ``shape`` (App, Branch) holds, as given: what a create or
    update sets (tokens such as ``oauthToken`` are not in the shape, so never shown)."""
    return {k: v for k, v in params.items() if k in shape.members and k not in _NAMING}

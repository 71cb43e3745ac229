"""The jobs of the store's branches: adding them, finding them, and the job operations.

ListJobs, GetJob, StartJob, StopJob, DeleteJob, CreateDeployment, StartDeployment and the
artifacts of a build (ListArtifacts, GetArtifactUrl) change or read a branch's jobs (the
model's ``JobSummary``, newest first, kept in its :class:`~.records.BranchRecord`); where a job
goes next is :mod:`.lifecycle`'s. Every method expects the caller to hold ``store.lock``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._fake.errors import MESSAGES, NOT_FOUND, ServiceError
from pytest_amplify_jobs._fake.records import BranchRecord
from pytest_amplify_jobs._text import short_repr

if TYPE_CHECKING:
    from pytest_amplify_jobs._fake.state import Store

__all__ = ["ARTIFACT_FILE", "Jobs", "account_of_jobs", "kind_job_types", "kind_words"]

#: The file a build's artifacts are in (GetJob's ``artifactsUrl``, ListArtifacts).
ARTIFACT_FILE = "artifacts.zip"


def _quote(text: str) -> str:
    import urllib.parse  # only URLs of files need it

    return urllib.parse.quote(text, safe="")


def account_of_jobs(jobs: Sequence[Mapping[str, Any]]) -> str | None:
    for job in jobs:
        return str(job["jobArn"].split(":")[4])
    return None


def kind_job_types(manual: bool) -> list[str]:
    """The job types an app of a kind makes, the most ordinary first: manual deploys (an app
    without a repository), or every other type (an app connected to a repository).

    >>> kind_job_types(True), kind_job_types(False)
    (['MANUAL'], ['WEB_HOOK', 'RELEASE', 'RETRY'])
    """
    m = _model.model()
    return [t for t in m.job_types_ordinary_first if (t == m.manual_job_type) == manual]


def kind_words(manual: bool) -> str:
    """An app's kind, as errors say it."""
    return "deployed manually" if manual else "connected to a repository"


class Jobs:
    """The jobs of one store's branches (``store.jobs``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

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
        drawn_source: bool = False,
    ) -> dict[str, Any]:
        m = _model.model()
        branch = self.store.branch(app_id, branch_name)
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
        if job_id is None:
            job_id = branch.next_id
        if status in m.building_statuses:
            self.store.lifecycle.check_no_other_build(branch, None, status)
            self.store.lifecycle.check_queue(branch, job_id, status)
        branch.next_id = max(branch.next_id, job_id + 1)
        start = self.store.tick(30)
        if commit_time is not None and commit_time > start:
            start = commit_time  # a commit is never newer than its build
            self.store.clock.not_before(start)
        ctx = self.context(app_id, branch_name, branch)
        flavour = int.from_bytes(
            hashlib.sha256(f"{self.store.seed}:{job_id}".encode()).digest()[:4], "big"
        )
        types = m.source_url_types
        draw = _generate.JobDraw(
            status,
            job_type or kind_job_types(self.store.is_manual(app_id))[0],
            flavour,
            _generate.mix(flavour, 5),
            commit_message,
            commit_id,
            # 1..: which source URL type (+1), picked by the flavour as the generator does
            source=1 + flavour % len(types) if drawn_source and types else 0,
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
            self.store.lifecycle.follow(branch, job, branch.start_steps, branch.calls)
        return job

    def add_given(
        self,
        app_id: str,
        branch_name: str,
        status: str,
        job_type: str | None,
        commit_message: str | None,
    ) -> dict[str, Any]:
        """``fake.add_job``: a job of the kind the app makes. On an app connected to a
        repository it defaults to the most ordinary build (``WEB_HOOK``); on a manual-deploy
        app it is a manual deploy, shaped as the fake's own deployments are (listed as the
        departure ``manual-deploy-summary`` says: no commit members; a ``sourceUrl`` and its
        ``sourceUrlType``). ``ValueError`` for a job type the app's kind cannot make."""
        self.store.branch(app_id, branch_name)  # ValueError naming the known branches
        manual = self.store.is_manual(app_id)
        allowed = kind_job_types(manual)
        kind = kind_words(manual)
        if job_type is None:
            job_type = allowed[0]
        elif not isinstance(job_type, str) or job_type not in allowed:
            raise ValueError(
                f"job_type={short_repr(job_type)} is not a job type app {app_id} ({kind}) "
                f"makes; allowed: {', '.join(allowed)}, or None (default: {allowed[0]})"
            )
        if manual and commit_message is not None:
            raise ValueError(
                f"commit_message={short_repr(commit_message)}: app {app_id} is deployed manually "
                "and a manual deploy has no commit; allowed: None"
            )
        # A manual deploy's sourceUrl is drawn as generated histories draw it.
        return self.add_job(
            app_id, branch_name, status, job_type, commit_message, drawn_source=manual
        )

    def context(
        self, app_id: str, branch_name: str, branch: BranchRecord
    ) -> _generate.BranchContext:
        """The generator's context of a branch the store serves."""
        return _generate.BranchContext(
            app_id,
            branch_name,
            self.store.region,
            self.account_of(app_id, branch),
            realistic=True,
            complete=self.store.complete,
        )

    def arrive(self, branch: BranchRecord, job_type: str | None) -> dict[str, Any]:
        """A world's job arriving on ``branch``: queued, moved by the lifecycle."""
        queued = _model.model().queued_statuses[-1]
        return self.add_job(branch.app_id, branch.branch_name, queued, job_type, None)

    def account_of(self, app_id: str, branch: BranchRecord) -> str:
        return (
            account_of_jobs(branch.jobs)
            or self.store.account_of_app(app_id)
            or _generate.account_from(0)
        )

    def find(self, job: Mapping[str, Any] | str) -> tuple[BranchRecord, dict[str, Any]]:
        arn = job if isinstance(job, str) else job.get("jobArn")
        for branch in self.store.branches.values():
            for candidate in branch.jobs:
                if candidate["jobArn"] == arn:
                    return branch, candidate
        raise ValueError(f"job={short_repr(arn)} is not a job the fake serves")

    def schedule(self, job: Mapping[str, Any] | str, status: str, after_calls: int) -> None:
        """``advance``: the job moves to ``status`` after ``after_calls`` calls on its branch."""
        branch, target = self.find(job)
        self.store.lifecycle.schedule(branch, target, status, after_calls)

    def job(
        self, branch: BranchRecord, app_id: str, branch_name: str, job_id: str
    ) -> dict[str, Any]:
        for job in branch.jobs:
            if job["jobId"] == job_id or int(job["jobId"]) == int(job_id):
                return job
        raise ServiceError(NOT_FOUND, MESSAGES["job-not-found"].format(job_id))

    def list_jobs(
        self, app_id: str, branch_name: str, token_text: str | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a branch's jobs and the token of the next page (None: the last)."""
        branch = self.store.observe(app_id, branch_name)
        after = None
        if token_text is not None:
            after = self.store.tokens.jobs_after(token_text, app_id, branch_name, branch.generation)
        # Jobs are newest first with decreasing ids: continue just below the last id served.
        start = 0
        if after is not None:
            start = bisect.bisect_left(branch.jobs, -after + 1, key=lambda j: -int(j["jobId"]))
        page = branch.jobs[start : start + size]
        token_out = None
        if start + size < len(branch.jobs):
            token_out = self.store.tokens.issue_jobs(
                app_id, branch_name, int(page[-1]["jobId"]), branch.generation
            )
        return page, token_out

    def get_job(
        self, app_id: str, branch_name: str, job_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The job's summary (as ListJobs shows it) and its steps."""
        branch = self.store.observe(app_id, branch_name, "GetJob")
        job = self.job(branch, app_id, branch_name, job_id)
        return job, self.steps(app_id, branch_name, branch, job)

    def steps(
        self, app_id: str, branch_name: str, branch: BranchRecord, job: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The steps GetJob shows, each with the ``logUrl`` of its log (and BUILD's
        ``artifactsUrl`` once it succeeded), as the service sends them."""
        steps = self.built_steps(branch, job)
        base = f"{app_id}/{_quote(branch_name)}/{job['jobId'].zfill(10)}"
        for step in steps:
            step["logUrl"] = self.store.file_url(f"logs/{base}/{step['stepName']}/log.txt")
            if step["stepName"] == "BUILD" and step["status"] == "SUCCEED":
                step["artifactsUrl"] = self.store.file_url(f"artifacts/{base}/BUILD/artifacts.zip")
        return steps

    def built_steps(self, branch: BranchRecord, job: dict[str, Any]) -> list[dict[str, Any]]:
        """The job's steps without their URLs (handing out a URL starts the local endpoint)."""
        meta = branch.meta.get(job["jobId"])
        return _generate.build_steps(
            job, meta.built_from if meta else None, fails_at=meta.fails_at if meta else None
        )

    def start_job(self, app_id: str, branch_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """StartJob: a new newest job, PENDING (queued behind a build if one runs)."""
        m = _model.model()
        branch = self.store.observe(app_id, branch_name, "StartJob")
        job_type = params["jobType"]
        retry_of = None
        if job_type == m.manual_job_type:
            # aws/aws-sdk#121: StartJob never starts a manual deploy.
            raise ServiceError("BadRequestException", MESSAGES["manual-job-type"])
        self.store.check_kind(app_id, "StartJob")
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
        branch = self.store.observe(app_id, branch_name, "StopJob")
        job = self.job(branch, app_id, branch_name, job_id)
        status = job["status"]
        if status in m.finished_statuses:
            raise ServiceError(
                "BadRequestException", f"Job {job['jobId']} has already finished ({status})"
            )
        self.store.lifecycle.void([job["jobArn"]])  # scripted moves of a stopped job are void
        if status in m.queued_statuses:
            self.store.lifecycle.set_status(branch, job, "CANCELLED")
        elif status != "CANCELLING":
            self.store.lifecycle.set_status(branch, job, "CANCELLING")
            branch.job_meta(job["jobId"]).stopping = True
        return job

    def delete_job(self, app_id: str, branch_name: str, job_id: str) -> dict[str, Any]:
        """DeleteJob: a finished job disappears; a job in flight is a BadRequestException."""
        m = _model.model()
        branch = self.store.observe(app_id, branch_name, "DeleteJob")
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
        PUT its zip to and, with a ``fileMap``, one URL per file instead (the API reference:
        "the service will generate a unique upload URL per file. Otherwise, the service will
        only generate a single upload URL for the zipped files."). Refused while the branch's
        newest job has not finished (:meth:`check_last_finished`)."""
        m = _model.model()
        branch = self.store.observe(app_id, branch_name, "CreateDeployment")
        self.store.check_kind(app_id, "CreateDeployment")
        self.check_last_finished(branch)
        created = m.queued_statuses[0]  # CREATED (see README: undocumented, our choice)
        job = self.add_job(
            app_id, branch_name, created, m.manual_job_type, None, job_id=branch.next_id
        )
        job_id = job["jobId"]
        meta = branch.job_meta(job_id)
        meta.deployment = True
        base = f"uploads/{app_id}/{_quote(branch_name)}/{job_id}"
        meta.zip_path = f"{base}/deploy.zip"
        paths = {name: f"{base}/files/{_quote(name)}" for name in files}
        meta.file_paths = tuple(paths.values())
        return (
            job_id,
            self.store.file_url(meta.zip_path),
            {name: self.store.file_url(path) for name, path in paths.items()},
        )

    @staticmethod
    def check_last_finished(branch: BranchRecord) -> None:
        """Refuse a new deployment while the branch's newest job has not finished (CREATED,
        PENDING, PROVISIONING, RUNNING or CANCELLING), with the service's text naming it: "The
        last job(deployment) N was not finished, please wait until it finish or use StopJob
        operation to cancel it before creating a new deployment."
        (https://github.com/aws-amplify/amplify-backend/issues/1528,
        https://github.com/aws-amplify/amplify-backend/issues/2137).

        The sources show a deployment blocking the next one; that the newest job blocks
        whatever made it (CreateDeployment, a ``sourceUrl`` StartDeployment, a job the test
        added) is ours, read from the text's "last job" (docs/operations.md)."""
        last = branch.jobs[0] if branch.jobs else None  # newest first
        if last is not None and last["status"] not in _model.model().finished_statuses:
            raise ServiceError(
                "BadRequestException", MESSAGES["deployment-unfinished"].format(last["jobId"])
            )

    def start_deployment(
        self, app_id: str, branch_name: str, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """StartDeployment: start the CREATED job of CreateDeployment (``jobId``), or a new
        MANUAL job from a ``sourceUrl`` (refused, as CreateDeployment is, while the branch's
        newest job has not finished). A deployment whose zip, or any file of its ``fileMap``,
        never arrived fails at DEPLOY (the service's exact behaviour is undocumented)."""
        m = _model.model()
        branch = self.store.observe(app_id, branch_name, "StartDeployment")
        self.store.check_kind(app_id, "StartDeployment")
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
            self.store.lifecycle.set_status(branch, job, m.queued_statuses[-1])
            job["startTime"] = self.store.now()
            meta.auto = True
            # What CreateDeployment asked for: every file of its fileMap, else the zip.
            needed = meta.file_paths or ((meta.zip_path,) if meta.zip_path is not None else ())
            if self.store.url_for is not None and not set(needed) <= self.store.uploaded:
                meta.fails_at = "DEPLOY"
            elif branch.queue_free is not None:  # a world's branch: its started jobs' lifecycle
                self.store.lifecycle.follow(branch, job, branch.start_steps, branch.calls)
            if m.source_url_types and "sourceUrl" not in job:
                if meta.file_paths:  # the files' folder (ours: undocumented)
                    folder = meta.file_paths[0].rsplit("/", 1)[0] + "/"
                    job["sourceUrl"] = self.store.file_url(folder)
                    prefix = "BUCKET_PREFIX"  # the model's other SourceUrlType, beside ZIP
                    job["sourceUrlType"] = (
                        prefix if prefix in m.source_url_types else m.source_url_types[0]
                    )
                else:
                    job["sourceUrl"] = self.store.file_url(meta.zip_path or "")
                    job["sourceUrlType"] = m.source_url_types[0]  # ZIP
            return job
        if "sourceUrl" not in params:
            raise ServiceError("BadRequestException", MESSAGES["deployment-no-source"])
        self.check_last_finished(branch)
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

    @staticmethod
    def artifact_id(job: Mapping[str, Any]) -> str:
        """The id of a job's build artifacts: UUID-shaped, derived from its ARN (ours: the
        service's ids are opaque)."""
        h = hashlib.sha256(f"{job['jobArn']}/{ARTIFACT_FILE}".encode()).hexdigest()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

    def has_artifacts(self, branch: BranchRecord, job: dict[str, Any]) -> bool:
        """Whether the job built (its BUILD step succeeded): GetJob shows ``artifactsUrl``."""
        return any(
            step["stepName"] == "BUILD" and step["status"] == "SUCCEED"
            for step in self.built_steps(branch, job)
        )

    def list_artifacts(
        self, app_id: str, branch_name: str, job_id: str, token_text: str | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a job's artifacts: the build's ``artifacts.zip`` once it built."""
        branch = self.store.observe(app_id, branch_name, "ListArtifacts")
        job = self.job(branch, app_id, branch_name, job_id)
        artifacts = []
        if self.has_artifacts(branch, job):
            artifacts.append(
                {"artifactFileName": ARTIFACT_FILE, "artifactId": self.artifact_id(job)}
            )
        listing = f"{app_id}/{branch_name}/{job['jobId']}"
        return self.store.tokens.page("ListArtifacts", listing, artifacts, token_text, size)

    def get_artifact_url(self, artifact_id: str) -> str:
        """The URL of an artifact (served by the fake's local endpoint); a call on its branch."""
        for (app_id, branch_name), branch in self.store.branches.items():
            for job in branch.jobs:
                if self.artifact_id(job) == artifact_id and self.has_artifacts(branch, job):
                    self.store.observe(app_id, branch_name, "GetArtifactUrl")
                    base = f"{app_id}/{_quote(branch_name)}/{job['jobId'].zfill(10)}"
                    return self.store.file_url(f"artifacts/{base}/BUILD/{ARTIFACT_FILE}")
        self.store.reach_app("GetArtifactUrl", None)
        raise ServiceError(NOT_FOUND, MESSAGES["artifact-not-found"].format(artifact_id))

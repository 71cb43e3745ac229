"""Typed records of the fake's apps and branches (jobs are the model's ``JobSummary`` already).

A record keeps what identifies the resource, its tags, and the members of the model's
structure it was given (generated, or set by a create or update call); ``shape()`` is the one
place it becomes the structure the service answers with, the members derived from the store
(a branch's ``activeJobId``, an app's ``productionBranch``) filled in there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AppRecord", "Arrival", "BranchRecord", "JobMeta"]

# Members a record keeps in fields of its own: never among its other members.
_APP_OWN = frozenset({"appId", "appArn", "createTime", "updateTime", "tags", "productionBranch"})
_BRANCH_OWN = frozenset(
    {
        "branchArn",
        "branchName",
        "createTime",
        "updateTime",
        "tags",
        "activeJobId",
        "totalNumberOfJobs",
    }
)


def _tags(value: object) -> dict[str, str]:
    return dict(value) if isinstance(value, Mapping) else {}


def _set(
    kept: dict[str, Any], given: Mapping[str, Any], own: frozenset[str], tags: dict[str, str]
) -> dict[str, str]:
    """Set ``given`` members on a record's ``kept`` ones (never those it keeps in fields of its
    own); returns its tags, replaced when ``given`` has ``tags``."""
    for name, value in given.items():
        if name == "tags":
            tags = _tags(value)
        elif name not in own:
            kept[name] = value
    return tags


@dataclass
class AppRecord:
    """An app: its id, ARN, times and tags, and the App members it was given."""

    app_id: str
    arn: str
    created: dt.datetime
    updated: dt.datetime
    members: dict[str, Any]  # the App's other members (name, platform, repository...)
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_shape(cls, app: Mapping[str, Any]) -> AppRecord:
        """The record of an App structure (generated, or given by a test)."""
        members = {k: v for k, v in app.items() if k not in _APP_OWN}
        return cls(
            app["appId"],
            app["appArn"],
            app["createTime"],
            app["updateTime"],
            members,
            _tags(app.get("tags")),
        )

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def manual(self) -> bool:
        """Deployed manually (no repository): CreateDeployment and StartDeployment only."""
        return not self.members.get("repository")

    def update(self, members: Mapping[str, Any]) -> None:
        """Members set by a call (``tags`` among them replace the tags)."""
        self.tags = _set(self.members, members, _APP_OWN, self.tags)

    def shape(
        self, *, complete: bool = False, production: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The model's ``App``; ``production`` is its ``productionBranch`` (derived by the
        store from its branches and their jobs)."""
        out: dict[str, Any] = {"appId": self.app_id, "appArn": self.arn, **self.members}
        out["createTime"], out["updateTime"] = self.created, self.updated
        if self.tags:
            out["tags"] = dict(self.tags)
        if production is not None:
            out["productionBranch"] = dict(production)
        return out


@dataclass
class JobMeta:
    """What the store knows of a job beyond its summary."""

    auto: bool = False  # started by the code under test: moves by itself (see Lifecycle.step)
    built_from: dt.datetime | None = None  # when it entered its first build status
    reason: str | None = None  # StartJob's jobReason
    stopping: bool = False  # StopJob moved it to CANCELLING: it ends CANCELLED by itself
    deployment: bool = False  # created by CreateDeployment (waits, CREATED, for StartDeployment)
    zip_path: str | None = None  # where CreateDeployment's zip is to be uploaded
    # Where CreateDeployment's fileMap files are to be uploaded (one URL each, instead of the
    # zip); empty: the deployment is the zip.
    file_paths: tuple[str, ...] = ()
    fails_at: str | None = None  # the step it fails at, whatever its lifecycle says


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
class BranchRecord:
    """A branch: its name, ARN, times, tags and Branch members, its jobs (newest first, the
    model's ``JobSummary``) and what the store counts of it."""

    app_id: str
    branch_name: str
    arn: str
    created: dt.datetime
    updated: dt.datetime
    members: dict[str, Any]  # the Branch's other members (stage, displayName, framework...)
    jobs: list[dict[str, Any]] = field(default_factory=list)  # newest first
    tags: dict[str, str] = field(default_factory=dict)
    generation: int = 0  # served anew this many times: older tokens are stale
    calls: int = 0  # HTTP attempts that reached this branch (faulted ones included)
    meta: dict[str, JobMeta] = field(default_factory=dict)  # by jobId
    next_id: int = 1  # ids are never reused, even after DeleteJob
    # A world's script (see AmplifyFake.load): jobs yet to appear, the (status, wait) steps of
    # jobs the code starts, and the call from which a new job may leave the queue (every
    # scripted job before it has finished; None: not a world's branch).
    arrivals: list[Arrival] = field(default_factory=list)
    start_steps: tuple[tuple[str, int], ...] = ()
    queue_free: int | None = None

    @classmethod
    def from_shape(cls, app_id: str, branch: Mapping[str, Any]) -> BranchRecord:
        """The record of a Branch structure (``build_branch``'s), without jobs yet."""
        members = {k: v for k, v in branch.items() if k not in _BRANCH_OWN}
        return cls(
            app_id,
            branch["branchName"],
            branch["branchArn"],
            branch["createTime"],
            branch["updateTime"],
            members,
            tags=_tags(branch.get("tags")),
        )

    @property
    def key(self) -> tuple[str, str]:
        return self.app_id, self.branch_name

    @property
    def stage(self) -> str | None:
        stage = self.members.get("stage")
        return stage if isinstance(stage, str) else None

    def job_meta(self, job_id: str) -> JobMeta:
        return self.meta.setdefault(job_id, JobMeta())

    def update(self, members: Mapping[str, Any]) -> None:
        """Members set by a call (``tags`` among them replace the tags)."""
        self.tags = _set(self.members, members, _BRANCH_OWN, self.tags)

    def shape(self, *, complete: bool = False) -> dict[str, Any]:
        """The model's ``Branch`` as GetBranch shows it: ``activeJobId`` and
        ``totalNumberOfJobs`` derived from its jobs.

        ``activeJobId`` is the newest job's id, zero-padded to ten digits as the service sends
        it (``"0000000131"``, see the README's departures section); a branch without jobs has
        none (the service leaves it out, departure ``branch-unset-members``; model-complete:
        ``"0"``).
        """
        out: dict[str, Any] = {
            "branchArn": self.arn,
            "branchName": self.branch_name,
            **self.members,
            "createTime": self.created,
            "updateTime": self.updated,
        }
        if self.tags:
            out["tags"] = dict(self.tags)
        if self.jobs:
            out["activeJobId"] = self.jobs[0]["jobId"].zfill(10)
        elif complete:
            out["activeJobId"] = "0"
        out["totalNumberOfJobs"] = str(len(self.jobs))
        return out

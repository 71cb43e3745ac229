"""The fake's store of the jobs workflow's resources: apps, their branches and their jobs.

No HTTP and no botocore here (moto keeps ``models.py`` apart from ``responses.py`` the same
way): :mod:`.wire` and the handler modules turn requests into calls on a :class:`Store` and
its answers, or its :class:`ServiceError`, into responses. Every method expects the caller to
hold ``store.lock``.

The store is split by concern; it holds one of each and is the one place they meet:

- apps and branches are typed records (:mod:`.records`) in :class:`~.crud.Collection`\\ s,
  jobs the model's ``JobSummary`` in their branch, newest first; the operations on them are
  here;
- the job lifecycle (the clock, scheduled moves, started jobs moving): :mod:`.lifecycle`;
- scripted faults: :mod:`.faults`; pagination tokens: :mod:`.tokens`;
- webhooks, domain associations and backend environments: :mod:`.resources`;
- access logs' contents: :mod:`.access_logs`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._choices import RandomChoices
from pytest_amplify_jobs._fake import access_logs
from pytest_amplify_jobs._fake.crud import Collection
from pytest_amplify_jobs._fake.errors import MESSAGES, ServiceError
from pytest_amplify_jobs._fake.faults import Fault, Faults, fault_error, operation_errors
from pytest_amplify_jobs._fake.jobs import Jobs, account_of_jobs
from pytest_amplify_jobs._fake.lifecycle import OBSERVING, Clock, Lifecycle
from pytest_amplify_jobs._fake.records import AppRecord, BranchRecord
from pytest_amplify_jobs._fake.resources import Resources
from pytest_amplify_jobs._fake.tokens import Tokens
from pytest_amplify_jobs._text import short_repr

__all__ = [
    "BRANCHES_PER_APP",
    "OBSERVING",
    "ServiceError",
    "Store",
    "default_page_size",
    "operation_errors",
]


# Quotas (https://docs.aws.amazon.com/amplify/latest/userguide/quotas-chapter.html): branches
# per app are enforced by CreateBranch; the 25 apps per region are a default AWS raises on
# request, so CreateApp does not enforce them.
BRANCHES_PER_APP = 50

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
# Members generate.draw_app may give an app that CreateApp sets only when asked to.
_DRAWN_EXTRAS = ("tags", "buildSpec", "repositoryCloneMethod", "customHeaders")
# Members of a request that name the resource rather than set it.
_NAMING = frozenset({"appId", "branchName", "appArn", "branchArn"})


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


class Store:
    """Apps, branches and jobs of one fake service, and the parts that keep the rest."""

    def __init__(self, *, seed: int, region: str) -> None:
        self.seed = seed
        self.region = region
        self.lock = threading.RLock()
        self.apps: Collection[str, AppRecord] = Collection(MESSAGES["app-not-found"].format)
        self.branches: Collection[tuple[str, str], BranchRecord] = Collection(
            lambda key: MESSAGES["branch-not-found"].format(key[1])
        )
        self.tokens = Tokens(seed)
        self.faults = Faults()
        self.clock = Clock()
        self.jobs = Jobs(self)  # the jobs of the branches, and the job operations
        self.lifecycle = Lifecycle(self.clock, self.jobs.arrive)
        self.counter = 0  # answers given: derives request ids
        self.branches_added = 0
        self.apps_added = 0
        # model_complete: every member the model requires, no departures of the service.
        self.complete = False
        # The URL of a file the fake serves (uploads, logs); None: no endpoint (generated
        # responses), and URLs in the service's own S3 form are handed out.
        self.url_for: Callable[[str], str] | None = None
        self.uploaded: set[str] = set()  # paths of files uploaded to the fake
        # Webhooks, domain associations, backend environments: see _fake/resources.py.
        self.resources = Resources(self)

    # ----------------------------------------------------------------------- apps, branches

    def put_app(self, app: Mapping[str, Any]) -> AppRecord:
        """Serve ``app`` (an App of the model); its branches stay."""
        record = AppRecord.from_shape(app)
        self.apps[record.app_id] = record
        return record

    def new_app(
        self, app_id: str | None, account: str | None = None, *, manual: bool = False
    ) -> AppRecord:
        """A generated app (seeded by the store's seed and how many apps were added),
        connected to a repository unless ``manual``."""
        choices = RandomChoices(self.seed * 1_000_003 + self.apps_added)
        self.apps_added += 1
        return self.put_app(
            _generate.draw_app(
                choices,
                app_id=app_id,
                region=self.region,
                account=account,
                complete=self.complete,
                manual=manual,
            )
        )

    def is_manual(self, app_id: str) -> bool:
        """Whether the app deploys manually (no repository): CreateDeployment and
        StartDeployment only. An app connected to a repository builds with StartJob only."""
        app = self.apps.get(app_id)
        return app is not None and app.manual

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
        return app.account if app is not None else None

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
        if app is None:  # of the kind the history is (coherence rule one-kind)
            manual = _generate.is_manual_history(history) is True
            app = self.new_app(app_id, account_of_jobs(history), manual=manual)
        first = min((j["startTime"] for j in history), default=self.now())
        created = first - dt.timedelta(hours=1)  # a branch exists before its first build
        if created <= app.created:
            app.created = app.updated = created - dt.timedelta(hours=1)
        info = _generate.build_branch(
            app.shape(), branch_name, created, complete=self.complete, stage=stage
        )
        record = BranchRecord.from_shape(app_id, info)
        top = max((int(j["jobId"]) for j in history), default=0)
        record.jobs = history
        record.generation = (old.generation + 1) if old else 0
        record.next_id = max(top, old.next_id - 1 if old else 0) + 1
        self.branches[key] = record
        newest = max((j.get("endTime", j["startTime"]) for j in history), default=_generate.EPOCH)
        self.clock.not_before(newest + dt.timedelta(minutes=1))

    @staticmethod
    def check_order(history: Sequence[Mapping[str, Any]]) -> None:
        ids = [int(job["jobId"]) for job in history]
        if any(a <= b for a, b in itertools.pairwise(ids)):
            raise ValueError(
                f"jobs must be newest first with decreasing jobId, got jobIds {ids[:10]}"
            )

    def branch(self, app_id: str, branch_name: str) -> BranchRecord:
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
        self.tokens.expire()

    def branch_view(self, app_id: str, branch_name: str) -> dict[str, Any]:
        """The Branch as GetBranch shows it (see :meth:`BranchRecord.shape`)."""
        return self.branches[(app_id, branch_name)].shape(complete=self.complete)

    # ------------------------------------------------------------------------------ the clock

    def now(self) -> dt.datetime:
        return self.clock.now()

    def tick(self, seconds: int) -> dt.datetime:
        return self.clock.tick(seconds)

    # ----------------------------------------------------------------------------- living jobs

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
        self.faults.add(Fault(code, times, after_calls, app_id, branch_name, operation, message))

    # ------------------------------------------------------------------------------ calls

    def reach_app(self, operation: str, app_id: str | None) -> AppRecord | None:
        """Count one call reaching the service (no branch): faults, then the app if named."""
        self.faults.raise_due(app_id, None, operation)
        self.tick(1)
        if app_id is None:
            return None
        return self.apps.find(app_id)

    def observe(self, app_id: str, branch_name: str, operation: str = "ListJobs") -> BranchRecord:
        """Count one call reaching a branch: faults first, then the moves due before it, then
        (for an observing operation) one step of its started jobs.

        Raises :class:`ServiceError` for a scripted fault or an unknown branch.
        """
        branch = self.branches.get((app_id, branch_name))
        due = self.faults.take(app_id, branch_name, operation)
        if branch is not None:
            self.lifecycle.apply_due(branch)  # moves due after the calls so far, before this one
            branch.calls += 1
        if due is not None:
            raise fault_error(due, operation)
        branch = self.branches.find((app_id, branch_name))
        if operation in OBSERVING:
            self.lifecycle.step(branch)
        self.tick(1)
        return branch

    # ------------------------------------------------------------------------- operations

    def file_url(self, path: str) -> str:
        """The URL of a file: on the fake's local endpoint when it has one, else in the form
        the service hands out (a presigned S3 URL, for generated responses nobody serves)."""
        if self.url_for is not None:
            return self.url_for(path)
        return _generate.artifact_url(self.region, path)

    def receive_upload(self, path: str) -> None:
        """A file PUT to the fake's endpoint (the zip of a deployment, for one)."""
        self.uploaded.add(path)

    def list_branches(
        self, app_id: str, token_text: str | None, size: int
    ) -> tuple[list[BranchRecord], str | None]:
        """One page of an app's branches (in the order they were added)."""
        self.reach_app("ListBranches", app_id)
        mine = self.branches.where(lambda b: b.app_id == app_id)
        return self.tokens.page("ListBranches", app_id, mine, token_text, size)

    def list_apps(
        self, token_text: str | None, size: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the apps (in the order they were added), as GetApp shows them."""
        self.reach_app("ListApps", None)
        page, token = self.tokens.page("ListApps", None, list(self.apps), token_text, size)
        return [self.app_view(app_id) for app_id in page], token

    def get_branch(self, app_id: str, branch_name: str) -> BranchRecord:
        return self.observe(app_id, branch_name, "GetBranch")

    # ------------------------------------------------- apps and branches: create, update, delete

    def app_view(self, app_id: str) -> dict[str, Any]:
        """The App as GetApp shows it: ``productionBranch`` derived from the store.

        It names the app's first branch whose stage is ``PRODUCTION`` (none: no
        ``productionBranch``), with the ``status`` and ``endTime`` (``lastDeployTime``) of its
        newest job that deployed or failed to (a cancelled job deployed nothing, and
        ``CANCELLED`` is longer than the 7 characters the model allows the member).
        """
        production: dict[str, Any] | None = None
        for branch in self.branches.values():
            if branch.app_id != app_id or branch.stage != _PRODUCTION:
                continue
            production = {"branchName": branch.branch_name}
            deployed = next((j for j in branch.jobs if j["status"] in _DEPLOYED), None)
            if deployed is not None:
                production["status"] = deployed["status"]
                production["lastDeployTime"] = deployed["endTime"]
            break
        return self.apps[app_id].shape(complete=self.complete, production=production)

    def get_app(self, app_id: str) -> dict[str, Any]:
        """GetApp: the app with its ``productionBranch`` derived from the store."""
        self.reach_app("GetApp", app_id)
        return self.app_view(app_id)

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
        account = next((a.account for a in self.apps.values()), _generate.account_from(0))
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
        # A created app carries what the call set and the service's defaults, none of the
        # extras a generated app is drawn with (tests/published/001, 004, 014: platform WEB).
        for member in _DRAWN_EXTRAS:
            app.pop(member, None)
        app["platform"] = _model.structure("App").members["platform"].enum[0]  # type: ignore[attr-defined]
        app.update(_APP_DEFAULTS)
        record = self.put_app(app)
        record.update(_members_of(_model.structure("App"), params))
        record.created = record.updated = self.now()
        return self.app_view(app_id)

    def update_app(self, app_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """UpdateApp: the members given replace the app's; ``updateTime`` moves."""
        app = self.reach_app("UpdateApp", app_id)
        assert app is not None
        app.update(_members_of(_model.structure("App"), params))
        app.updated = self.now()
        return self.app_view(app_id)

    def delete_app(self, app_id: str) -> dict[str, Any]:
        """DeleteApp: the app goes with its branches, their jobs, and (``store.resources``)
        its webhooks, domain associations and backend environments. Returns the app."""
        self.reach_app("DeleteApp", app_id)
        app = self.app_view(app_id)
        for branch in self.branches.where(lambda b: b.app_id == app_id):
            self.drop_branch(branch.key)
        del self.apps[app_id]
        self.resources.forget_app(app_id)
        return app

    def create_branch(self, app_id: str, params: Mapping[str, Any]) -> BranchRecord:
        """CreateBranch: a new branch without jobs, the members given and the service's
        defaults (``stage`` ``"NONE"`` when none is given: departure ``stage-none``; with
        ``complete``, the stage its name suggests). The call is the branch's first.

        Refused when the branch exists, and beyond :data:`BRANCHES_PER_APP`.
        """
        branch_name = params["branchName"]
        self.faults.raise_due(app_id, branch_name, "CreateBranch")
        self.tick(1)
        app = self.apps.find(app_id)
        if (app_id, branch_name) in self.branches:
            raise ServiceError(
                "BadRequestException", MESSAGES["branch-exists"].format(branch_name, app_id)
            )
        if len(self.branches.where(lambda b: b.app_id == app_id)) >= BRANCHES_PER_APP:
            raise ServiceError(
                "LimitExceededException", MESSAGES["branch-limit"].format(app_id, BRANCHES_PER_APP)
            )
        stage = params.get("stage")
        if self.complete:
            info = _generate.build_branch(app.shape(), branch_name, self.now(), stage=stage)
        else:  # departure branch-unset-members: only what was set
            info = _generate.build_branch(
                app.shape(), branch_name, self.now(), complete=False, stage=_NO_STAGE
            )
            info["stage"] = stage or _NO_STAGE
        record = BranchRecord.from_shape(app_id, info)
        record.update(_members_of(_model.structure("Branch"), params))
        record.calls = 1
        self.branches[record.key] = record
        return record

    def update_branch(
        self, app_id: str, branch_name: str, params: Mapping[str, Any]
    ) -> BranchRecord:
        """UpdateBranch: the members given replace the branch's; ``updateTime`` moves."""
        branch = self.observe(app_id, branch_name, "UpdateBranch")
        branch.update(_members_of(_model.structure("Branch"), params))
        branch.updated = self.now()
        return branch

    def delete_branch(self, app_id: str, branch_name: str) -> BranchRecord:
        """DeleteBranch: the branch goes with its jobs, its tokens and (``store.resources``)
        its webhooks. Returns the branch as it was."""
        branch = self.observe(app_id, branch_name, "DeleteBranch")
        self.drop_branch(branch.key)
        self.resources.forget_branch(app_id, branch_name)
        return branch

    def drop_branch(self, key: tuple[str, str]) -> None:
        """Forget a branch, its jobs, their scripted moves and its tokens."""
        branch = self.branches.pop(key)
        self.lifecycle.void(job["jobArn"] for job in branch.jobs)
        self.tokens.forget_branch(*key)

    # ------------------------------------------------------------------------------ artifacts

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

        Any domain is accepted (the service's check of the domain is undocumented).
        """
        self.reach_app("GenerateAccessLogs", app_id)
        end = end if end is not None else self.now()
        start = start if start is not None else end - dt.timedelta(days=1)
        if start > end:
            raise ServiceError("BadRequestException", MESSAGES["log-range"])
        first, last = int(start.timestamp()), int(end.timestamp())
        return self.file_url(f"access-logs/{app_id}/{domain_name}/{first}-{last}.csv")

    def access_log(self, path: str) -> tuple[str, bytes] | None:
        """The file behind :meth:`generate_access_logs`' URL (see :mod:`.access_logs`)."""
        return access_logs.access_log(path, self.apps)

    # ----------------------------------------------------------------------------------- tags

    def tagged(self, operation: str, arn: str) -> AppRecord | BranchRecord:
        """The app or branch of an ARN; a call on it. ``ResourceNotFoundException`` for any
        other ARN."""
        for app in self.apps.values():
            if app.arn == arn:
                self.reach_app(operation, app.app_id)
                return app
        for branch in self.branches.values():
            if branch.arn == arn:
                return self.observe(branch.app_id, branch.branch_name, operation)
        self.reach_app(operation, None)
        raise ServiceError("ResourceNotFoundException", MESSAGES["resource-not-found"].format(arn))

    def tag_resource(self, arn: str, tags: Mapping[str, str]) -> None:
        """TagResource: add or replace tags (at most the model's 50 per resource)."""
        record = self.tagged("TagResource", arn)
        merged = {**record.tags, **tags}
        if len(merged) > _tags_limit():
            raise ServiceError(
                "BadRequestException", MESSAGES["tag-limit"].format(arn, _tags_limit())
            )
        record.tags = merged

    def untag_resource(self, arn: str, keys: Sequence[str]) -> None:
        """UntagResource: remove tags (unknown keys are ignored); no tags left, no member."""
        record = self.tagged("UntagResource", arn)
        record.tags = {k: v for k, v in record.tags.items() if k not in keys}

    def list_tags(self, arn: str) -> dict[str, str]:
        """ListTagsForResource: the resource's tags."""
        return dict(self.tagged("ListTagsForResource", arn).tags)


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

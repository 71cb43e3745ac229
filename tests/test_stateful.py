"""A state machine over every operation of the installed Amplify model, against the fake.

Every call goes through a real boto3 client (the fake answers on the wire): valid ones, and
invalid ones (unknown ids and names, requests the model refuses, operations an app's kind
refuses, the branch quota), interleaved with the fake's scripted moves of jobs and domains and
with injected faults. After every step: each successful response is valid for the service
(``validate_response``), each error is one the operation models, with the HTTP status the
model gives it (or the fault the fake was told to inject), and the store is coherent: read
through the API and compared with a small shadow model kept here (apps, branches and their job
ids, webhooks, domain associations, backend environments, tags, armed faults).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from pytest_amplify_jobs import (
    AmplifyFake,
    IncoherentJobHistory,
    fake_amplify,
    validate_job_history,
    validate_response,
)
from tests.helpers import profile_examples

# ------------------------------------------------------------------------ model-read facts

_CLIENTS: dict[str, Any] = {}


def _client(*, retries: bool = False) -> Any:
    """One client of each kind for the whole session (creating one per example is slow). The
    plain one makes one HTTP attempt per call, so an injected fault is seen exactly where it
    was armed; the other keeps botocore's own retries."""
    key = "retrying" if retries else "plain"
    if key not in _CLIENTS:
        _CLIENTS[key] = boto3.client(
            "amplify",
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="secret",
            config=None if retries else Config(retries={"total_max_attempts": 1}),
        )
    return _CLIENTS[key]


_SERVICE = _client().meta.service_model

#: Every operation of the installed model (37 for the botocore this suite runs on).
OPERATIONS: tuple[str, ...] = tuple(_SERVICE.operation_names)

#: operation -> its modeled error codes -> the HTTP status the model gives each.
MODEL_ERRORS: dict[str, dict[str, int]] = {
    name: {
        shape.name: shape.metadata["error"]["httpStatusCode"]
        for shape in _SERVICE.operation_model(name).error_shapes
    }
    for name in OPERATIONS
}

JOB_STATUSES: tuple[str, ...] = tuple(_SERVICE.shape_for("JobStatus").enum)
DOMAIN_STATUSES: tuple[str, ...] = tuple(_SERVICE.shape_for("DomainStatus").enum)
STAGES: tuple[str, ...] = tuple(_SERVICE.shape_for("Stage").enum)

# The lifecycle's groups (docs/fake.md): the model lists the statuses, not what they mean.
QUEUED = ("CREATED", "PENDING")
BUILDING = ("PROVISIONING", "RUNNING", "CANCELLING")
FINISHED = ("SUCCEED", "FAILED", "CANCELLED")
assert set(QUEUED + BUILDING + FINISHED) == set(JOB_STATUSES)

NOT_FOUND = "NotFoundException"
BAD_REQUEST = "BadRequestException"
NO_RESOURCE = "ResourceNotFoundException"  # the tag operations' unknown ARN
LIMIT = "LimitExceededException"
OK = "ok"  # among expected codes: success is an allowed answer too


def missing(operation: str) -> str:
    """What an unknown app, branch, job or resource gets: NotFoundException where the
    operation models it, BadRequestException elsewhere (docs/operations.md)."""
    if NO_RESOURCE in MODEL_ERRORS[operation]:
        return NO_RESOURCE
    return NOT_FOUND if NOT_FOUND in MODEL_ERRORS[operation] else BAD_REQUEST


# The listings of an app's resources the invariant reads again when a step touched them.
HOOKS, DOMAINS, ENVS = "ListWebhooks", "ListDomainAssociations", "ListBackendEnvironments"
LISTINGS = {
    "ListBranches": "branches",
    HOOKS: "webhooks",
    DOMAINS: "domainAssociations",
    ENVS: "backendEnvironments",
}

# ------------------------------------------------------------------------------- the world

REPO, MANUAL = "d1repo00000001", "d1manual000001"  # seeded apps of each kind
BRANCH_NAMES = ("main", "dev", "feature/x")
DOMAIN_NAMES = ("example.com", "shop.example.org", "site.net")
PREFIXES = ("www", "", "dev")
ENV_NAMES = ("staging", "prod")
TAG_KEYS = ("team", "env", "cost")
START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)

# Calls naming something that never existed: each operation's answer is missing(operation).
UNKNOWN_APP = "d0nosuchapp000"
UNKNOWN_ARN = f"arn:aws:amplify:us-east-1:123456789012:apps/{UNKNOWN_APP}"
UNKNOWN_HOOK = "00000000-0000-4000-8000-000000000000"
_ON_BRANCH = {"appId": UNKNOWN_APP, "branchName": "main"}
UNKNOWN_CALLS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("GetApp", {"appId": UNKNOWN_APP}),
    ("UpdateApp", {"appId": UNKNOWN_APP, "name": "x"}),
    ("DeleteApp", {"appId": UNKNOWN_APP}),
    ("CreateBranch", _ON_BRANCH),
    ("GetBranch", _ON_BRANCH),
    ("ListBranches", {"appId": UNKNOWN_APP}),
    ("UpdateBranch", {**_ON_BRANCH, "description": "x"}),
    ("DeleteBranch", _ON_BRANCH),
    ("StartJob", {**_ON_BRANCH, "jobType": "RELEASE"}),
    ("GetJob", {**_ON_BRANCH, "jobId": "1"}),
    ("StopJob", {**_ON_BRANCH, "jobId": "1"}),
    ("DeleteJob", {**_ON_BRANCH, "jobId": "1"}),
    ("ListJobs", _ON_BRANCH),
    ("CreateDeployment", _ON_BRANCH),
    ("StartDeployment", {**_ON_BRANCH, "sourceUrl": "s3://bucket/site.zip"}),
    ("ListArtifacts", {**_ON_BRANCH, "jobId": "1"}),
    ("GetArtifactUrl", {"artifactId": UNKNOWN_HOOK}),
    ("GenerateAccessLogs", {"appId": UNKNOWN_APP, "domainName": "example.com"}),
    ("CreateWebhook", _ON_BRANCH),
    ("GetWebhook", {"webhookId": UNKNOWN_HOOK}),
    ("ListWebhooks", {"appId": UNKNOWN_APP}),
    ("UpdateWebhook", {"webhookId": UNKNOWN_HOOK, "description": "x"}),
    ("DeleteWebhook", {"webhookId": UNKNOWN_HOOK}),
    (
        "CreateDomainAssociation",
        {
            "appId": UNKNOWN_APP,
            "domainName": "example.com",
            "subDomainSettings": [{"prefix": "www", "branchName": "main"}],
        },
    ),
    ("GetDomainAssociation", {"appId": UNKNOWN_APP, "domainName": "example.com"}),
    ("ListDomainAssociations", {"appId": UNKNOWN_APP}),
    ("UpdateDomainAssociation", {"appId": UNKNOWN_APP, "domainName": "example.com"}),
    ("DeleteDomainAssociation", {"appId": UNKNOWN_APP, "domainName": "example.com"}),
    ("CreateBackendEnvironment", {"appId": UNKNOWN_APP, "environmentName": "staging"}),
    ("GetBackendEnvironment", {"appId": UNKNOWN_APP, "environmentName": "staging"}),
    ("ListBackendEnvironments", {"appId": UNKNOWN_APP}),
    ("DeleteBackendEnvironment", {"appId": UNKNOWN_APP, "environmentName": "staging"}),
    ("TagResource", {"resourceArn": UNKNOWN_ARN, "tags": {"team": "web"}}),
    ("UntagResource", {"resourceArn": UNKNOWN_ARN, "tagKeys": ["team"]}),
    ("ListTagsForResource", {"resourceArn": UNKNOWN_ARN}),
)

# Requests the model refuses and botocore sends anyway (it checks types, required members and
# minimums only): the service's BadRequestException, before anything is looked up.
REFUSED_BY_THE_MODEL: tuple[tuple[str, dict[str, Any]], ...] = (
    ("GetJob", {"appId": REPO, "branchName": "main", "jobId": "x1"}),  # pattern
    ("CreateBranch", {"appId": REPO, "branchName": "x", "stage": "NONE"}),  # enum
    ("CreateApp", {"name": "n" * 256}),  # longer than the model allows
    ("ListApps", {"maxResults": 101}),  # above the model's maximum
    ("ListJobs", {"appId": REPO, "branchName": "main", "maxResults": 51}),
    ("GetApp", {"appId": "D1UPPER"}),  # appId's pattern
    ("ListTagsForResource", {"resourceArn": "arn:aws:s3:::bucket"}),  # an ARN of another service
    (
        "CreateDomainAssociation",
        {"appId": REPO, "domainName": "not a domain", "subDomainSettings": []},
    ),
    ("StartJob", {"appId": REPO, "branchName": "main", "jobType": "NIGHTLY"}),  # enum
    ("StartDeployment", {"appId": MANUAL, "branchName": "main", "sourceUrl": "ftp://x/y"}),
    ("GenerateAccessLogs", {"appId": REPO, "domainName": "-bad-.com"}),
    (
        "UpdateDomainAssociation",
        {"appId": REPO, "domainName": "example.com", "autoSubDomainIAMRole": "role"},
    ),
)

# Requests botocore refuses before sending: nothing reaches the fake.
REFUSED_BY_BOTOCORE: tuple[tuple[str, dict[str, Any]], ...] = (
    ("GetApp", {}),  # a required member missing
    ("GetApp", {"appId": ""}),  # shorter than the model allows
    ("CreateApp", {"name": 5}),  # of the wrong type
    ("ListApps", {"maxResults": -1}),  # below the model's minimum
)


@dataclass
class BranchModel:
    """What the machine knows of a branch: its jobs' ids (their statuses move by themselves:
    the machine reads them from the fake when it needs them)."""

    arn: str
    generation: int  # a branch deleted and created again is another one
    stage: str = "NONE"  # departure stage-none: a branch created without a stage
    jobs: set[int] = field(default_factory=set)
    next_id: int = 1  # ids are never reused within a branch's life
    deployments: set[int] = field(default_factory=set)  # CreateDeployment's jobs
    tags: dict[str, str] = field(default_factory=dict)
    # Unusual calls made on it (stops, deployments, scripted moves), named in failure reports.
    tainted: set[str] = field(default_factory=set)  # unusual calls made on it (for reports)


@dataclass
class AppModel:
    arn: str
    name: str
    manual: bool  # deployed manually: no repository
    branches: dict[str, BranchModel] = field(default_factory=dict)  # in creation order
    tags: dict[str, str] = field(default_factory=dict)
    domains: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # (prefix, branch)
    backends: list[str] = field(default_factory=list)


@dataclass
class ArmedFault:
    """A fault the fake was told to inject: ``after`` more matching calls pass, then
    ``times`` calls fail with ``code``."""

    operation: str
    code: str
    after: int
    times: int
    throttle: bool = False


Job = tuple[str, str, str]  # appId, branchName, jobId
SubDomains = list[tuple[str, str]]  # (prefix, branchName) of a domain's sub-domains


class AmplifyService(RuleBasedStateMachine):
    """Any sequence of valid and invalid calls of the 37 operations keeps every answer valid
    for the service and the store coherent with the shadow model."""

    apps = Bundle("apps")
    branches = Bundle("branches")
    jobs = Bundle("jobs")
    webhooks = Bundle("webhooks")
    domains = Bundle("domains")
    backends = Bundle("backends")
    arns = Bundle("arns")
    artifacts = Bundle("artifacts")

    def __init__(self) -> None:
        super().__init__()
        self.c = _client()
        self.fake: AmplifyFake = fake_amplify(seed=11)
        self.fake.__enter__()
        self.generations = 0
        self.apps_model: dict[str, AppModel] = {}  # in creation order
        self.webhook_model: dict[str, tuple[str, str]] = {}  # id -> (app, branch), in order
        self.artifact_model: dict[str, tuple[str, str, int, int]] = {}  # -> job, generation
        self.arn_of: dict[tuple[str, ...], str] = {}  # every ARN seen, deleted ones too
        self.faults: list[ArmedFault] = []
        self.faulted = False  # the last call was answered by an injected fault
        self.quota_app: str | None = None  # the app filled to the branch quota
        # What a step changed or observed, read again in full by the invariant.
        self.dirty_branches: set[tuple[str, str]] = set()
        self.dirty: dict[str, set[str]] = {listing: set() for listing in LISTINGS}
        self.dirty_arns: set[str] = set()
        # Seeded: an app building from a repository and one deployed manually, each with a
        # settled branch; a webhook, a domain and a backend environment of the first.
        self.fake.add_branch(REPO, "main", jobs=3, statuses=["SUCCEED"])
        self.fake.add_app(MANUAL, kind="manual")
        self.fake.add_branch(MANUAL, "main", jobs=2, finished=True)
        for app in self.fake.apps():
            app_id = app["appId"]
            model = AppModel(
                app["appArn"], app["name"], app_id == MANUAL, tags=dict(app.get("tags", {}))
            )
            self.apps_model[app_id] = model
            self.arn_of[(app_id,)] = app["appArn"]
            info = self.fake.branch_info(app_id, "main")
            ids = {int(job["jobId"]) for job in self.fake.history(app_id, "main")}
            model.branches["main"] = BranchModel(
                info["branchArn"],
                self.new_generation(),
                jobs=ids,
                next_id=max(ids) + 1,
                tags=dict(info.get("tags", {})),
            )
            self.arn_of[(app_id, "main")] = info["branchArn"]
            self.touch(app_id, "main", HOOKS, DOMAINS, ENVS)
        self.account = self.apps_model[REPO].arn.split(":")[4]
        hook = self.fake.add_webhook(REPO, "main")
        self.webhook_model[hook["webhookId"]] = (REPO, "main")
        self.arn_of[(REPO, "webhooks", hook["webhookId"])] = hook["webhookArn"]
        self.fake.add_domain(REPO, DOMAIN_NAMES[0], {"www": "main"})
        self.apps_model[REPO].domains[DOMAIN_NAMES[0]] = [("www", "main")]
        self.fake.add_backend_environment(REPO, ENV_NAMES[0])
        self.apps_model[REPO].backends.append(ENV_NAMES[0])

    def teardown(self) -> None:
        self.fake.__exit__(None, None, None)

    # ---------------------------------------------------------------------- the shadow model

    def new_generation(self) -> int:
        self.generations += 1
        return self.generations

    def branch_model(self, app_id: str, name: str) -> BranchModel | None:
        app = self.apps_model.get(app_id)
        return app.branches.get(name) if app is not None else None

    def touch(self, app_id: str, name: str | None = None, *listings: str) -> None:
        """Mark what a step changed or observed: the app's branches, the jobs of ``name``,
        and the app's ``listings`` (keys of LISTINGS)."""
        self.dirty["ListBranches"].add(app_id)
        if name is not None:
            self.dirty_branches.add((app_id, name))
        for listing in listings:
            self.dirty[listing].add(app_id)

    def taggable(self) -> dict[str, dict[str, str]]:
        """Every ARN that takes tags (apps and branches), with the tags it holds."""
        out = {}
        for app in self.apps_model.values():
            out[app.arn] = app.tags
            for branch in app.branches.values():
                out[branch.arn] = branch.tags
        return out

    def statuses(self, app_id: str, name: str) -> dict[int, str]:
        """The branch's job statuses now, from the fake's own view (no call is counted)."""
        return {int(j["jobId"]): j["status"] for j in self.fake.history(app_id, name)}

    def pending(self, operation: str) -> bool:
        return any(f.operation == operation for f in self.faults)

    def live_branches(self, *, manual: bool | None = None) -> list[tuple[str, str]]:
        """The branches of apps of a kind (None: any), but the quota app's 50: jobs spread
        over them would rarely meet."""
        return [
            (app_id, name)
            for app_id, app in self.apps_model.items()
            if manual in (None, app.manual) and app_id != self.quota_app
            for name in app.branches
        ]

    def live_jobs(self, *, finished: bool) -> list[Job]:
        """The jobs that are (not) finished now."""
        return [
            (app_id, name, str(job_id))
            for app_id, name in self.live_branches()
            for job_id, status in self.statuses(app_id, name).items()
            if (status in FINISHED) is finished
        ]

    def prefer(self, data: st.DataObject, drawn: Any, live: Callable[[], list[Any]]) -> Any:
        """Mostly one of ``live()`` (what the shadow model knows to exist), else what was
        drawn from the bundle (which may be gone by now: an invalid call). Uniform draws from
        the bundles would make the calls that change jobs rare."""
        if data.draw(st.integers(0, 3), label="a live one") > 0:
            candidates = live()
            if candidates:
                return data.draw(st.sampled_from(candidates), label="which")
        return drawn

    # ----------------------------------------------------------------------- calling the API

    def take_fault(self, operation: str) -> ArmedFault | None:
        """The fault that answers this call of ``operation``, if one is due. Every armed
        fault counts the call on its own (ARCHITECTURE.md, "Counting calls in the fake")."""
        chosen = None
        for fault in self.faults:
            if fault.operation != operation:
                continue
            if fault.after > 0:
                fault.after -= 1
            elif chosen is None:
                chosen = fault
                fault.times -= 1
        self.faults = [f for f in self.faults if f.times > 0]
        return chosen

    def call(
        self,
        operation: str,
        *,
        expect: Iterable[str] = (),
        reaches: bool = True,
        client: Any = None,
        **params: Any,
    ) -> dict[str, Any] | None:
        """Call ``operation``; its answer must be what the shadow model predicts.

        ``expect``: the error codes the service may answer (none: it must succeed; ``OK``
        among them: success is allowed too). ``reaches=False``: the request breaks the
        model, so the fake refuses it before any fault or state is reached. Returns the
        response, or None for an error (``self.faulted``: an injected fault answered).
        """
        allowed = set(expect)
        fault = self.take_fault(operation) if reaches else None
        method = getattr(client or self.c, xform_name(operation))
        self.faulted = False
        try:
            response: dict[str, Any] = method(**params)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            where = f"{operation}({params}) answered {code} ({status})"
            assert code in MODEL_ERRORS[operation], f"{where}: not an error the model lists"
            assert status == MODEL_ERRORS[operation][code], (
                f"{where}: the model gives {code} HTTP {MODEL_ERRORS[operation][code]}"
            )
            if fault is not None:
                assert code == fault.code, f"{where}: the injected {fault.code} was due"
                if fault.throttle:  # the service's rate limit (docs/errors.md)
                    message = error.response["Error"]["Message"]
                    assert message.startswith(f"Rate exceeded while calling {operation}"), message
                self.faulted = True
                return None
            assert code in allowed, f"{where}; expected {sorted(allowed) or 'success'}"
            return None
        assert fault is None, f"{operation}({params}) succeeded; the injected {fault} was due"
        assert not allowed or OK in allowed, (
            f"{operation}({params}) succeeded; expected {sorted(allowed)}"
        )
        validate_response(operation, response)
        return response

    def settle(self, operation: str, *, expect: Iterable[str] = (), **params: Any) -> Any:
        """``call``, again while injected faults answer (each fails a few calls at most)."""
        expect = tuple(expect)
        for _ in range(8):
            response = self.call(operation, expect=expect, **params)
            if response is not None or not self.faulted:
                return response
        raise AssertionError(f"{operation} kept failing with injected faults")

    def list_all(
        self,
        operation: str,
        key: str,
        *,
        page_size: int | None = None,
        expect: Iterable[str] = (),
        **params: Any,
    ) -> list[dict[str, Any]] | None:
        """Every item of a listing, page after page (a faulted page is asked again); None
        when the listing is refused as expected."""
        expect = tuple(expect)
        items: list[dict[str, Any]] = []
        token = None
        for _ in range(100):
            request = dict(params)
            if page_size is not None:
                request["maxResults"] = page_size
            if token is not None:
                request["nextToken"] = token
            page = self.call(operation, expect=expect, **request)
            if page is None:
                if self.faulted:
                    continue
                assert token is None, f"{operation}: a later page was refused"
                return None
            items.extend(page[key])
            token = page.get("nextToken")
            if token is None:
                return items
            if page_size is not None:
                assert len(page[key]) == page_size, f"{operation}: a short page before a token"
        raise AssertionError(f"{operation}: the pages never end")

    # ---------------------------------------------------------------------------- seeding

    @initialize(target=apps)
    def seed_apps(self) -> Any:
        return multiple(*self.apps_model)

    @initialize(target=branches)
    def seed_branches(self) -> Any:
        return multiple(*((app_id, "main") for app_id in self.apps_model))

    @initialize(target=jobs)
    def seed_jobs(self) -> Any:
        return multiple(
            *(
                (app_id, "main", str(job_id))
                for app_id, model in self.apps_model.items()
                for job_id in sorted(model.branches["main"].jobs)
            )
        )

    @initialize(target=arns)
    def seed_arns(self) -> Any:
        return multiple(*self.taggable())

    @initialize(target=webhooks)
    def seed_webhooks(self) -> Any:
        return multiple(*self.webhook_model)

    @initialize(target=domains)
    def seed_domains(self) -> Any:
        return multiple((REPO, DOMAIN_NAMES[0]))

    @initialize(target=backends)
    def seed_backends(self) -> Any:
        return multiple((REPO, ENV_NAMES[0]))

    @initialize(target=artifacts)
    def seed_artifacts(self) -> Any:
        """The seeded builds' artifacts, as ListArtifacts lists them."""
        jobs = sorted(self.apps_model[REPO].branches["main"].jobs)
        return multiple(*(a for j in jobs for a in self.artifacts_of((REPO, "main", str(j)))))

    # ------------------------------------------------------------------------------- apps

    @rule(
        target=apps,
        manual=st.booleans(),
        name=st.sampled_from(["site", "shop"]),
        description=st.none() | st.just("a site"),
        tags=st.none() | st.dictionaries(st.sampled_from(TAG_KEYS), st.just("v"), min_size=1),
    )
    def create_app(
        self, manual: bool, name: str, description: str | None, tags: dict[str, str] | None
    ) -> Any:
        params: dict[str, Any] = {"name": name}
        if not manual:
            params["repository"] = f"https://github.com/example/{name}"
        if description is not None:
            params["description"] = description
        if tags is not None:
            params["tags"] = tags
        response = self.call("CreateApp", **params)
        if response is None:
            return multiple()
        app = response["app"]
        app_id = app["appId"]
        assert app_id not in self.apps_model and app["appArn"].endswith(f":apps/{app_id}")
        assert app["name"] == name and app.get("description") == description
        assert app.get("tags", {}) == (tags or {})
        assert ("repository" in app) is not manual  # departure app-unset-members
        assert app["defaultDomain"] == f"{app_id}.amplifyapp.com"
        self.apps_model[app_id] = AppModel(app["appArn"], name, manual, tags=dict(tags or {}))
        self.arn_of[(app_id,)] = app["appArn"]
        self.touch(app_id)
        return app_id

    @rule(app=apps)
    def get_app(self, app: str) -> None:
        known = app in self.apps_model
        response = self.call("GetApp", expect=() if known else (NOT_FOUND,), appId=app)
        if response is not None:
            self.check_app(response["app"])

    @rule(page_size=st.none() | st.integers(1, 3))
    def list_apps(self, page_size: int | None) -> None:
        apps = self.list_all("ListApps", "apps", page_size=page_size)
        assert apps is not None
        assert [a["appId"] for a in apps] == list(self.apps_model)

    @rule(app=apps, name=st.none() | st.just("renamed"), description=st.none() | st.just("new"))
    def update_app(self, app: str, name: str | None, description: str | None) -> None:
        model = self.apps_model.get(app)
        params: dict[str, Any] = {"appId": app}
        if name is not None:
            params["name"] = name
        if description is not None:
            params["description"] = description
        response = self.call("UpdateApp", expect=() if model else (NOT_FOUND,), **params)
        if response is None:
            return
        assert model is not None
        model.name = name or model.name
        got = response["app"]
        assert got["updateTime"] >= got["createTime"]
        if description is not None:
            assert got["description"] == description
        self.check_app(got)

    @rule(app=apps)
    def delete_app(self, app: str) -> None:
        model = self.apps_model.get(app)
        response = self.call("DeleteApp", expect=() if model else (NOT_FOUND,), appId=app)
        if response is None:
            return
        assert model is not None
        assert response["app"]["appId"] == app
        del self.apps_model[app]
        gone_hooks = [w for w, (owner, _) in self.webhook_model.items() if owner == app]
        for webhook_id in gone_hooks:
            del self.webhook_model[webhook_id]
        # Everything of the app went with it (docs/operations.md, DeleteApp); a few of its
        # branches are enough (the quota app has 50).
        branches = list(model.branches.values())[:3]
        self.settle("GetApp", expect=(NOT_FOUND,), appId=app)
        for name in list(model.branches)[:3]:
            self.settle("GetBranch", expect=(NOT_FOUND,), appId=app, branchName=name)
        for listing in LISTINGS:
            self.settle(listing, expect=(missing(listing),), appId=app)
        for webhook_id in gone_hooks:
            self.settle("GetWebhook", expect=(NOT_FOUND,), webhookId=webhook_id)
        for domain in model.domains:
            self.settle("GetDomainAssociation", expect=(NOT_FOUND,), appId=app, domainName=domain)
        for env in model.backends:
            self.settle(
                "GetBackendEnvironment", expect=(NOT_FOUND,), appId=app, environmentName=env
            )
        for arn in [model.arn, *(b.arn for b in branches)]:
            self.settle("ListTagsForResource", expect=(NO_RESOURCE,), resourceArn=arn)

    # --------------------------------------------------------------------------- branches

    @rule(
        target=branches,
        app=apps,
        name=st.sampled_from(BRANCH_NAMES),
        stage=st.none() | st.sampled_from(STAGES),
        tags=st.none() | st.dictionaries(st.sampled_from(TAG_KEYS), st.just("b"), min_size=1),
    )
    def create_branch(
        self, app: str, name: str, stage: str | None, tags: dict[str, str] | None
    ) -> Any:
        model = self.apps_model.get(app)
        if model is None:
            expect: tuple[str, ...] = (NOT_FOUND,)
        elif name in model.branches:
            expect = (BAD_REQUEST,)  # amplify-hosting#2604
        elif len(model.branches) >= 50:
            expect = (LIMIT,)
        else:
            expect = ()
        params: dict[str, Any] = {"appId": app, "branchName": name}
        if stage is not None:
            params["stage"] = stage
        if tags is not None:
            params["tags"] = tags
        response = self.call("CreateBranch", expect=expect, **params)
        if response is None:
            return multiple()
        assert model is not None
        branch = response["branch"]
        assert branch["branchArn"] == f"{model.arn}/branches/{name}"
        assert branch["stage"] == (stage or "NONE")
        assert branch["totalNumberOfJobs"] == "0" and "activeJobId" not in branch
        assert branch.get("tags", {}) == (tags or {})
        model.branches[name] = BranchModel(
            branch["branchArn"], self.new_generation(), stage=branch["stage"], tags=dict(tags or {})
        )
        self.arn_of[(app, name)] = branch["branchArn"]
        self.touch(app, name)
        return (app, name)

    @rule(branch=branches)
    def get_branch(self, branch: tuple[str, str]) -> None:
        app, name = branch
        model = self.branch_model(app, name)
        response = self.call(
            "GetBranch", expect=() if model else (NOT_FOUND,), appId=app, branchName=name
        )
        if response is not None:
            self.check_branch_view(app, response["branch"])
            self.touch(app, name)

    @rule(app=apps, page_size=st.none() | st.integers(1, 2))
    def list_branches(self, app: str, page_size: int | None) -> None:
        model = self.apps_model.get(app)
        listed = self.list_all(
            "ListBranches",
            "branches",
            page_size=page_size,
            expect=() if model else (missing("ListBranches"),),
            appId=app,
        )
        if listed is not None:
            assert model is not None
            assert [b["branchName"] for b in listed] == list(model.branches)

    @rule(
        branch=branches,
        stage=st.none() | st.sampled_from(STAGES),
        description=st.none() | st.just("changed"),
    )
    def update_branch(
        self, branch: tuple[str, str], stage: str | None, description: str | None
    ) -> None:
        app, name = branch
        model = self.branch_model(app, name)
        params: dict[str, Any] = {"appId": app, "branchName": name}
        if stage is not None:
            params["stage"] = stage
        if description is not None:
            params["description"] = description
        response = self.call("UpdateBranch", expect=() if model else (NOT_FOUND,), **params)
        if response is None:
            return
        assert model is not None
        model.stage = stage or model.stage
        got = response["branch"]
        if description is not None:
            assert got["description"] == description
        self.check_branch_view(app, got)
        self.touch(app, name)

    @rule(branch=branches)
    def delete_branch(self, branch: tuple[str, str]) -> None:
        app, name = branch
        model = self.branch_model(app, name)
        response = self.call(
            "DeleteBranch", expect=() if model else (NOT_FOUND,), appId=app, branchName=name
        )
        if response is None:
            return
        assert model is not None
        assert response["branch"]["branchName"] == name
        assert response["branch"]["totalNumberOfJobs"] == str(len(model.jobs))
        self.forget_branch(app, name)
        self.touch(app, None, HOOKS, DOMAINS)
        # Its jobs, webhooks and tags went with it (docs/operations.md, DeleteBranch).
        where = {"appId": app, "branchName": name}
        self.settle("GetBranch", expect=(NOT_FOUND,), **where)
        self.settle("ListJobs", expect=(missing("ListJobs"),), **where)
        for job_id in sorted(model.jobs)[-1:]:
            self.settle("GetJob", expect=(NOT_FOUND,), jobId=str(job_id), **where)
        self.settle("ListTagsForResource", expect=(NO_RESOURCE,), resourceArn=model.arn)

    def forget_branch(self, app: str, name: str) -> None:
        """The shadow's cascade of a deleted branch: its webhooks, its sub-domains, and a
        domain left without any (the service keeps none without one)."""
        model = self.apps_model[app]
        del model.branches[name]
        for webhook_id, owner in list(self.webhook_model.items()):
            if owner == (app, name):
                del self.webhook_model[webhook_id]
        for domain, subs in list(model.domains.items()):
            kept = [s for s in subs if s[1] != name]
            if kept:
                model.domains[domain] = kept
            else:
                del model.domains[domain]

    @precondition(lambda self: self.quota_app is None)
    @rule(target=branches)
    def branch_quota(self) -> Any:
        """The published quota of 50 branches per app: the 51st is a LimitExceededException
        (HTTP 429 in the model), and deleting one makes room again. The first 49 are set up
        through the fake (``add_branch``): 49 more calls would add nothing but time."""
        created = self.settle("CreateApp", name="quota", repository="https://x.org/quota")
        app_id = self.quota_app = created["app"]["appId"]
        model = AppModel(created["app"]["appArn"], "quota", manual=False)
        self.apps_model[app_id] = model
        self.arn_of[(app_id,)] = model.arn
        for index in range(49):
            name = f"b{index}"
            self.fake.add_branch(app_id, name, jobs=0)
            arn = self.fake.branch_info(app_id, name)["branchArn"]
            model.branches[name] = BranchModel(arn, self.new_generation())
            self.arn_of[(app_id, name)] = arn
        for name in ("b49", "b50"):
            branch = self.settle("CreateBranch", appId=app_id, branchName=name)["branch"]
            model.branches[name] = BranchModel(branch["branchArn"], self.new_generation())
            self.arn_of[(app_id, name)] = branch["branchArn"]
            if name == "b49":  # the 50th: the app is full
                self.settle("CreateBranch", expect=(LIMIT,), appId=app_id, branchName="b50")
                self.settle("DeleteBranch", appId=app_id, branchName="b0")
                self.forget_branch(app_id, "b0")
        self.touch(app_id, "b50")
        return (app_id, "b50")

    # ------------------------------------------------------------------------------- jobs

    def new_job_id(self, app: str, name: str, model: BranchModel, job_id: str) -> None:
        assert job_id == str(model.next_id), f"job ids are sequential: {job_id}, {model}"
        model.jobs.add(model.next_id)
        model.next_id += 1
        self.touch(app, name)

    @rule(
        target=jobs,
        branch=branches,
        job_type=st.sampled_from(["RELEASE", "WEB_HOOK", "RETRY", "RELEASE", "MANUAL"]),
        twice=st.booleans(),
        data=st.data(),
    )
    def start_job(
        self, branch: tuple[str, str], job_type: str, twice: bool, data: st.DataObject
    ) -> Any:
        """StartJob (``twice``: a double deploy, the second queued behind the first)."""
        app, name = self.prefer(data, branch, lambda: self.live_branches(manual=False))
        model = self.branch_model(app, name)
        params: dict[str, Any] = {"appId": app, "branchName": name, "jobType": job_type}
        known = sorted(model.jobs) if model else []
        if job_type == "RETRY":  # of a job of the branch, an unknown one, or none named
            job_id = data.draw(st.sampled_from([*known[-2:], 999, None]), label="jobId")
        else:  # now and then a jobId where only RETRY takes one
            job_id = data.draw(st.sampled_from([None, None, None, 1]), label="jobId")
        if job_id is not None:
            params["jobId"] = str(job_id)
        problems: set[str] = set()
        if model is None:
            problems.add(NOT_FOUND)
        else:
            if job_type == "MANUAL":
                problems.add(BAD_REQUEST)  # aws/aws-sdk#121
            if self.apps_model[app].manual:
                problems.add(BAD_REQUEST)  # an app without a repository does not build
            if (job_type == "RETRY") != (job_id is not None):
                problems.add(BAD_REQUEST)
            if job_type == "RETRY" and job_id is not None and job_id not in model.jobs:
                problems.add(NOT_FOUND)
        started = []
        for _ in range(2 if twice else 1):
            response = self.call("StartJob", expect=problems, **params)
            if model is not None:
                self.touch(app, name)
            if response is None:
                break
            assert model is not None
            summary = response["jobSummary"]
            assert summary["status"] == "PENDING"  # queued, even when no build runs
            self.new_job_id(app, name, model, summary["jobId"])
            started.append((app, name, summary["jobId"]))
        return multiple(*started)

    @rule(job=jobs, data=st.data())
    def stop_job(self, job: Job, data: st.DataObject) -> None:
        app, name, job_id = self.prefer(data, job, lambda: self.live_jobs(finished=False))
        model = self.branch_model(app, name)
        before = self.statuses(app, name) if model else {}
        status = before.get(int(job_id))
        if status is None:
            expect: tuple[str, ...] = (NOT_FOUND,)
        elif status in FINISHED:
            expect = (BAD_REQUEST,)
        else:
            expect = ()
        response = self.call("StopJob", expect=expect, appId=app, branchName=name, jobId=job_id)
        if model is not None:
            self.touch(app, name)
        if response is None:
            return
        assert model is not None and status is not None
        got = response["jobSummary"]["status"]
        # A queued job is cancelled at once, a build goes CANCELLING (docs/operations.md).
        assert got == ("CANCELLED" if status in QUEUED else "CANCELLING"), (status, got)
        older = [s for i, s in before.items() if i < int(job_id)]
        if status in QUEUED and any(s not in FINISHED for s in older):
            model.tainted.add("StopJob of a queued job while an older one is unfinished")

    @rule(job=jobs, data=st.data())
    def delete_job(self, job: Job, data: st.DataObject) -> None:
        app, name, job_id = self.prefer(data, job, lambda: self.live_jobs(finished=True))
        model = self.branch_model(app, name)
        status = (self.statuses(app, name) if model else {}).get(int(job_id))
        if status is None:
            expect: tuple[str, ...] = (NOT_FOUND,)
        elif status not in FINISHED:
            expect = (BAD_REQUEST,)  # only a finished job can be deleted
        else:
            expect = ()
        response = self.call("DeleteJob", expect=expect, appId=app, branchName=name, jobId=job_id)
        if model is not None:
            self.touch(app, name)
        if response is not None:
            assert model is not None
            assert response["jobSummary"]["jobId"] == job_id
            model.jobs.discard(int(job_id))
            model.deployments.discard(int(job_id))

    @rule(job=jobs)
    def get_job(self, job: Job) -> None:
        app, name, job_id = job
        model = self.branch_model(app, name)
        known = model is not None and int(job_id) in model.jobs
        response = self.call(
            "GetJob",
            expect=() if known else (NOT_FOUND,),
            appId=app,
            branchName=name,
            jobId=job_id,
        )
        if model is not None:
            self.touch(app, name)
        if response is not None:
            got = response["job"]
            now = {j["jobId"]: j for j in self.fake.history(app, name)}
            assert got["summary"] == now[job_id], "GetJob shows the job as ListJobs does"
            if got["summary"]["status"] not in FINISHED:
                assert got["steps"] == [], "steps appear when a job finishes"

    @rule(branch=branches, page_size=st.none() | st.integers(1, 2))
    def list_jobs(self, branch: tuple[str, str], page_size: int | None) -> None:
        app, name = branch
        model = self.branch_model(app, name)
        listed = self.list_all(
            "ListJobs",
            "jobSummaries",
            page_size=page_size,
            expect=() if model else (missing("ListJobs"),),
            appId=app,
            branchName=name,
        )
        if listed is not None:
            assert model is not None
            assert [int(j["jobId"]) for j in listed] == sorted(model.jobs, reverse=True)
            self.touch(app, name)

    @rule(target=jobs, branch=branches, files=st.booleans(), data=st.data())
    def create_deployment(self, branch: tuple[str, str], files: bool, data: st.DataObject) -> Any:
        app, name = self.prefer(data, branch, lambda: self.live_branches(manual=True))
        model = self.branch_model(app, name)
        problems: set[str] = set()
        if model is None:
            problems.add(missing("CreateDeployment"))
        else:
            if not self.apps_model[app].manual:
                problems.add(BAD_REQUEST)  # amplify-cli#4837: connected to a repository
            now = self.statuses(app, name)
            # amplify-backend#1528: the newest job unfinished, whatever made it
            if now and now[max(now)] not in FINISHED:
                problems.add(BAD_REQUEST)  # amplify-backend#1528: the last one unfinished
        params: dict[str, Any] = {"appId": app, "branchName": name}
        if files:
            params["fileMap"] = {"index.html": "0" * 32}
        response = self.call("CreateDeployment", expect=problems, **params)
        if model is not None:
            self.touch(app, name)
        if response is None:
            return multiple()
        assert model is not None
        assert set(response.get("fileUploadUrls", {})) == ({"index.html"} if files else set())
        model.deployments.add(model.next_id)
        self.new_job_id(app, name, model, response["jobId"])
        return (app, name, response["jobId"])

    @rule(
        target=jobs,
        branch=branches,
        source=st.sampled_from(["jobId", "sourceUrl", "jobId", "sourceUrl", "neither"]),
        data=st.data(),
    )
    def start_deployment(self, branch: tuple[str, str], source: str, data: st.DataObject) -> Any:
        app, name = self.prefer(data, branch, lambda: self.live_branches(manual=True))
        model = self.branch_model(app, name)
        params: dict[str, Any] = {"appId": app, "branchName": name}
        job_id = None
        if source == "jobId":  # a deployment of the branch, another job, an unknown one
            choices = [*sorted(model.deployments)[-2:], *sorted(model.jobs)[:1]] if model else []
            job_id = data.draw(st.sampled_from([*choices, 999]), label="jobId")
            params["jobId"] = str(job_id)
        elif source == "sourceUrl":
            params["sourceUrl"] = "s3://bucket/site.zip"
            params["sourceUrlType"] = "ZIP"
        problems: set[str] = set()
        before: dict[int, str] = {}
        if model is None:
            problems.add(NOT_FOUND)
        else:
            before = self.statuses(app, name)
            if not self.apps_model[app].manual:
                problems.add(BAD_REQUEST)  # amplify-cli#4837
            if source == "neither":
                problems.add(BAD_REQUEST)  # amplify-backend#1528
            elif job_id is not None and job_id not in model.deployments:
                problems.add(NOT_FOUND)
            elif job_id is not None and before[job_id] != "CREATED":
                problems.add(BAD_REQUEST)  # a deployment is started once
            # the newest job unfinished holds the branch (#1528)
            elif job_id is None and before and before[max(before)] not in FINISHED:
                problems.add(BAD_REQUEST)  # a created deployment holds the branch (#1528)
        response = self.call("StartDeployment", expect=problems, **params)
        if model is not None:
            self.touch(app, name)
        if response is None:
            return multiple()
        assert model is not None
        summary = response["jobSummary"]
        assert summary["status"] == "PENDING"
        if job_id is not None:
            assert summary["jobId"] == str(job_id)
            return multiple()
        self.new_job_id(app, name, model, summary["jobId"])
        return (app, name, summary["jobId"])

    # -------------------------------------------------------------------------- artifacts

    @rule(target=artifacts, job=jobs)
    def list_artifacts(self, job: Job) -> Any:
        return multiple(*self.artifacts_of(job))

    def artifacts_of(self, job: Job) -> list[str]:
        """ListArtifacts of a job, every page: the ids of its artifacts."""
        app, name, job_id = job
        model = self.branch_model(app, name)
        known = model is not None and int(job_id) in model.jobs
        listed = self.list_all(
            "ListArtifacts",
            "artifacts",
            expect=() if known else (missing("ListArtifacts"),),
            appId=app,
            branchName=name,
            jobId=job_id,
        )
        if model is not None:
            self.touch(app, name)
        if not listed:
            return []
        assert model is not None and len(listed) == 1
        # Only a job that built has artifacts, so it has finished.
        assert self.statuses(app, name)[int(job_id)] in FINISHED
        artifact_id = listed[0]["artifactId"]
        self.artifact_model[artifact_id] = (app, name, int(job_id), model.generation)
        return [artifact_id]

    @rule(artifact=artifacts)
    def get_artifact_url(self, artifact: str) -> None:
        app, name, job_id, generation = self.artifact_model[artifact]
        model = self.branch_model(app, name)
        expect: tuple[str, ...] = (NOT_FOUND,)
        if model is not None and job_id in model.jobs:
            # A branch deleted and created again has a job of the same id and ARN, which
            # may have built too: the fake derives an artifact's id from its job's ARN.
            expect = () if model.generation == generation else (NOT_FOUND, OK)
        response = self.call("GetArtifactUrl", expect=expect, artifactId=artifact)
        if response is not None:
            assert response["artifactId"] == artifact

    # --------------------------------------------------------------------------- webhooks

    @rule(target=webhooks, branch=branches, description=st.none() | st.just("CI"))
    def create_webhook(self, branch: tuple[str, str], description: str | None) -> Any:
        app, name = branch
        model = self.branch_model(app, name)
        params: dict[str, Any] = {"appId": app, "branchName": name}
        if description is not None:
            params["description"] = description
        response = self.call("CreateWebhook", expect=() if model else (NOT_FOUND,), **params)
        if response is None:
            return multiple()
        hook = response["webhook"]
        assert hook["branchName"] == name and hook.get("description") == description
        self.webhook_model[hook["webhookId"]] = (app, name)
        self.arn_of[(app, "webhooks", hook["webhookId"])] = hook["webhookArn"]
        self.touch(app, None, HOOKS)
        return hook["webhookId"]

    @rule(webhook=webhooks)
    def get_webhook(self, webhook: str) -> None:
        owner = self.webhook_model.get(webhook)
        response = self.call("GetWebhook", expect=() if owner else (NOT_FOUND,), webhookId=webhook)
        if response is not None:
            assert owner is not None and response["webhook"]["branchName"] == owner[1]

    @rule(app=apps, page_size=st.none() | st.integers(1, 2))
    def list_webhooks(self, app: str, page_size: int | None) -> None:
        listed = self.list_all(
            HOOKS,
            "webhooks",
            page_size=page_size,
            expect=() if app in self.apps_model else (missing(HOOKS),),
            appId=app,
        )
        if listed is not None:
            self.check_webhooks(app, listed)

    @rule(
        webhook=webhooks,
        name=st.none() | st.sampled_from(BRANCH_NAMES),
        description=st.none() | st.just("moved"),
    )
    def update_webhook(self, webhook: str, name: str | None, description: str | None) -> None:
        owner = self.webhook_model.get(webhook)
        unknown = owner is None or (name is not None and not self.branch_model(owner[0], name))
        params: dict[str, Any] = {"webhookId": webhook}
        if name is not None:
            params["branchName"] = name
        if description is not None:
            params["description"] = description
        response = self.call("UpdateWebhook", expect=(NOT_FOUND,) if unknown else (), **params)
        if response is None:
            return
        assert owner is not None
        self.webhook_model[webhook] = (owner[0], name or owner[1])
        assert response["webhook"]["branchName"] == (name or owner[1])
        if description is not None:
            assert response["webhook"]["description"] == description
        self.touch(owner[0], None, HOOKS)

    @rule(webhook=webhooks)
    def delete_webhook(self, webhook: str) -> None:
        owner = self.webhook_model.get(webhook)
        response = self.call(
            "DeleteWebhook", expect=() if owner else (NOT_FOUND,), webhookId=webhook
        )
        if response is not None:
            assert owner is not None and response["webhook"]["webhookId"] == webhook
            del self.webhook_model[webhook]
            self.touch(owner[0], None, HOOKS)

    # ---------------------------------------------------------------- domain associations

    def bad_sub_domains(self, app: str, subs: SubDomains) -> bool:
        """Whether sub-domain settings break the service's rules: none at all, a prefix
        twice, a branch the app lacks (docs/operations.md)."""
        prefixes = [prefix for prefix, _ in subs]
        branches = self.apps_model[app].branches
        return (
            not subs
            or len(set(prefixes)) < len(prefixes)
            or any(b not in branches for _, b in subs)
        )

    def draw_sub_domains(self, app: str, data: st.DataObject) -> SubDomains:
        """Sub-domain settings, mostly of the app's branches (now and then one it lacks, a
        prefix twice, or none at all)."""
        model = self.apps_model.get(app)
        names = [*(model.branches if model else ())][:3] or ["main"]
        setting = st.tuples(st.sampled_from(PREFIXES), st.sampled_from([*names, *names, "nope"]))
        subs: SubDomains = data.draw(st.lists(setting, max_size=2), label="subDomainSettings")
        return subs

    @rule(target=domains, app=apps, domain=st.sampled_from(DOMAIN_NAMES), data=st.data())
    def create_domain_association(self, app: str, domain: str, data: st.DataObject) -> Any:
        subs = self.draw_sub_domains(app, data)
        model = self.apps_model.get(app)
        if model is None:
            expect: tuple[str, ...] = (NOT_FOUND,)
        elif any(domain in other.domains for other in self.apps_model.values()):
            expect = (BAD_REQUEST,)  # a domain name is associated once
        elif self.bad_sub_domains(app, subs):
            expect = (BAD_REQUEST,)
        else:
            expect = ()
        response = self.call(
            "CreateDomainAssociation",
            expect=expect,
            appId=app,
            domainName=domain,
            subDomainSettings=[{"prefix": p, "branchName": b} for p, b in subs],
        )
        if response is None:
            return multiple()
        assert model is not None
        got = response["domainAssociation"]
        assert got["domainStatus"] == "CREATING"  # as the service answers at first
        model.domains[domain] = list(subs)
        self.check_domain(app, got)
        self.touch(app, None, DOMAINS)
        return (app, domain)

    @rule(domain=domains)
    def get_domain_association(self, domain: tuple[str, str]) -> None:
        app, name = domain
        model = self.apps_model.get(app)
        known = model is not None and name in model.domains
        response = self.call(
            "GetDomainAssociation",
            expect=() if known else (NOT_FOUND,),
            appId=app,
            domainName=name,
        )
        if response is not None:
            self.check_domain(app, response["domainAssociation"])

    @rule(app=apps, page_size=st.none() | st.integers(1, 2))
    def list_domain_associations(self, app: str, page_size: int | None) -> None:
        listed = self.list_all(
            DOMAINS,
            "domainAssociations",
            page_size=page_size,
            expect=() if app in self.apps_model else (missing(DOMAINS),),
            appId=app,
        )
        if listed is not None:
            self.check_domains(app, listed)

    @rule(domain=domains, change=st.booleans(), auto=st.none() | st.booleans(), data=st.data())
    def update_domain_association(
        self, domain: tuple[str, str], change: bool, auto: bool | None, data: st.DataObject
    ) -> None:
        app, name = domain
        subs = self.draw_sub_domains(app, data) if change else None
        model = self.apps_model.get(app)
        params: dict[str, Any] = {"appId": app, "domainName": name}
        if subs is not None:
            params["subDomainSettings"] = [{"prefix": p, "branchName": b} for p, b in subs]
        if auto is not None:
            params["enableAutoSubDomain"] = auto
        if model is None or name not in model.domains:
            expect: tuple[str, ...] = (NOT_FOUND,)
        elif subs is not None and self.bad_sub_domains(app, subs):
            expect = (BAD_REQUEST,)
        else:
            expect = ()
        before = self.fake.domain_info(app, name)["domainStatus"] if not expect else None
        response = self.call("UpdateDomainAssociation", expect=expect, **params)
        if response is None:
            return
        assert model is not None
        got = response["domainAssociation"]
        changed = subs is not None and set(subs) != set(model.domains[name])
        if subs is not None:
            model.domains[name] = list(subs)
        # An available domain whose sub-domains change is UPDATING (docs/operations.md).
        updating = changed and before == "AVAILABLE"
        assert got["domainStatus"] == ("UPDATING" if updating else before)
        if auto is not None:
            assert got["enableAutoSubDomain"] is auto
        self.check_domain(app, got)
        self.touch(app, None, DOMAINS)

    @rule(domain=domains)
    def delete_domain_association(self, domain: tuple[str, str]) -> None:
        app, name = domain
        model = self.apps_model.get(app)
        known = model is not None and name in model.domains
        response = self.call(
            "DeleteDomainAssociation",
            expect=() if known else (NOT_FOUND,),
            appId=app,
            domainName=name,
        )
        if response is not None:
            assert model is not None
            assert response["domainAssociation"]["domainName"] == name
            del model.domains[name]
            self.touch(app, None, DOMAINS)

    @rule(app=apps, domain=st.sampled_from(DOMAIN_NAMES), backwards=st.booleans())
    def generate_access_logs(self, app: str, domain: str, backwards: bool) -> None:
        expect: tuple[str, ...] = ()
        if app not in self.apps_model:
            expect = (NOT_FOUND,)
        elif backwards:
            expect = (BAD_REQUEST,)  # startTime after endTime
        later = START + dt.timedelta(hours=6)
        start, end = (later, START) if backwards else (START, later)
        self.call(
            "GenerateAccessLogs",
            expect=expect,
            appId=app,
            domainName=domain,
            startTime=start,
            endTime=end,
        )

    # ----------------------------------------------------------------- backend environments

    @rule(
        target=backends,
        app=apps,
        name=st.sampled_from(ENV_NAMES),
        stack=st.none() | st.just("my-stack"),
    )
    def create_backend_environment(self, app: str, name: str, stack: str | None) -> Any:
        model = self.apps_model.get(app)
        if model is None:
            expect: tuple[str, ...] = (NOT_FOUND,)
        elif name in model.backends:
            expect = (BAD_REQUEST,)  # one environment of a name
        else:
            expect = ()
        params: dict[str, Any] = {"appId": app, "environmentName": name}
        if stack is not None:
            params["stackName"] = stack
        response = self.call("CreateBackendEnvironment", expect=expect, **params)
        if response is None:
            return multiple()
        assert model is not None
        env = response["backendEnvironment"]
        assert env["environmentName"] == name
        if stack is not None:
            assert env["stackName"] == stack
        model.backends.append(name)
        self.touch(app, None, ENVS)
        return (app, name)

    @rule(backend=backends)
    def get_backend_environment(self, backend: tuple[str, str]) -> None:
        app, name = backend
        model = self.apps_model.get(app)
        known = model is not None and name in model.backends
        response = self.call(
            "GetBackendEnvironment",
            expect=() if known else (NOT_FOUND,),
            appId=app,
            environmentName=name,
        )
        if response is not None:
            assert response["backendEnvironment"]["environmentName"] == name

    @rule(
        app=apps,
        only=st.none() | st.sampled_from(ENV_NAMES),
        page_size=st.none() | st.integers(1, 2),
    )
    def list_backend_environments(self, app: str, only: str | None, page_size: int | None) -> None:
        model = self.apps_model.get(app)
        params: dict[str, Any] = {"appId": app}
        if only is not None:
            params["environmentName"] = only
        listed = self.list_all(
            ENVS,
            "backendEnvironments",
            page_size=page_size,
            expect=() if model else (missing(ENVS),),
            **params,
        )
        if listed is not None:
            assert model is not None
            expected = [n for n in model.backends if only in (None, n)]
            assert [e["environmentName"] for e in listed] == expected

    @rule(backend=backends)
    def delete_backend_environment(self, backend: tuple[str, str]) -> None:
        app, name = backend
        model = self.apps_model.get(app)
        known = model is not None and name in model.backends
        response = self.call(
            "DeleteBackendEnvironment",
            expect=() if known else (NOT_FOUND,),
            appId=app,
            environmentName=name,
        )
        if response is not None:
            assert model is not None
            assert response["backendEnvironment"]["environmentName"] == name
            model.backends.remove(name)
            self.touch(app, None, ENVS)

    # ------------------------------------------------------------------------------- tags

    @rule(target=arns, app=apps)
    def arn_of_app(self, app: str) -> str:
        return self.arn_of[(app,)]

    @rule(target=arns, branch=branches)
    def arn_of_branch(self, branch: tuple[str, str]) -> str:
        return self.arn_of[branch]

    @rule(target=arns, webhook=webhooks)
    def arn_of_webhook(self, webhook: str) -> str:
        # Only apps and branches take tags (docs/operations.md): a webhook's is another ARN.
        (arn,) = [arn for key, arn in self.arn_of.items() if key[-1] == webhook]
        return arn

    @rule(
        arn=arns,
        tags=st.dictionaries(st.sampled_from(TAG_KEYS), st.sampled_from(["1", "2"]), min_size=1)
        | st.just({f"bulk{i}": "x" for i in range(50)}),
    )
    def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        held = self.taggable().get(arn)
        if held is None:
            expect: tuple[str, ...] = (NO_RESOURCE,)
        elif len({**held, **tags}) > 50:
            expect = (BAD_REQUEST,)  # at most 50 tags per resource
        else:
            expect = ()
        if self.call("TagResource", expect=expect, resourceArn=arn, tags=tags) is not None:
            assert held is not None
            held.update(tags)
        self.dirty_arns.add(arn)

    @rule(arn=arns, keys=st.lists(st.sampled_from([*TAG_KEYS, "bulk0"]), min_size=1, max_size=3))
    def untag_resource(self, arn: str, keys: list[str]) -> None:
        held = self.taggable().get(arn)
        response = self.call(
            "UntagResource",
            expect=() if held is not None else (NO_RESOURCE,),
            resourceArn=arn,
            tagKeys=keys,
        )
        if response is not None:
            assert held is not None
            for key in keys:
                held.pop(key, None)
        self.dirty_arns.add(arn)

    @rule(arn=arns)
    def list_tags_for_resource(self, arn: str) -> None:
        held = self.taggable().get(arn)
        response = self.call(
            "ListTagsForResource",
            expect=() if held is not None else (NO_RESOURCE,),
            resourceArn=arn,
        )
        if response is not None:
            assert response["tags"] == held

    # ------------------------------------------------------------------- invalid requests

    @rule(case=st.sampled_from(UNKNOWN_CALLS))
    def something_unknown(self, case: tuple[str, dict[str, Any]]) -> None:
        """An app, branch, job, artifact, webhook, domain, environment or ARN that never
        existed: NotFoundException where the operation models it, else the 400."""
        operation, params = case
        self.call(operation, expect=(missing(operation),), **params)

    @rule(case=st.sampled_from(REFUSED_BY_THE_MODEL))
    def refused_by_the_model(self, case: tuple[str, dict[str, Any]]) -> None:
        operation, params = case
        if self.pending(operation):
            return  # whether a fault or the request's validation answers first is undocumented
        self.call(operation, expect=(BAD_REQUEST,), reaches=False, **params)

    @rule(case=st.sampled_from(REFUSED_BY_BOTOCORE))
    def refused_by_botocore(self, case: tuple[str, dict[str, Any]]) -> None:
        """Refused before sending: client-side, nothing reaches the fake."""
        operation, params = case
        sent = len(self.fake.requests)
        with pytest.raises(ParamValidationError):
            getattr(self.c, xform_name(operation))(**params)
        assert len(self.fake.requests) == sent

    @rule(app=apps, operation=st.sampled_from(["ListApps", "ListBranches", "ListWebhooks"]))
    def made_up_token(self, app: str, operation: str) -> None:
        """A token the fake never issued is refused (an unknown app too: these listings model
        no NotFoundException)."""
        params = {} if operation == "ListApps" else {"appId": app}
        self.call(operation, expect=(BAD_REQUEST,), nextToken="bm90LWEtdG9rZW4=", **params)

    # ------------------------------------------------------------------ scripted job moves

    @rule(
        job=jobs,
        status=st.sampled_from(JOB_STATUSES),
        after=st.integers(0, 2),
        fault=st.none() | st.integers(0, 2),
    )
    def advance_job(self, job: Job, status: str, after: int, fault: int | None) -> None:
        """``advance(job, status, after_calls=N)``: N calls on its branch see the old
        status, call N+1 the new one (GetJob calls here). ``fault``: one of those calls is
        answered by an injected fault, and counts all the same (ARCHITECTURE.md)."""
        app, name, job_id = job
        model = self.branch_model(app, name)
        if model is None or int(job_id) not in model.jobs:
            return
        history = self.fake.history(app, name)
        target = next(j for j in history if j["jobId"] == job_id)
        try:
            self.fake.advance(target, status, after_calls=after)
        except ValueError as error:
            assert any(
                reason in str(error)
                for reason in ("cannot go from", "one build at a time", "queue oldest first")
            ), error
            return
        others = [j for j in history if j["jobId"] != job_id]
        if any(j["status"] not in FINISHED for j in others) or int(job_id) != max(model.jobs):
            model.tainted.add("advance() of a job beside unfinished or newer jobs")
        self.touch(app, name)
        if fault is not None:
            self.arm("GetJob", "InternalFailureException", fault, 1)
        where = {"appId": app, "branchName": name, "jobId": job_id}
        for seen in range(after + 1):
            response = self.call("GetJob", **where)
            if response is not None:
                got = response["job"]["summary"]["status"]
                want = target["status"] if seen < after else status
                assert got == want, f"call {seen + 1} after advance(after_calls={after})"
        final = self.settle("GetJob", **where)["job"]["summary"]
        assert final["status"] == status
        assert ("endTime" in final) == (status in FINISHED)

    @rule(target=jobs, branch=branches, status=st.sampled_from(("PENDING", *BUILDING[:2])))
    def add_job(self, branch: tuple[str, str], status: str) -> Any:
        app, name = branch
        model = self.branch_model(app, name)
        if model is None:
            return multiple()
        before = self.statuses(app, name)
        try:
            job = self.fake.add_job(app, name, status)
        except ValueError as error:
            if "queue oldest first" in str(error):  # one queue: an older job waits in it
                assert any(s in QUEUED for s in before.values()), error
            else:
                assert "one build at a time" in str(error), error
                assert any(s in BUILDING for s in before.values()), error
            return multiple()
        if status in QUEUED or any(s not in FINISHED for s in before.values()):
            model.tainted.add("add_job() of a job that never moves by itself")
        self.new_job_id(app, name, model, job["jobId"])
        return (app, name, job["jobId"])

    @rule(to=st.sampled_from(["SUCCEED", "FAILED", "CANCELLED", None]), provisioning=st.booleans())
    def auto_advance(self, to: str | None, provisioning: bool) -> None:
        self.fake.auto_advance(to=to, provisioning=provisioning)

    # --------------------------------------------------------------- scripted domain moves

    @rule(
        domain=domains,
        status=st.sampled_from(DOMAIN_STATUSES),
        after=st.integers(0, 2),
        fault=st.none() | st.integers(0, 2),
    )
    def advance_domain(
        self, domain: tuple[str, str], status: str, after: int, fault: int | None
    ) -> None:
        """``advance_domain(..., after_calls=N)``, counted like jobs' moves: N calls on the
        domain see the old status, call N+1 the new one; a faulted call counts too."""
        app, name = domain
        model = self.apps_model.get(app)
        if model is None or name not in model.domains:
            return
        old = self.fake.domain_info(app, name)["domainStatus"]
        try:
            self.fake.advance_domain(app, name, status, after_calls=after)
        except ValueError as error:
            assert "cannot go from" in str(error), error
            return
        self.touch(app, None, DOMAINS)
        if fault is not None:
            self.arm("GetDomainAssociation", "InternalFailureException", fault, 1)
        where = {"appId": app, "domainName": name}
        seen = 0
        while seen <= after:
            response = self.call("GetDomainAssociation", **where)
            seen += 1
            if response is not None:
                got = response["domainAssociation"]["domainStatus"]
                want = old if seen <= after else status
                assert got == want, f"call {seen} after advance_domain(after_calls={after})"
        got = self.settle("GetDomainAssociation", **where)["domainAssociation"]
        assert got["domainStatus"] == status
        assert ("statusReason" in got) == (status == "FAILED")

    @rule(on=st.booleans())
    def auto_verify_domains(self, on: bool) -> None:
        self.fake.auto_verify_domains(on)

    # ---------------------------------------------------------------------------- faults

    def can_arm(self, operation: str, after: int, times: int) -> bool:
        """Whether a fault may be armed: none of its calls may be another fault's (which of
        two due faults answers is not documented)."""
        armed = [f for f in self.faults if f.operation == operation]
        return all(after + times <= f.after or f.after + f.times <= after for f in armed)

    def arm(
        self, operation: str, code: str, after: int, times: int, *, throttle: bool = False
    ) -> None:
        """Tell the fake to inject a fault (if the machine may: see ``can_arm``)."""
        if not self.can_arm(operation, after, times):
            return
        if throttle:
            self.fake.throttle(times, after_calls=after, operation=operation)
        else:
            self.fake.fail(code, times, after_calls=after, operation=operation)
        self.faults.append(ArmedFault(operation, code, after, times, throttle))

    @rule(operation=st.sampled_from(OPERATIONS), sooner=st.booleans(), data=st.data())
    def inject_fault(self, operation: str, sooner: bool, data: st.DataObject) -> None:
        """``fail(code, times, after_calls=N, operation=...)``; ``sooner``: then another
        fault of the operation, due before the first one (each counts its own calls)."""
        armed = sorted({f.operation for f in self.faults})
        if armed and data.draw(st.booleans(), label="on an operation already faulted"):
            operation = data.draw(st.sampled_from(armed), label="operation")
        codes = st.sampled_from(sorted(MODEL_ERRORS[operation]))
        after = data.draw(st.integers(0, 2), label="after_calls")
        self.arm(operation, data.draw(codes, label="code"), after, data.draw(st.integers(1, 2)))
        if sooner and after > 0:
            self.arm(operation, data.draw(codes, label="sooner code"), 0, 1)

    @rule(operation=st.sampled_from(OPERATIONS), after=st.integers(0, 2))
    def throttle(self, operation: str, after: int) -> None:
        self.arm(operation, BAD_REQUEST, after, 1, throttle=True)

    @precondition(lambda self: not self.pending("GetApp"))
    @rule(app=apps)
    def retried_500(self, app: str) -> None:
        """botocore retries the service's 500 by itself: its second attempt is answered."""
        self.fake.fail("InternalFailureException", operation="GetApp")
        known = app in self.apps_model
        response = self.call(
            "GetApp",
            expect=() if known else (NOT_FOUND,),
            client=_client(retries=True),
            appId=app,
        )
        if response is not None:
            assert response["ResponseMetadata"]["RetryAttempts"] == 1
        first, second = self.fake.requests[-2:]
        assert first.status == MODEL_ERRORS["GetApp"]["InternalFailureException"]
        assert (first.operation, second.operation) == ("GetApp", "GetApp")

    # ------------------------------------------------------------------------ invariants

    @invariant()
    def the_store_is_coherent(self) -> None:
        """Every app (one listing), and in full whatever the step touched."""
        apps = self.list_all("ListApps", "apps")
        assert apps is not None
        assert [a["appId"] for a in apps] == list(self.apps_model)
        for app in apps:
            self.check_app(app)
        self.dirty["ListBranches"] |= {app_id for app_id, _ in self.dirty_branches}
        views = {}
        for listing, app_ids in self.dirty.items():
            for app_id in sorted(app_ids & set(self.apps_model)):
                listed = self.list_all(listing, LISTINGS[listing], appId=app_id)
                assert listed is not None
                self.check_listing(listing, app_id, listed)
                if listing == "ListBranches":
                    views.update({(app_id, b["branchName"]): b for b in listed})
        for app_id, name in sorted(self.dirty_branches):
            if self.branch_model(app_id, name) is not None:
                self.check_jobs(app_id, name, views[(app_id, name)])
        taggable = self.taggable()
        for arn in sorted(self.dirty_arns):
            held = taggable.get(arn)
            response = self.settle(
                "ListTagsForResource",
                expect=() if held is not None else (NO_RESOURCE,),
                resourceArn=arn,
            )
            if response is not None:
                assert response["tags"] == held, "tags round-trip"
        self.dirty_branches.clear()
        self.dirty_arns.clear()
        for app_ids in self.dirty.values():
            app_ids.clear()

    def check_listing(self, listing: str, app_id: str, listed: list[dict[str, Any]]) -> None:
        model = self.apps_model[app_id]
        if listing == "ListBranches":
            assert [b["branchName"] for b in listed] == list(model.branches)
            for branch in listed:
                self.check_branch_view(app_id, branch)
        elif listing == HOOKS:
            self.check_webhooks(app_id, listed)
        elif listing == DOMAINS:
            self.check_domains(app_id, listed)
        else:
            assert [e["environmentName"] for e in listed] == model.backends

    def check_app(self, app: dict[str, Any]) -> None:
        model = self.apps_model[app["appId"]]
        assert app["appArn"] == model.arn and app["name"] == model.name
        assert app.get("tags", {}) == model.tags, "tags round-trip"
        # productionBranch: the first branch of stage PRODUCTION (docs/operations.md).
        production = next((n for n, b in model.branches.items() if b.stage == "PRODUCTION"), None)
        shown = app.get("productionBranch")
        assert (shown or {}).get("branchName") == production, (shown, production)
        if shown is not None and "status" in shown:
            assert shown["status"] in ("SUCCEED", "FAILED")

    def check_branch_view(self, app_id: str, branch: dict[str, Any]) -> None:
        """A Branch (GetBranch, ListBranches, UpdateBranch) against the shadow model."""
        model = self.apps_model[app_id].branches[branch["branchName"]]
        assert branch["branchArn"] == model.arn and branch["stage"] == model.stage
        assert branch.get("tags", {}) == model.tags, "tags round-trip"
        assert branch["totalNumberOfJobs"] == str(len(model.jobs))
        newest = str(max(model.jobs)).zfill(10) if model.jobs else None
        assert branch.get("activeJobId") == newest

    def check_jobs(self, app_id: str, name: str, view: dict[str, Any]) -> None:
        """The branch's view (its totalNumberOfJobs, activeJobId) agrees with every page of
        ListJobs, and the history is coherent. The view is ListBranches': GetBranch shows
        the same Branch (the get_branch rule compares it with the shadow model) but is an
        observing call, and two of them per step would end every started job at once."""
        model = self.apps_model[app_id].branches[name]
        where = {"appId": app_id, "branchName": name}
        jobs = self.list_all("ListJobs", "jobSummaries", **where)
        assert jobs is not None
        assert [int(j["jobId"]) for j in jobs] == sorted(model.jobs, reverse=True)
        assert view["totalNumberOfJobs"] == str(len(jobs))
        assert view.get("activeJobId") == (jobs[0]["jobId"].zfill(10) if jobs else None)
        assert sum(j["status"] in BUILDING for j in jobs) <= 1, "one build at a time"
        assert jobs == self.fake.history(app_id, name), "the fake's own view agrees"
        try:
            validate_job_history(jobs, app_id=app_id, branch_name=name)
        except IncoherentJobHistory as error:
            raise AssertionError(
                f"{error}\n(calls made on it: {sorted(model.tainted) or 'none'})"
            ) from error

    def check_webhooks(self, app_id: str, hooks: list[dict[str, Any]]) -> None:
        model = self.apps_model[app_id]
        mine = {w: b for w, (a, b) in self.webhook_model.items() if a == app_id}
        assert [h["webhookId"] for h in hooks] == list(mine)
        for hook in hooks:
            assert hook["branchName"] == mine[hook["webhookId"]]
            assert hook["branchName"] in model.branches, "a webhook's branch exists"

    def check_domains(self, app_id: str, domains: list[dict[str, Any]]) -> None:
        assert [d["domainName"] for d in domains] == list(self.apps_model[app_id].domains)
        for domain in domains:
            self.check_domain(app_id, domain)

    def check_domain(self, app_id: str, domain: dict[str, Any]) -> None:
        model = self.apps_model[app_id]
        subs = [
            (s["subDomainSetting"]["prefix"], s["subDomainSetting"]["branchName"])
            for s in domain["subDomains"]
        ]
        assert subs == model.domains[domain["domainName"]]
        assert all(branch in model.branches for _, branch in subs), "sub-domains' branches exist"
        if domain["domainStatus"] == "AVAILABLE":
            assert all(s["verified"] for s in domain["subDomains"])
        assert ("statusReason" in domain) == (domain["domainStatus"] == "FAILED")


# Sized for CI (a loaded 2-core machine, -n 4): about 10 s here; the deadline is the profile's.
AmplifyService.TestCase.settings = settings(
    max_examples=profile_examples(15), stateful_step_count=40
)
TestAmplifyService = pytest.mark.usefixtures("no_http")(AmplifyService.TestCase)


def test_the_machine_calls_every_operation() -> None:
    """Every operation of the model is called by the machine's rules or invariant, and with
    something unknown (a botocore release that adds one fails here until the machine calls
    it)."""
    import pathlib

    text = pathlib.Path(__file__).read_text(encoding="utf-8")
    source = text[text.index("class AmplifyService(") :]
    called = {name for name in OPERATIONS if f'"{name}"' in source} | set(LISTINGS)
    assert called == set(OPERATIONS), sorted(set(OPERATIONS) - called)
    assert {operation for operation, _ in UNKNOWN_CALLS} == set(OPERATIONS) - {
        "CreateApp",
        "ListApps",
    }

"""Generated responses for every job operation, coherent with the chains a test queues.

A :class:`ResponseScript` answers, at queue time, what the fake service would answer to the
calls a test queues, in that order: it holds the fake's own store (:mod:`._fake.state`), given
the branch of every chain queued so far, and answers each call through the fake's handlers
(:data:`._fake.wire.HANDLERS`). So GetJob of a job in the chain returns that very summary and
its steps, StartJob's job takes the next id on the branch (``PENDING``, behind a running build),
GetBranch counts the chain's jobs, and a started job moves one lifecycle step per GetJob, as in
the fake. Nothing here is written twice: the fake's rules are the script's rules.

Choices (the branch drawn when no chain names one, the store's seed) come from a seeded
``random.Random`` or from Hypothesis, so the strategy of :mod:`.strategies` shrinks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _generate, _model, _wire
from pytest_amplify_jobs._chain import ListJobsChain
from pytest_amplify_jobs._checks import check_bool, check_region, check_seed
from pytest_amplify_jobs._choices import RandomChoices
from pytest_amplify_jobs._coherence import Scenario
from pytest_amplify_jobs._expect import copy_response
from pytest_amplify_jobs._fake.errors import ServiceError
from pytest_amplify_jobs._fake.records import JobMeta
from pytest_amplify_jobs._fake.state import Store
from pytest_amplify_jobs._fake.tokens import JobsToken
from pytest_amplify_jobs._fake.wire import HANDLERS
from pytest_amplify_jobs._text import call_text, method_name, short_repr
from pytest_amplify_jobs._validate import InvalidRequest, request_violations

if TYPE_CHECKING:
    from pytest_amplify_jobs._choices import Choices

__all__ = ["OPERATIONS", "ResponseScript", "generate_response", "operation_of"]

#: Every operation a response can be generated (and queued) for: those the fake serves.
OPERATIONS: tuple[str, ...] = tuple(HANDLERS)
_BY_METHOD = {method_name(op): op for op in OPERATIONS}
# A job started in the script reaches its end in a few steps; a bound keeps a bug from looping.
_MAX_STEPS = 20
_DEFAULT_HISTORY = 10


# Operations that name something new: their names are made up, never drawn as existing.
_CREATES_ITS_OWN = frozenset({"CreateApp", "CreateBranch"})
# The kind of app (manual: True) an operation needs: the service refuses it on the other.
_NEEDS_KIND = {"CreateDeployment": True, "StartDeployment": True, "StartJob": False}
_KIND = {True: "manual", False: "repository"}


def _account_of(jobs: Any) -> str | None:
    """The account the jobs' ARNs name (None: no jobs)."""
    for job in jobs:
        return str(job["jobArn"]).split(":")[4]
    return None


def _members(operation: str) -> tuple[str, ...]:
    shape = _model.operation(operation).input_shape
    return tuple(shape.members) if shape is not None else ()


def operation_of(name: object, parameter: str = "operation_name") -> str:
    """The operation for ``"GetJob"`` or botocore's method name ``"get_job"``.

    >>> operation_of("get_job"), operation_of("StartJob")
    ('GetJob', 'StartJob')
    >>> operation_of("PutObject")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: operation_name='PutObject' is not an operation served here; allowed: ListJobs, GetJob, StartJob, ...
    """
    if not isinstance(name, str):
        raise TypeError(f"{parameter}={short_repr(name)} must be a string such as 'GetJob'")
    if name in OPERATIONS:
        return name
    if name in _BY_METHOD:
        return _BY_METHOD[name]
    raise ValueError(
        f"{parameter}={short_repr(name)} is not an operation served here; allowed: "
        f"{', '.join(OPERATIONS)} (or their method names: {method_name(OPERATIONS[0])}, ...)"
    )


def _check_params(params: object, parameter: str = "params") -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"{parameter}={short_repr(params)} must be a dict of request parameters")
    return dict(params)


def _check_final(to: object) -> str:
    finished = _model.model().finished_statuses
    if not isinstance(to, str) or to not in finished:
        raise ValueError(
            f"to={short_repr(to)} is not allowed; expected one of {', '.join(finished)}"
        )
    return to


class ResponseScript:
    """Responses for a sequence of Amplify calls, as the fake service would answer them.

    Give it the chains the code lists (:meth:`add_chain`), then ask for each call's response in
    the order the code makes the calls (:meth:`response`); :meth:`job_progress` answers the
    GetJob polls of a started job until it finishes. Parameters left out are filled from the
    latest chain (``appId``, ``branchName``), the job started last or the newest job
    (``jobId``), ``jobType='RELEASE'``. Every response is strictly valid, with
    ``ResponseMetadata``; the same seed and calls give the same responses.

    Responses depart from the model as the service's do (see ``departures()``: StartDeployment
    answers three members of its job, a manual deploy has no commit, an app or branch leaves
    out what was never set); ``model_complete=True`` answers with every member the model
    requires. The jobs of the chains added are served as they are, and a chain's app is of its
    jobs' kind: connected to a repository (StartJob) or deployed manually (CreateDeployment,
    StartDeployment); the service refuses the other calls, and so does the script. An app the
    script makes up is of the kind the call needs, else drawn (with its optional members:
    ``customRules``, ``buildSpec``, ``tags``...).

    >>> from pytest_amplify_jobs import generate_chain
    >>> chain = generate_chain(jobs=200, page_size=50, calls=1, seed=3, newest=["RUNNING"])
    >>> script = ResponseScript(chain, seed=3)
    >>> started = script.response("StartJob", {"jobType": "RELEASE"})["jobSummary"]
    >>> started["jobId"], started["status"], chain.jobs[0]["status"]
    ('201', 'PENDING', 'RUNNING')
    >>> # Job 200 was building: 201 waits one poll for it, then builds.
    >>> [r["job"]["summary"]["status"] for r in script.job_progress()]
    ['PENDING', 'RUNNING', 'SUCCEED']
    >>> script.response("GetBranch")["branch"]["totalNumberOfJobs"]
    '201'
    """

    def __init__(
        self,
        chain: ListJobsChain | None = None,
        *,
        seed: int = 0,
        region: str | None = None,
        model_complete: bool = False,
    ) -> None:
        if chain is not None and not isinstance(chain, ListJobsChain):
            raise TypeError(f"chain={short_repr(chain)} must be a ListJobsChain or None")
        check_seed(TypeError, seed)
        check_region(ValueError, region)
        check_bool(ValueError, "model_complete", model_complete)
        region = region or (chain.region if chain is not None else "us-east-1")
        self._init(RandomChoices(seed), seed, region, model_complete)
        if chain is not None:
            self.add_chain(chain)

    def _init(self, choices: Choices, seed: int, region: str, model_complete: bool) -> None:
        self._choices = choices
        self.store = Store(seed=seed, region=region)
        # The fake's own switch: its handlers then answer with every member the model requires.
        self.store.complete = model_complete
        self._branch: tuple[str, str] | None = None  # the latest branch named
        self._started: dict[tuple[str, str], str] = {}  # the latest job started per branch
        self._reserved: dict[tuple[str, str], str] = {}  # CreateDeployment's latest job id
        self._kinds: dict[str, str] = {}  # app id -> "manual" / "repository", once settled
        self._created = 0  # names made up for resources the script creates
        self._answered = 0

    @classmethod
    def drawn(
        cls, choices: Choices, region: str, *, model_complete: bool = False
    ) -> ResponseScript:
        """A script whose choices come from ``choices`` (Hypothesis: shrinkable)."""
        script = cls.__new__(cls)
        script._init(choices, choices.integer(0, _generate.FLAVOUR_MAX), region, model_complete)
        return script

    @property
    def model_complete(self) -> bool:
        """Whether responses hold every member the model requires (no departures)."""
        return self.store.complete

    # ------------------------------------------------------------------------- branches

    def add_chain(self, chain: ListJobsChain) -> None:
        """Serve ``chain``'s branch (its whole history) from now on; its tokens stay valid."""
        if not isinstance(chain, ListJobsChain):
            raise TypeError(f"chain={short_repr(chain)} must be a ListJobsChain")
        m = _model.model()
        key = (chain.app_id, chain.branch_name)
        with self.store.lock:
            manual = _generate.is_manual_history(chain.jobs)
            if chain.app_id not in self.store.apps and manual is not None:
                # The app is of its jobs' kind: a deployment on a repository's app (or a
                # build on a manual one) is refused, as the service refuses it.
                self._put_app(chain.app_id, manual, _account_of(chain.jobs))
            if manual is not None:
                self._kinds[chain.app_id] = _KIND[manual]
            self.store.put_branch(*key, [dict(job) for job in chain.jobs])
            generation = self.store.branches[key].generation
            for page in chain._raw_pages:
                summaries = page.get(m.result_key) or ()
                if m.output_token in page and summaries:
                    after = int(summaries[-1]["jobId"])
                    self.store.tokens.jobs[page[m.output_token]] = JobsToken(
                        *key, after, generation
                    )
        self._branch = key

    def _put_app(self, app_id: str | None, manual: bool | None, account: str | None) -> None:
        """A generated app of one kind (drawn when ``manual`` is None), as the fake's store
        makes its apps."""
        if manual is None:
            manual = _generate.draw_manual(self._choices)
        self.store.new_app(app_id, account, manual=manual)

    def _kind_for(self, operation: str, app_id: object) -> bool | None:
        """The kind an app must be for ``operation``: its own when the store has it, manual
        for a deployment, a repository's for StartJob; None: any (drawn)."""
        if isinstance(app_id, str) and app_id in self.store.apps:
            return self.store.is_manual(app_id)
        return _NEEDS_KIND.get(operation)

    def _draw_branch(self, operation: str, params: Mapping[str, Any]) -> None:
        """A finished history for a branch no chain named, fitting the job ``params`` name,
        of its app's kind (drawn for an app made up here)."""
        c = self._choices
        ctx = _generate.draw_context(
            c,
            app_id=params.get("appId"),
            branch_name=params.get("branchName"),
            region=self.store.region,
            realistic=True,
            complete=self.store.complete,
        )
        manual = self._kind_for(operation, ctx.app_id)
        if manual is None:
            manual = _generate.draw_manual(c)
        # A branch only described may be new, without jobs (and without activeJobId: the
        # service leaves it out, departure branch-unset-members); job calls need a job.
        least = 0 if operation in ("GetBranch", "ListBranches") else 1
        jobs = _generate.draw_history(
            c,
            ctx,
            min_size=least,
            max_size=_DEFAULT_HISTORY,
            finished_only=True,
            scenario=Scenario(job_types=_generate.kind_types(manual)),
        )
        named = params.get("jobId")
        stopping = operation == "StopJob"
        top = len(jobs)
        if named is not None and int(named) >= 1:
            # The named job is the newest (StopJob: a running build just above the history).
            top = int(named) - 1 if stopping else int(named)
            del jobs[top:]
            _generate.renumber(ctx, jobs, top)
        with self.store.lock:
            if ctx.app_id not in self.store.apps:
                self._put_app(ctx.app_id, manual, ctx.account)
            if jobs:
                self._kinds[ctx.app_id] = _KIND[manual]
            self.store.put_branch(ctx.app_id, ctx.branch_name, jobs)
            if stopping:
                self.store.jobs.add_job(
                    ctx.app_id, ctx.branch_name, "RUNNING", None, None, job_id=top + 1
                )
        self._branch = (ctx.app_id, ctx.branch_name)

    # ---------------------------------------------------------------------------- calls

    def _filled(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        shape = _model.operation(operation).input_shape
        members = shape.members if shape is not None else {}
        if operation == "ListApps" and not self.store.apps:
            self._draw_branch(operation, params)
        if "appId" in members and "appId" not in params:
            if self._branch is None:
                self._draw_branch(operation, params)
            assert self._branch is not None
            params["appId"] = self._branch[0]
        if "branchName" in members and "branchName" not in params:
            # UpdateWebhook names a branch but no app: the latest branch's app.
            app_id = params.get("appId", self._branch[0] if self._branch else "")
            known = [b for (a, b) in self.store.branches if a == app_id]
            if self._branch is not None and self._branch[0] == app_id:
                params["branchName"] = self._branch[1]
            elif known:
                params["branchName"] = known[0]
        key = (params.get("appId", ""), params.get("branchName", ""))
        if "branchName" in members and key not in self.store.branches:
            self._draw_branch(operation, params)
            assert self._branch is not None
            params.setdefault("branchName", self._branch[1])
            key = (params.get("appId", self._branch[0]), params["branchName"])
        elif "appId" in members and params["appId"] not in self.store.apps:
            self._put_app(params["appId"], self._kind_for(operation, None), None)
        if "jobType" in members and "jobType" not in params:
            params["jobType"] = "RELEASE"
        self._settle_kind(operation, params.get("appId"))
        if operation in ("GetJob", "StopJob", "DeleteJob") and "jobId" not in params:
            params["jobId"] = self._default_job(operation, key)
        if operation == "StartDeployment" and not {"jobId", "sourceUrl"} & set(params):
            reserved = self._reserved.get(key)
            if reserved is not None:
                params["jobId"] = reserved
            else:
                params["sourceUrl"] = f"s3://amplify-deploys-{key[0]}/deploy.zip"
        return params

    def _fresh(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """CreateApp and CreateBranch name what does not exist yet: a new app's name, a new
        branch of the latest (or a drawn) app."""
        self._created += 1
        if operation == "CreateApp":
            params.setdefault("name", f"generated-app-{self._created}")
            return params
        if "appId" not in params:
            if self._branch is None:
                self._draw_branch(operation, {})
            assert self._branch is not None
            params["appId"] = self._branch[0]
        elif params["appId"] not in self.store.apps:
            self._put_app(params["appId"], None, None)
        params.setdefault("branchName", f"feature/generated-{self._created}")
        return params

    def _prerequisites(self, operation: str, params: dict[str, Any]) -> None:
        """Create what the call names but the caller left out (a webhook, a domain, a backend
        environment, an artifact, a taggable ARN) through the fake's own handlers, so the
        response answers a call on something that exists."""
        store = self.store
        if "appId" not in params and (self._branch is None or not store.branches):
            self._draw_branch(operation, {})  # a call that names no app still needs one
        app_id = str(params.get("appId") or (self._branch[0] if self._branch else ""))
        branch = str(
            params.get("branchName") or next((b for (a, b) in store.branches if a == app_id), "")
        )

        def create(name: str, **given: Any) -> dict[str, Any]:
            return HANDLERS[name](store, {"appId": app_id, **given})

        if "webhookId" in _members(operation) and "webhookId" not in params:
            hook = create("CreateWebhook", branchName=branch)["webhook"]
            params["webhookId"] = hook["webhookId"]
        if "domainName" in _members(operation) and "domainName" not in params:
            self._created += 1
            name = f"example{self._created}.com"
            if operation != "CreateDomainAssociation":
                settings = [{"prefix": "www", "branchName": branch}]
                create("CreateDomainAssociation", domainName=name, subDomainSettings=settings)
            params["domainName"] = name
        if operation == "CreateDomainAssociation":
            params.setdefault("subDomainSettings", [{"prefix": "www", "branchName": branch}])
        if "environmentName" in _members(operation) and "environmentName" not in params:
            self._created += 1
            name = f"staging{self._created}"
            if operation != "CreateBackendEnvironment":
                create("CreateBackendEnvironment", environmentName=name)
            params["environmentName"] = name
        if operation == "GetArtifactUrl" and "artifactId" not in params:
            params["artifactId"] = self._some_artifact()
        if "resourceArn" in _members(operation) and "resourceArn" not in params:
            app = store.apps.get(app_id) or next(iter(store.apps.values()))
            params["resourceArn"] = app.arn
        if operation == "TagResource":
            params.setdefault("tags", {"team": "web"})
        if operation == "UntagResource":
            params.setdefault("tagKeys", ["team"])
        if operation == "ListArtifacts":
            job_id = str(params.get("jobId", ""))
            state = store.branches[(app_id, branch)]
            # A job that has not built has no artifacts: with a build queued or running on the
            # branch, none can succeed now, so the newest job answers (an empty list).
            params["jobId"] = self._built_job(app_id, branch, job_id) or (
                job_id if any(j["jobId"] == job_id for j in state.jobs) else state.jobs[0]["jobId"]
            )

    def _built_job(self, app_id: str, branch: str, job_id: str) -> str | None:
        """A job with a build's artifacts: the one named if it succeeded, else one that did,
        else a build that succeeds now; None when the branch has a build queued or running
        (one build at a time, oldest first)."""
        state = self.store.branches[(app_id, branch)]
        named = next((j for j in state.jobs if j["jobId"] == job_id), None)
        if named is not None and self.store.jobs.has_artifacts(state, named):
            return job_id
        built = next(
            (j["jobId"] for j in state.jobs if self.store.jobs.has_artifacts(state, j)), None
        )
        if built is not None:
            return str(built)
        try:
            job = self.store.jobs.add_job(app_id, branch, "RUNNING", "RELEASE", None, auto=False)
        except ValueError:  # another job is building or queued: nothing can build now
            return None
        self.store.lifecycle.set_status(state, job, "SUCCEED")
        return str(job["jobId"])

    def _some_artifact(self) -> str:
        """An artifact id: of a build on the response's branch, or (when that branch has a
        build queued or running) of a build on a branch of its own."""
        assert self._branch is not None
        app_id, branch = self._branch
        job_id = self._built_job(app_id, branch, "")
        if job_id is None:
            branch = "artifacts"
            if (app_id, branch) not in self.store.branches:
                HANDLERS["CreateBranch"](self.store, {"appId": app_id, "branchName": branch})
            job_id = self._built_job(app_id, branch, "")
        listed = HANDLERS["ListArtifacts"](
            self.store, {"appId": app_id, "branchName": branch, "jobId": job_id}
        )["artifacts"]
        return str(listed[0]["artifactId"]) if listed else "0"

    def _settle_kind(self, operation: str, app_id: str | None) -> None:
        """An app the script made up whose branches have no job yet takes the kind its first
        job-starting call needs: a deployment makes it a manual app (no repository), StartJob
        one connected to a repository; the service refuses the other calls on it from then
        on. An app with jobs is of their kind already."""
        if app_id is None or app_id in self._kinds:
            return
        app = self.store.apps.get(app_id)
        manual = _NEEDS_KIND.get(operation)
        if app is None or manual is None:
            return
        self._kinds[app_id] = _KIND[manual]
        if manual == app.manual:
            return
        if manual:
            if self.store.complete:
                app.members["repository"] = ""
            else:
                app.members.pop("repository", None)
                app.members.pop("environmentVariables", None)
        else:
            app.members["repository"] = f"https://github.com/example-org/{app.members['name']}"

    def _kind_hint(self, operation: str, params: Mapping[str, Any]) -> str:
        """Why an app refuses ``operation`` when its kind does, and how to ask for the other."""
        needed = _NEEDS_KIND.get(operation)
        app_id = params.get("appId")
        if needed is None or app_id not in self.store.apps:
            return ""
        manual = self.store.is_manual(str(app_id))
        if manual == needed:
            return ""
        kind = "deployed manually (no repository)" if manual else "connected to a repository"
        jobs = "manual deploys" if manual else "builds of its repository"
        return (
            f" App {app_id} is {kind}: its branches' jobs are {jobs}. For {operation}, "
            f"generate the chain with job_types={list(_generate.kind_types(needed))!r}."
        )

    def _default_job(self, operation: str, key: tuple[str, str]) -> str:
        m = _model.model()
        jobs = self.store.branches[key].jobs
        started = self._started.get(key)
        if operation != "DeleteJob" and started is not None:
            return started
        wanted = {
            "GetJob": m.statuses,
            "StopJob": m.queued_statuses + m.building_statuses,
            "DeleteJob": m.finished_statuses,
        }[operation]
        for job in jobs:
            if job["status"] in wanted:
                return str(job["jobId"])
        return str(jobs[0]["jobId"]) if jobs else "1"

    def response(
        self, operation_name: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The response to one call (``"GetJob"`` or ``"get_job"``), as the fake answers it.

        Raises ``ValueError`` when the service would answer with an error (a job that is not
        on the branch, StopJob of a finished job...): queue that error instead.
        """
        operation = operation_of(operation_name)
        from botocore.stub import ANY

        # The Stubber's ANY matches any value: the generated response picks one.
        given = {k: v for k, v in _check_params(params).items() if v is not ANY}
        # The values given are checked before anything is derived from them.
        violations = [v for v in request_violations(given, operation) if v.value is not None]
        if violations:
            raise InvalidRequest(violations, operation)
        if operation in _CREATES_ITS_OWN:
            params = self._fresh(operation, given)
        else:
            params = self._filled(operation, given)
            with self.store.lock:
                self._prerequisites(operation, params)
        violations = request_violations(params, operation)
        if violations:
            raise InvalidRequest(violations, operation)
        with self.store.lock:
            try:
                body = HANDLERS[operation](self.store, params)
            except ServiceError as error:
                raise ValueError(
                    f"{call_text(operation, params)} gets {error.code} from the service here: "
                    f"{error.message.rstrip('.')}.{self._kind_hint(operation, params)} Queue that error "
                    f"with add_client_error({operation!r}, {error.code!r}) instead, or name "
                    "another job or branch."
                ) from None
            response: dict[str, Any] = copy_response(body)
            self._answered += 1
            response["ResponseMetadata"] = _wire.response_metadata(
                _wire.request_id(self.store.seed * 7919 + 104729 + self._answered),
                self.store.now(),
            )
        key = (params.get("appId", ""), params.get("branchName", ""))
        if "branchName" in params:
            self._branch = key
        if operation in ("StartJob", "StartDeployment"):
            self._started[key] = response["jobSummary"]["jobId"]
        if operation == "CreateDeployment":
            self._reserved[key] = response["jobId"]
        elif operation == "StartDeployment" and self._reserved.get(key, "") == params.get("jobId"):
            del self._reserved[key]
        return response

    def learn(self, operation_name: str, response: Mapping[str, Any]) -> None:
        """Take in a hand-written response: a job a StartJob / StartDeployment response
        started on a branch the script serves is followed by later responses (moving as a
        started job)."""
        operation = operation_of(operation_name)
        summary = response.get("jobSummary")
        if operation not in ("StartJob", "StartDeployment") or not isinstance(summary, Mapping):
            return
        arn = str(summary.get("jobArn", ""))
        for key, branch in self.store.branches.items():
            if f"apps/{key[0]}/branches/{key[1]}/jobs/" in arn:
                job = copy_response(dict(summary))
                # The service answers StartJob and StartDeployment without startTime
                # (departures start-job-summary, start-deployment-summary): it starts now.
                job.setdefault("startTime", self.store.now())
                branch.jobs = sorted([*branch.jobs, job], key=lambda j: -int(j["jobId"]))
                branch.next_id = max(branch.next_id, int(job["jobId"]) + 1)
                branch.meta[job["jobId"]] = JobMeta(auto=True)
                self._started[key] = job["jobId"]

    def job_progress(
        self,
        job_id: str | None = None,
        *,
        app_id: str | None = None,
        branch_name: str | None = None,
        to: str = "SUCCEED",
    ) -> list[dict[str, Any]]:
        """The GetJob responses of a code polling a job until it finishes, one per poll.

        ``job_id`` defaults to the job started last on the branch (else its newest job). Each
        poll moves the job one lifecycle step, as the fake does: ``PENDING`` jobs start once
        the build ahead of them ends (that build finishes first, the same way), then
        ``PROVISIONING``, ``RUNNING`` and ``to`` (``SUCCEED``, ``FAILED``, or ``CANCELLED``
        through ``CANCELLING``). The last response shows the finished job with its steps.
        """
        final = _check_final(to)
        params: dict[str, Any] = {"appId": app_id, "branchName": branch_name, "jobId": job_id}
        for name, value in params.items():
            if value is not None and not isinstance(value, str):
                raise TypeError(f"{name}={short_repr(value)} must be a string or None")
        params = self._filled("GetJob", {k: v for k, v in params.items() if v is not None})
        key = (params["appId"], params["branchName"])
        m = _model.model()
        with self.store.lock:
            branch = self.store.branches[key]
            job = next((j for j in branch.jobs if j["jobId"] == params["jobId"]), None)
            if job is None:
                raise ValueError(
                    f"job_id={params['jobId']!r} is not a job of {key[0]}/{key[1]}; its jobs: "
                    f"{', '.join(j['jobId'] for j in branch.jobs[:10]) or 'none'}"
                )
            # The job and every job in flight ahead of it move by themselves from now on.
            for other in branch.jobs:
                if other["status"] not in m.finished_statuses and int(other["jobId"]) <= int(
                    job["jobId"]
                ):
                    branch.job_meta(other["jobId"]).auto = True
            lifecycle = self.store.lifecycle
            saved, lifecycle.auto_final = lifecycle.auto_final, final
        try:
            out = []
            for _ in range(_MAX_STEPS):
                response = self.response("GetJob", params)
                out.append(response)
                if response["job"]["summary"]["status"] in m.finished_statuses:
                    return out
            raise ValueError(  # pragma: no cover - the lifecycle ends in a few steps
                f"job {params['jobId']} did not finish in {_MAX_STEPS} polls"
            )
        finally:
            lifecycle.auto_final = saved


def generate_response(
    operation_name: str,
    params: Mapping[str, Any] | None = None,
    *,
    chain: ListJobsChain | None = None,
    seed: int = 0,
    region: str | None = None,
    model_complete: bool = False,
) -> dict[str, Any]:
    """One strictly valid response of ``operation_name`` to a call with ``params``, seeded.

    Coherent with ``chain`` when given (its branch, its whole history): GetJob of one of its
    jobs returns that very summary plus steps that fit its times, StartJob takes the next id,
    GetBranch's ``activeJobId`` and ``totalNumberOfJobs`` agree. Parameters left out are
    filled in (see :class:`ResponseScript`, which answers a whole sequence of calls).
    It departs from the model as the service does (see ``departures()``);
    ``model_complete=True`` answers with every member the model requires.

    >>> from pytest_amplify_jobs import generate_chain
    >>> chain = generate_chain(jobs=30, seed=1)
    >>> job = generate_response("GetJob", {"jobId": "12"}, chain=chain)["job"]
    >>> job["summary"] == chain.jobs[30 - 12], [s["stepName"] for s in job["steps"]][:1]
    (True, ['BUILD'])
    >>> generate_response("GetApp", {"appId": "d1abc"})["app"]["defaultDomain"]
    'd1abc.amplifyapp.com'
    """
    script = ResponseScript(chain, seed=seed, region=region, model_complete=model_complete)
    return script.response(operation_name, params)


def build_response(
    c: Choices,
    operation: str,
    params: Mapping[str, Any] | None,
    chain: ListJobsChain | None,
    *,
    model_complete: bool = False,
) -> dict[str, Any]:
    """:func:`generate_response` with choices from ``c`` (the strategy's generator)."""
    region = chain.region if chain is not None else "us-east-1"
    script = ResponseScript.drawn(c, region, model_complete=model_complete)
    if chain is not None:
        script.add_chain(chain)
    return script.response(operation, params)

"""``AmplifyFake``: the fake service as a mode, its public methods, retry sleeps and report."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pytest_amplify_jobs import _botocore, _generate, _model
from pytest_amplify_jobs._checks import (
    check_bool,
    check_int,
    check_region,
    check_request_value,
    check_seed,
)
from pytest_amplify_jobs._choices import RandomChoices
from pytest_amplify_jobs._coherence import check_scenario, validate_job_history
from pytest_amplify_jobs._fake.jobs import account_of_jobs, kind_job_types, kind_words
from pytest_amplify_jobs._fake.records import Arrival
from pytest_amplify_jobs._fake.resources import ResourcesFacade
from pytest_amplify_jobs._fake.state import Store
from pytest_amplify_jobs._fake.wire import (
    FakeRequest,
    NotServed,
    answer,
    served_operations,
)
from pytest_amplify_jobs._options import MAX_JOBS
from pytest_amplify_jobs._routing import Mode, RefusedCall, is_active, refused
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._validate import InvalidListJobsResponse, response_violations
from pytest_amplify_jobs._world import AmplifyWorld

if TYPE_CHECKING:
    from pytest_amplify_jobs._fake.files import LocalFiles, Upload
    from pytest_amplify_jobs._fake.server import FakeServer
    from pytest_amplify_jobs._types import JobSummary

#: The kinds of app: connected to a repository (builds), or deployed manually (no repository).
APP_KINDS = ("repository", "manual")

#: The environment variable botocore (and the AWS CLI, and other SDKs) read for Amplify's URL.
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_AMPLIFY"

__all__ = ["AmplifyFake", "AmplifyFakeError", "fake_amplify"]


class AmplifyFakeError(RefusedCall, AssertionError):
    """A call the fake cannot answer like the service would (it never reaches the network).

    Raised as a botocore ``UnStubbedResponseError`` too, like every refusal."""


class AmplifyFake(Mode, ResourcesFacade):
    """A stateful, thread-safe ListJobs service for every Amplify client in the process.

    It reads the real HTTP request (method, path with appId and branchName, query string with
    nextToken and maxResults), keeps branch histories as state, and returns the JSON body and
    headers Amplify would send; botocore's own parser and retry handler run for real.

    >>> import botocore.session
    >>> with fake_amplify() as fake:
    ...     history = fake.add_branch(app_id="d1abc", branch_name="main", jobs=120)
    ...     client = botocore.session.get_session().create_client(
    ...         "amplify", region_name="us-east-1",
    ...         aws_access_key_id="any", aws_secret_access_key="any",
    ...     )
    ...     pages = client.get_paginator("list_jobs").paginate(appId="d1abc", branchName="main")
    ...     jobs = [job for page in pages for job in page["jobSummaries"]]
    >>> jobs == history, len(fake.requests)
    (True, 3)
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        keep_retry_delays: bool = False,
        region: str = "us-east-1",
        model_complete: bool = False,
    ) -> None:
        check_seed(ValueError, seed)
        check_bool(ValueError, "keep_retry_delays", keep_retry_delays)
        check_bool(ValueError, "model_complete", model_complete)
        check_region(ValueError, region, none_ok=False)
        self.seed = seed
        self.region = region
        self.keep_retry_delays = keep_retry_delays
        self.model_complete = model_complete
        self._store = Store(seed=seed, region=region)
        self._store.complete = model_complete
        self._store.url_for = self._file_url
        self._files: LocalFiles | None = None
        self._uploads: list[Upload] = []
        self._lock = self._store.lock
        self._requests: list[FakeRequest] = []
        self._backoffs: list[float] = []
        self._server: FakeServer | None = None
        self._saved_endpoint: str | None = None

    # ---------------------------------------------------------------------------------- state

    @property
    def requests(self) -> list[FakeRequest]:
        """Every request answered so far, in order (retries included)."""
        with self._lock:
            return list(self._requests)

    @property
    def backoffs(self) -> list[float]:
        """The retry delays botocore asked for (slept as zero unless ``keep_retry_delays``)."""
        with self._lock:
            return list(self._backoffs)

    def add_branch(
        self,
        app_id: str | None = None,
        branch_name: str | None = None,
        jobs: int | Sequence[JobSummary] | Sequence[Mapping[str, Any]] = 20,
        seed: int | None = None,
        *,
        finished: bool = False,
        statuses: Sequence[str] | None = None,
        newest: Sequence[str] | None = None,
        job_types: Sequence[str] | None = None,
        stage: str | None = None,
    ) -> list[JobSummary]:
        """Serve a branch: ``jobs`` generated and coherent when a count, else the given
        summaries (newest first, validated with the service's recorded departures allowed as
        their rows describe, and coherent: the fake's lifecycle relies
        on it, so an incoherent history raises
        :class:`~pytest_amplify_jobs.IncoherentJobHistory`). Returns the history served
        (copies).

        ``finished=True`` generates a settled branch (no job queued or building), ready for
        ``add_job``. ``statuses``, ``newest`` and ``job_types`` pin a generated history as in
        ``generate_chain`` (``newest=["PENDING", "RUNNING"]``: a build running with a job
        queued behind it). Adding a branch again replaces its history and makes its tokens stale.
        The app is created (generated, see :meth:`add_app`) when the fake has none of that id;
        its jobs' ARNs name the app's account.

        ``stage`` is one of the model's stages; without one, the branch is as the service
        reports a branch created without a stage: ``stage`` ``"NONE"`` (not in the model's
        enum), and no ``environmentVariables`` or ``framework`` (with ``model_complete``: the
        stage its name suggests).
        """
        stages = _model.operation("CreateBranch").input_shape.members["stage"].enum  # type: ignore[union-attr]
        if stage is not None and stage not in stages:
            raise ValueError(
                f"stage={short_repr(stage)} is not a stage; allowed: {', '.join(stages)}, or None"
            )
        check_request_value(ValueError, "app_id", "appId", app_id)
        check_request_value(ValueError, "branch_name", "branchName", branch_name)
        if seed is not None:
            check_seed(ValueError, seed)
        check_bool(ValueError, "finished", finished)
        scenario = check_scenario(ValueError, statuses=statuses, newest=newest, job_types=job_types)
        store = self._store
        with self._lock:
            seed = seed if seed is not None else self.seed + store.branches_added
            store.branches_added += 1
            choices = RandomChoices(seed)
            ctx = _generate.draw_context(
                choices,
                app_id=app_id,
                branch_name=branch_name,
                region=self.region,
                realistic=True,
                complete=store.complete,
            )
            account = store.account_of_app(ctx.app_id)
            if account is not None:
                ctx = dataclasses.replace(ctx, account=account)
            if isinstance(jobs, int) and not isinstance(jobs, bool):
                check_int(ValueError, "jobs", jobs, 0, MAX_JOBS)
                if scenario.job_types is None or ctx.app_id in store.apps:
                    # the jobs the app's kind makes (of those pinned)
                    made = kind_job_types(store.is_manual(ctx.app_id))
                    pinned = made if scenario.job_types is None else scenario.job_types
                    kept = [t for t in pinned if t in made]
                    if not kept:
                        raise ValueError(
                            f"job_types={short_repr(job_types)}: app {ctx.app_id} "
                            f"is {kind_words(store.is_manual(ctx.app_id))} makes none of them; "
                            f"allowed: {', '.join(made)}"
                        )
                    scenario = check_scenario(
                        ValueError,
                        statuses=scenario.statuses,
                        newest=scenario.newest,
                        job_types=kept,
                    )
                scenario.check_size(ValueError, "jobs", jobs)
                history = _generate.draw_history(
                    choices,
                    ctx,
                    min_size=jobs,
                    max_size=jobs,
                    finished_only=finished,
                    scenario=scenario,
                )
            elif isinstance(jobs, Sequence) and not isinstance(jobs, (str, bytes)):
                history = [dict(job) if isinstance(job, Mapping) else job for job in jobs]
                if scenario.pinned:
                    raise ValueError(
                        "statuses, newest and job_types pin a generated history; jobs="
                        f"{short_repr(jobs)} is a given one (pass a count, or leave them out)"
                    )
                violations = response_violations({_model.model().result_key: history})
                if violations:
                    raise InvalidListJobsResponse(violations, subject="jobs")
                validate_job_history(history, app_id=ctx.app_id, branch_name=ctx.branch_name)
                Store.check_order(history)
                manual = _generate.is_manual_history(history)
                if ctx.app_id in store.apps and manual not in (None, store.is_manual(ctx.app_id)):
                    raise ValueError(
                        f"jobs: {'manual deploys' if manual else 'builds of a repository'}, but "
                        f"app {ctx.app_id} is {kind_words(store.is_manual(ctx.app_id))} (a branch's "
                        "jobs are of its app's kind: coherence rule one-kind)"
                    )
            else:
                raise ValueError(
                    f"jobs={short_repr(jobs)} must be a count (int from 0 to {MAX_JOBS}) or a "
                    "list of job summaries, newest first"
                )
            store.put_branch(ctx.app_id, ctx.branch_name, history, stage=stage or "NONE")
            return [dict(job) for job in history]  # type: ignore[misc]

    def load(self, world: AmplifyWorld) -> None:
        """Serve ``world`` exactly (see ``amplify_worlds``): its apps, branches and histories,
        the moves of its in-flight jobs, the jobs that arrive, the lifecycle of jobs the code
        starts, and its faults, each due after the calls on its branch the world says.

        The fake must serve nothing yet (a world's call counts start at its loading) and be
        in the world's region.

        >>> import botocore.session
        >>> from pytest_amplify_jobs import generate_world
        >>> world = generate_world(seed=2, newest=["RUNNING"], max_faults=0)
        >>> with fake_amplify(world=world) as fake:
        ...     client = botocore.session.get_session().create_client(
        ...         "amplify", region_name="us-east-1",
        ...         aws_access_key_id="any", aws_secret_access_key="any",
        ...     )
        ...     seen = [
        ...         client.get_job(appId=world.app_id, branchName=world.branch_name,
        ...                        jobId=world.job_id)["job"]["summary"]["status"]
        ...         for _ in range(world.finishes_after() + 1)
        ...     ]
        >>> seen[-1] == world.final_status(), seen[0] == "RUNNING" or world.finishes_after() == 0
        (True, True)
        """
        if not isinstance(world, AmplifyWorld):
            raise ValueError(
                f"world={short_repr(world)} must be an AmplifyWorld (from amplify_worlds() or "
                "generate_world(seed=...))"
            )
        store = self._store
        with self._lock:
            if store.branches or store.faults or store.lifecycle or store.apps:
                raise ValueError(
                    f"world={short_repr(world)} needs a fake that serves nothing yet (it has "
                    f"branches {store.known_branches()}): a world counts calls from its loading"
                )
            if world.model_complete and not store.complete:
                raise ValueError(
                    f"world={short_repr(world)} is model-complete, the fake is not; pass "
                    "model_complete=True to fake_amplify as well"
                )
            if world.region != self.region:
                raise ValueError(
                    f"world={short_repr(world)} is in region {world.region!r}, the fake in "
                    f"{self.region!r}; pass region={world.region!r} to fake_amplify"
                )
            for branch in world.branches:
                if branch.manual and branch.app_id not in store.apps:  # else add_branch's
                    store.new_app(branch.app_id, account_of_jobs(branch.jobs), manual=True)
                self.add_branch(branch.app_id, branch.branch_name, jobs=list(branch.jobs))
                served = store.branches[(branch.app_id, branch.branch_name)]
                arns = {job["jobId"]: job["jobArn"] for job in branch.jobs}
                for plan in branch.plans:
                    if plan.arrives_after is None:
                        for move in plan.moves:
                            self.advance(
                                arns[plan.job_id], move.status, after_calls=move.after_calls
                            )
                    else:
                        served.arrivals.append(
                            Arrival(
                                branch.app_id,
                                branch.branch_name,
                                plan.arrives_after,
                                plan.job_type,
                                plan.steps,
                            )
                        )
                served.start_steps, served.queue_free = world.started, branch.queue_free
            for burst in world.faults:  # each fault counts every call from the loading
                self.fail(
                    burst.code,
                    burst.times,
                    after_calls=burst.at_call - 1,
                    app_id=world.app_id,
                    branch_name=world.branch_name,
                )

    def history(self, app_id: str, branch_name: str) -> list[JobSummary]:
        """The branch's jobs as the fake serves them now (copies, newest first)."""
        with self._lock:
            return [dict(job) for job in self._store.branch(app_id, branch_name).jobs]  # type: ignore[misc]

    def expire_tokens(self) -> None:
        """Make every token issued so far stale (the next use gets BadRequestException)."""
        with self._lock:
            self._store.expire_tokens()

    def fail(
        self,
        code: str,
        times: int = 1,
        after_calls: int = 0,
        *,
        operation: str | None = None,
        app_id: str | None = None,
        branch_name: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching calls with the error ``code``, after letting
        ``after_calls`` matching calls through. Each HTTP attempt is a call (a retry too). A
        call matches when it is of ``operation`` (None: any operation that models ``code``),
        for ``app_id`` and ``branch_name`` when given.

        ``code`` is a modeled error of the operation, or one of the errors AWS's front end
        sends for every operation (``ThrottlingException``, ``ExpiredTokenException``,
        ``ServiceUnavailableException``...; see ``all_error_codes()``). Either goes out with
        the HTTP status and ``x-amzn-errortype`` AWS uses, so botocore's retry handler decides
        as it would against AWS. ``message`` (default: the service's text for the code and the
        operation called) is the error's message; a ``BadRequestException`` without one is the
        service's rate limit, ``"Rate exceeded while calling StartJob, please slow down or try
        again later."`` (see :meth:`throttle`).

        >>> with fake_amplify() as fake:
        ...     fake.fail("LimitExceededException", operation="StartJob")
        ...     fake.fail("NotFoundException", operation="ListJobs")
        Traceback (most recent call last):
        ...
        ValueError: code='NotFoundException' is not a modeled ListJobs error, nor a common AWS error; allowed: BadRequestException, UnauthorizedException, InternalFailureException, LimitExceededException, ThrottlingException, ...
        """
        served = served_operations()
        if operation is not None and (not isinstance(operation, str) or operation not in served):
            raise ValueError(
                f"operation={short_repr(operation)} is not an operation the fake serves; "
                f"allowed: {', '.join(served)}"
            )
        codes = list(
            dict.fromkeys(
                shape.name
                for name in ((operation,) if operation else served)
                for shape in _model.operation(name).error_shapes
            )
        ) + list(_model.common_error_codes())
        if not isinstance(code, str) or code not in codes:
            what = f"a modeled {operation} error" if operation else "a modeled ListJobs error"
            others = "" if operation else ", nor one of another operation the fake serves"
            others += ", nor a common AWS error"
            raise ValueError(
                f"code={short_repr(code)} is not {what}{others}; allowed: {', '.join(codes)}"
            )
        check_int(ValueError, "times", times, 1)
        check_int(ValueError, "after_calls", after_calls, 0)
        check_request_value(ValueError, "app_id", "appId", app_id)
        check_request_value(ValueError, "branch_name", "branchName", branch_name)
        if message is not None and not isinstance(message, str):
            raise ValueError(f"message={short_repr(message)} must be a string or None")
        with self._lock:
            self._store.add_fault(code, times, after_calls, app_id, branch_name, operation, message)

    def throttle(
        self,
        times: int = 1,
        after_calls: int = 0,
        *,
        operation: str | None = None,
        app_id: str | None = None,
        branch_name: str | None = None,
    ) -> None:
        """Throttle the next ``times`` matching calls as Amplify does: ``BadRequestException``,
        HTTP 400, ``"Rate exceeded while calling <Operation>, please slow down or try again
        later."`` (aws-amplify/amplify-hosting#3748). botocore retries it in neither retry
        mode: code that survives it retries it itself (README: errors).

        >>> import botocore.session
        >>> with fake_amplify() as fake:
        ...     _ = fake.add_branch("d1abc", "main", jobs=1)
        ...     fake.throttle(operation="ListJobs")
        ...     client = botocore.session.get_session().create_client(
        ...         "amplify", region_name="us-east-1",
        ...         aws_access_key_id="any", aws_secret_access_key="any")
        ...     try:
        ...         client.list_jobs(appId="d1abc", branchName="main")
        ...     except client.exceptions.BadRequestException as error:
        ...         print(error.response["Error"]["Message"], len(fake.requests))
        Rate exceeded while calling ListJobs, please slow down or try again later. 1
        """
        self.fail(
            "BadRequestException",
            times,
            after_calls,
            operation=operation,
            app_id=app_id,
            branch_name=branch_name,
        )

    def add_job(
        self,
        app_id: str,
        branch_name: str,
        status: str = "PENDING",
        *,
        job_type: str | None = None,
        commit_message: str | None = None,
    ) -> JobSummary:
        """Put a new newest job at the head of a branch and return it (a copy).

        Its id follows the newest one; it starts now on the fake's clock. Only statuses a new
        job can have are allowed: queued ones, or a build when no other job is building.

        The job is one the app's kind makes (see :meth:`add_app`): on an app connected to a
        repository, ``job_type`` is ``WEB_HOOK`` (a push; the default), ``RELEASE`` or
        ``RETRY``; on a manual-deploy app the job is a manual deploy (``MANUAL``, the default
        and only choice), shaped as the fake's deployments are: listed as the service lists one
        (departure ``manual-deploy-summary``: no commit members), with a ``sourceUrl`` and
        ``sourceUrlType``; it takes no ``commit_message``. While it is unfinished,
        CreateDeployment and StartDeployment of a ``sourceUrl`` are refused on the branch, as
        for any newest job.

        >>> fake = fake_amplify()
        >>> _ = fake.add_app("d1manual", kind="manual")
        >>> _ = fake.add_branch("d1manual", "main", jobs=1, finished=True)
        >>> job = fake.add_job("d1manual", "main", status="RUNNING")
        >>> "commitId" in job, job["sourceUrlType"] in ("ZIP", "BUCKET_PREFIX")
        (False, True)
        >>> fake.add_job("d1manual", "main", job_type="RELEASE")
        Traceback (most recent call last):
        ...
        ValueError: job_type='RELEASE' is not a job type app d1manual (deployed manually) makes; allowed: MANUAL, or None (default: MANUAL)
        """
        if commit_message is not None:
            rule = _model.model().summary_rules["commitMessage"]
            if not isinstance(commit_message, str) or len(commit_message) > (rule.max or 10000):
                raise ValueError(
                    f"commit_message={short_repr(commit_message)} is not allowed; expected "
                    f"{_model.describe_rule(rule)}"
                )
        with self._lock:
            job = self._store.jobs.add_given(app_id, branch_name, status, job_type, commit_message)
            return dict(job)  # type: ignore[return-value]

    def advance(self, job: Mapping[str, Any] | str, status: str, *, after_calls: int = 0) -> None:
        """Move a job along its lifecycle: ``after_calls`` more ListJobs calls for its branch
        see the old status, the next one sees ``status`` (0: now). Finishing sets ``endTime``.

        Raises ``ValueError`` for a move the lifecycle does not allow (from the status the job
        will have by then), or for a second build on the branch.
        """
        if not isinstance(job, (str, Mapping)):
            raise ValueError(
                f"job={short_repr(job)} must be a job summary (a dict with its jobArn) or a jobArn"
            )
        check_int(ValueError, "after_calls", after_calls, 0)
        with self._lock:
            self._store.jobs.schedule(job, status, after_calls)

    def add_app(
        self, app_id: str | None = None, *, seed: int | None = None, kind: str = "repository"
    ) -> dict[str, Any]:
        """Serve an app (generated, valid for the model: ARN, name, platform, defaultDomain...)
        with no branches yet, and return it (a copy). ``add_branch`` creates missing apps too,
        connected to a repository.

        ``kind`` is ``"repository"`` (connected to a Git repository: builds with StartJob;
        CreateDeployment and StartDeployment are refused, "Operation not supported. App is
        already connected a repository.") or ``"manual"`` (no repository: deploys with
        CreateDeployment and StartDeployment; StartJob is refused). Its branches' generated
        histories hold only jobs its kind makes. Adding an app again replaces its description
        and keeps its branches.

        >>> with fake_amplify() as fake:
        ...     app = fake.add_app("d1abc")
        >>> app["appArn"].endswith(":apps/d1abc"), app["defaultDomain"]
        (True, 'd1abc.amplifyapp.com')
        """
        check_request_value(ValueError, "app_id", "appId", app_id)
        if seed is not None:
            check_seed(ValueError, seed)
        if kind not in APP_KINDS:
            raise ValueError(
                f"kind={short_repr(kind)} is not an app kind; allowed: {', '.join(APP_KINDS)}"
            )
        with self._lock:
            store = self._store
            seed = seed if seed is not None else self.seed * 1_000_003 + store.apps_added
            store.apps_added += 1
            old = store.apps.get(app_id or "")
            account = store.account_of_app(app_id) if app_id else None
            app = _generate.draw_app(
                RandomChoices(seed),
                app_id=app_id,
                region=self.region,
                account=account,
                complete=self.model_complete,
                manual=kind == "manual",
            )
            if old is not None:
                app["createTime"] = app["updateTime"] = old.created
            store.put_app(app)
            return store.app_view(app["appId"])

    def apps(self) -> list[dict[str, Any]]:
        """Every app the fake serves, as GetApp shows it (copies)."""
        with self._lock:
            return [self._store.app_view(app_id) for app_id in self._store.apps]

    def branch_info(self, app_id: str, branch_name: str) -> dict[str, Any]:
        """The branch as GetBranch shows it now (a copy), without counting a call."""
        with self._lock:
            self._store.branch(app_id, branch_name)
            return self._store.branch_view(app_id, branch_name)

    def auto_advance(self, to: str | None = "SUCCEED", *, provisioning: bool = False) -> None:
        """Where jobs the code starts (StartJob, StartDeployment) end by themselves.

        By default each observing call (ListJobs, GetJob, GetBranch of the branch) moves them
        one lifecycle step before it is answered: PENDING, RUNNING, then ``to``
        (``CANCELLED`` through CANCELLING); a queued job starts once the build before it ends.
        Polling code does not observe PROVISIONING on the service, so the default lifecycle
        skips it; ``provisioning=True`` goes through it (robust code survives both).
        ``to=None``: started jobs stay PENDING until :meth:`advance` moves them. A job given to
        :meth:`advance` is under exact control from then on.

        >>> with fake_amplify() as fake:
        ...     fake.auto_advance(to="FAILED")
        ...     fake.auto_advance(to="DONE")
        Traceback (most recent call last):
        ...
        ValueError: to='DONE' is not allowed; expected one of SUCCEED, FAILED, CANCELLED, or None
        """
        finished = _model.model().finished_statuses
        if to is not None and (not isinstance(to, str) or to not in finished):
            raise ValueError(
                f"to={short_repr(to)} is not allowed; expected one of {', '.join(finished)}, "
                "or None"
            )
        check_bool(ValueError, "provisioning", provisioning)
        with self._lock:
            self._store.lifecycle.auto_final = to
            self._store.lifecycle.auto_provisioning = provisioning

    def serve(self) -> str:
        """Serve the same store over real HTTP on ``127.0.0.1`` (started once) and return its
        URL. While the fake is active, ``AWS_ENDPOINT_URL_AMPLIFY`` names it, so child
        processes (the ``aws`` CLI, a shell script, another SDK) are answered by this fake;
        signatures are not checked and nothing leaves the machine. Leaving the fake stops the
        server and restores the variable.

        It opens a listening socket, so under pytest-socket's ``--disable-socket`` the test
        needs ``@pytest.mark.allow_hosts(["127.0.0.1"])`` (alone: with ``enable_socket`` too,
        pytest-socket drops the host restriction, miketheman/pytest-socket#27):

        >>> import os, subprocess
        >>> with fake_amplify() as fake:  # doctest: +SKIP
        ...     _ = fake.add_branch("d1abc", "main", jobs=3)
        ...     url = fake.serve()
        ...     subprocess.run(["aws", "amplify", "list-jobs", "--app-id", "d1abc",
        ...                     "--branch-name", "main", "--region", "us-east-1"], check=True)
        >>> os.environ.get(ENDPOINT_VARIABLE) is None  # doctest: +SKIP
        True
        """
        if not is_active(self):
            raise RuntimeError(
                "serve() needs an active fake: call it inside `with fake_amplify() as fake:` "
                "(or on the amplify_fake fixture); a fake that is not active answers nothing"
            )
        with self._lock:
            if self._server is None:
                from pytest_amplify_jobs._fake.server import FakeServer

                self._server = FakeServer(self._store, self._requests)
                self._saved_endpoint = os.environ.get(ENDPOINT_VARIABLE)
                os.environ[ENDPOINT_VARIABLE] = self._server.url
            return self._server.url

    def _stop_serving(self) -> None:
        with self._lock:
            server, self._server = self._server, None
            if server is None:
                return
            if self._saved_endpoint is None:
                os.environ.pop(ENDPOINT_VARIABLE, None)
            else:
                os.environ[ENDPOINT_VARIABLE] = self._saved_endpoint
        server.close()

    # -------------------------------------------------------------------- the files it serves

    @property
    def uploads(self) -> list[Upload]:
        """Every file PUT to an upload URL the fake handed out (CreateDeployment's
        ``zipUploadUrl`` and ``fileUploadUrls``), in order, with its bytes."""
        with self._lock:
            current = self._files.uploads if self._files is not None else []
            return [*self._uploads, *current]

    def _file_url(self, path: str) -> str:
        """The URL of ``path`` on the fake's local endpoint (127.0.0.1, behind a secret of this
        fake), started on the first URL handed out and stopped when the fake exits."""
        if self._files is None:
            from pytest_amplify_jobs._fake.files import LocalFiles

            files = LocalFiles(lock=self._lock)
            files.on_put("uploads/", self._accept_upload)
            files.on_get("logs/", self._serve_log)
            files.on_get("artifacts/", self._serve_artifact)
            files.on_post("webhooks/", self._store.resources.receive_webhook)
            files.on_get("access-logs/", self._store.access_log)
            self._files = files
        return self._files.url(path)

    def _accept_upload(self, path: str, body: bytes) -> None:
        self._store.receive_upload(path)

    def _job_of_file(self, path: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        import urllib.parse

        parts = path.split("/")
        if len(parts) != 6:
            return None
        _kind, app_id, branch, job_id, _step, _name = parts
        key = (app_id, urllib.parse.unquote(branch))
        branch_state = self._store.branches.get(key)
        if branch_state is None:
            return None
        for job in branch_state.jobs:
            if job["jobId"].zfill(10) == job_id:
                return job, self._store.jobs.steps(*key, branch_state, job)
        return None

    def _serve_log(self, path: str) -> tuple[str, bytes] | None:
        found = self._job_of_file(path)
        step_name = path.split("/")[-2]
        if found is None:
            return None
        job, steps = found
        step = next((s for s in steps if s["stepName"] == step_name), None)
        if step is None:
            return None
        return "text/plain", _generate.build_log(job, step).encode()

    def _serve_artifact(self, path: str) -> tuple[str, bytes] | None:
        found = self._job_of_file(path)
        if found is None or not any("artifactsUrl" in s for s in found[1]):
            return None
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("index.html", f"<h1>build {found[0]['jobId']}</h1>\n")
        return "application/zip", buffer.getvalue()

    def _close_files(self) -> None:
        with self._lock:
            files, self._files = self._files, None
            if files is not None:
                self._uploads.extend(files.uploads)
        if files is not None:
            files.close()

    # ------------------------------------------------------------------------- the HTTP side

    def on_choose_signer(self) -> Any:
        from botocore import UNSIGNED

        return UNSIGNED  # nothing to sign for: real credentials are never used

    def on_before_call(self, model: Any, client: Any) -> Any:
        return None  # answered on the wire, at before-send

    def on_before_send(self, request: Any, operation: str, client: Any) -> Any:
        url = request.url
        server = self._server
        if server is not None and url.startswith(server.url + "/"):
            # A client of this process created after serve() reads AWS_ENDPOINT_URL_AMPLIFY: its
            # URL carries the server's secret path, which the in-process answer drops.
            url = server.url.rsplit("/", 1)[0] + url[len(server.url) :]
        with self._lock:
            try:
                result = answer(self._store, request.method, url, request.body)
            except NotServed as error:
                raise refused(
                    operation, client, f"was refused: {error}", AmplifyFakeError
                ) from None
            self._requests.append(result.request)
        return _botocore.http_response(
            client, request.url, result.status, result.headers, result.body
        )

    def describe(self) -> str:
        return "fake service"

    # ---------------------------------------------------------------------------- activation

    def _activated(self) -> None:
        _RetrySleep.install(self)

    def _deactivated(self) -> None:
        _RetrySleep.uninstall(self)
        self._stop_serving()
        self._close_files()

    def __enter__(self) -> AmplifyFake:
        return super().__enter__()  # type: ignore[no-any-return]

    def _sleep(self, seconds: float) -> bool:
        """Record a retry delay; whether to really sleep it."""
        with self._lock:
            self._backoffs.append(seconds)
        return self.keep_retry_delays

    def report(self) -> str:
        """The failure-report section: branches, requests and their answers."""
        with self._lock:
            lines = [f"seed: {self.seed}"]
            for (app_id, branch_name), branch in self._store.branches.items():
                lines.append(
                    f"branch {app_id}/{branch_name}: {len(branch.jobs)} jobs, {branch.calls} calls"
                )
            if self._server is not None:
                lines.append(f"served at {self._server.url}")
                for error in self._server.errors:  # the fake's own failures, never a client's
                    lines.append(f"server error: {error.splitlines()[0]}")
            lines.append(f"requests ({len(self._requests)}):")
            for r in self._requests:
                shown = ", ".join(f"{k}={short_repr(v, 30)}" for k, v in r.params.items())
                lines.append(
                    f"  {r.method} {r.path} ({shown}) -> {r.status}{' ' + r.error_code if r.error_code else ''}"
                )
            return "\n".join(lines)


class _RetrySleep:
    """Zero botocore's and aiobotocore's retry sleeps for Amplify operations while a fake is
    active: the innermost fake records each delay (``backoffs``) and decides whether to sleep.
    Retry decisions and attempt counts stay botocore's own."""

    _users: ClassVar[list[AmplifyFake]] = []

    @classmethod
    def _choose(cls, operation_model: Any) -> Callable[[float], bool] | None:
        if not cls._users or operation_model.service_model.service_name != _model.SERVICE_NAME:
            return None
        return cls._users[-1]._sleep

    @classmethod
    def install(cls, fake: AmplifyFake) -> None:
        cls._users.append(fake)
        _botocore.route_retry_sleeps(cls._choose)

    @classmethod
    def uninstall(cls, fake: AmplifyFake) -> None:
        if fake not in cls._users:
            return
        cls._users.remove(fake)
        _botocore.unroute_retry_sleeps()


def fake_amplify(
    *,
    seed: int = 0,
    keep_retry_delays: bool = False,
    region: str = "us-east-1",
    world: AmplifyWorld | None = None,
    model_complete: bool = False,
) -> AmplifyFake:
    """A :class:`AmplifyFake` to use as a context manager (also inside ``@given``);
    ``world`` loads an ``AmplifyWorld`` (see :meth:`AmplifyFake.load`; same region).

    >>> with fake_amplify(seed=3) as fake:
    ...     history = fake.add_branch(app_id="d1abc", branch_name="main", jobs=30)
    >>> len(history)
    30
    """
    fake = AmplifyFake(
        seed=seed, keep_retry_delays=keep_retry_delays, region=region, model_complete=model_complete
    )
    if world is not None:
        fake.load(world)
    return fake

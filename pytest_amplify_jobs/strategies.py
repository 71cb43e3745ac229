"""Hypothesis strategies for ListJobs data, valid against the installed botocore model.

Every strategy checks its arguments when it is first drawn from, like Hypothesis's own (a bad
one raises :class:`hypothesis.errors.InvalidArgument` naming the parameter, the value and what
is allowed, with limits quoted from the model, without breaking the collection of a whole test
module), and then runs the package's one generator with choices drawn from Hypothesis, so
examples shrink: histories by deleting jobs, statuses toward ``SUCCEED``, job types toward
``WEB_HOOK``, page sizes toward 1, errors toward none.

>>> from hypothesis import given, settings
>>> from pytest_amplify_jobs import stub_list_jobs
>>> @settings(max_examples=20, database=None)
... @given(list_jobs_chains(max_jobs=30))
... def test_lists_every_job(chain):
...     with stub_list_jobs(chain) as client:
...         paginator = client.get_paginator("list_jobs")
...         pages = paginator.paginate(appId=chain.app_id, branchName=chain.branch_name)
...         assert [job for page in pages for job in page["jobSummaries"]] == list(chain.jobs)
>>> test_lists_every_job()
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ParamSpec, TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_amplify_jobs import _chain, _checks, _generate, _model, _responses, _world
from pytest_amplify_jobs._chain import ListJobsChain
from pytest_amplify_jobs._choices import Choices, composite
from pytest_amplify_jobs._coherence import check_scenario
from pytest_amplify_jobs._errors import ListJobsError
from pytest_amplify_jobs._options import MAX_JOBS
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._types import JobSummary
from pytest_amplify_jobs._world import AmplifyWorld

__all__ = [
    "amplify_responses",
    "amplify_worlds",
    "app_ids",
    "branch_names",
    "job_histories",
    "job_summaries",
    "list_jobs_chains",
    "list_jobs_errors",
    "next_tokens",
]


T = TypeVar("T")
P = ParamSpec("P")


def _checked_at_draw(
    define: Callable[P, st.SearchStrategy[T]],
) -> Callable[P, st.SearchStrategy[T]]:
    """Run ``define`` (which checks the arguments) at the first draw, not when called.

    A bad argument then fails the test that draws, not the collection of the whole module,
    as with Hypothesis's own strategies; the error is still ``InvalidArgument``.
    """

    @functools.wraps(define)
    def strategy(*args: P.args, **kwargs: P.kwargs) -> st.SearchStrategy[T]:
        def definition() -> st.SearchStrategy[T]:
            return define(*args, **kwargs)

        # Hypothesis shows a deferred strategy by its definition's name: make it the call, so
        # the repr reads deferred(list_jobs_chains(max_jobs=30)).
        shown = ", ".join(f"{k}={short_repr(v)}" for k, v in kwargs.items())
        definition.__name__ = definition.__qualname__ = f"{define.__name__}({shown})"
        return st.deferred(definition)

    return strategy


def _check_bool(name: str, value: object) -> None:
    _checks.check_bool(InvalidArgument, name, value)


@_checked_at_draw
def app_ids(*, realistic: bool = True) -> st.SearchStrategy[str]:
    """Amplify app ids: ``d`` + 13 lowercase alphanumerics like the console shows
    (``realistic=True``), or anything the model's ``d[a-z0-9]+`` rule allows.

    Shrinks toward one fixed id.
    """
    _check_bool("realistic", realistic)
    return composite(lambda c: _generate.draw_app_id(c, realistic))()


@_checked_at_draw
def branch_names(*, realistic: bool = True) -> st.SearchStrategy[str]:
    """Branch names: common ones (``main``, ``feature/login``...) when realistic, else any text
    of the model's allowed length (1..255). Shrinks toward ``main``."""
    _check_bool("realistic", realistic)
    return composite(lambda c: _generate.draw_branch_name(c, realistic))()


@_checked_at_draw
def next_tokens(*, realistic: bool = True) -> st.SearchStrategy[str]:
    """Valid pagination tokens: opaque base64 strings, or any 1..2000 characters when not
    realistic (the model's NextToken limit)."""
    _check_bool("realistic", realistic)
    return composite(lambda c: _generate.draw_token(c, realistic))()


@_checked_at_draw
def job_summaries(
    *,
    app_id: str | None = None,
    branch_name: str | None = None,
    statuses: Iterable[str] | None = None,
    job_types: Iterable[str] | None = None,
    realistic: bool = True,
    model_complete: bool = False,
) -> st.SearchStrategy[JobSummary]:
    """One JobSummary dict, strictly valid and coherent in itself: a real ARN built from its ids,
    ``commitTime <= startTime``, ``endTime`` exactly when the status is finished, manual
    deploys with a source URL.

    By default it departs from the model as the service does (see ``departures()``): a manual
    deploy is listed without a commit (with ``jobType`` ``"MANUAL"`` or without one), a
    RELEASE of ``HEAD`` without ``commitMessage`` or ``jobType``. ``model_complete=True`` gives every member the model
    requires (manual deploys with ``commitId='HEAD'``).

    ``statuses`` / ``job_types`` restrict the enums (any of the model's values). Shrinks toward a
    ``SUCCEED`` ``WEB_HOOK`` job.
    """
    m = _model.model()
    _checks.check_request_value(InvalidArgument, "app_id", "appId", app_id)
    _checks.check_request_value(InvalidArgument, "branch_name", "branchName", branch_name)
    chosen_statuses = _checks.check_choices(InvalidArgument, "statuses", statuses, m.statuses)
    chosen_types = _checks.check_choices(InvalidArgument, "job_types", job_types, m.job_types)
    _check_bool("realistic", realistic)
    _check_bool("model_complete", model_complete)

    def build(c: Choices) -> JobSummary:
        return _generate.draw_summary(  # type: ignore[return-value]
            c,
            app_id=app_id,
            branch_name=branch_name,
            statuses=_ordinary_first(chosen_statuses, m.statuses_ordinary_first),
            job_types=_ordinary_first(chosen_types, m.job_types_ordinary_first),
            realistic=realistic,
            complete=model_complete,
        )

    return composite(build)()


def _ordinary_first(
    chosen: tuple[str, ...] | None, order: tuple[str, ...]
) -> tuple[str, ...] | None:
    if chosen is None:
        return None
    return tuple(v for v in order if v in chosen)


@_checked_at_draw
def job_histories(
    *,
    app_id: str | None = None,
    branch_name: str | None = None,
    min_size: int = 0,
    max_size: int | None = None,
    realistic: bool = True,
    statuses: Iterable[str] | None = None,
    newest: Iterable[str] | None = None,
    job_types: Iterable[str] | None = None,
    model_complete: bool = False,
) -> st.SearchStrategy[list[JobSummary]]:
    """One branch's jobs, newest first, like a real history: job ids ``n..1``, one app, branch,
    region and account in every ARN, older jobs started earlier and finished before the next
    started, at most one job building and only newer jobs queued.

    The jobs come from one kind of app (drawn first, shrinking toward an app connected to a
    repository): webhook builds, RELEASE and RETRY, or manual deploys only (as ``job_types``
    of one kind decide). The scenario keywords pin what a test is about, the rest is drawn,
    coherent: ``statuses`` (the statuses any job may have), ``newest`` (the statuses of the
    newest jobs, newest first: ``["PENDING", "RUNNING"]`` is a build running with a job queued
    behind it) and ``job_types``. A request no coherent history meets raises
    ``InvalidArgument`` naming the rule. Shrinks by deleting older jobs, keeping the pinned
    newest ones.

    Jobs depart from the model as the service's do (see ``departures()`` and
    :func:`job_summaries`); ``model_complete=True`` gives every job every member the model
    requires.

    >>> from hypothesis import find
    >>> find(job_histories(newest=["FAILED"]), lambda jobs: True)[0]["status"]
    'FAILED'
    """
    _checks.check_request_value(InvalidArgument, "app_id", "appId", app_id)
    _checks.check_request_value(InvalidArgument, "branch_name", "branchName", branch_name)
    _checks.check_sizes(InvalidArgument, "min_size", min_size, "max_size", max_size, limit=MAX_JOBS)
    _check_bool("realistic", realistic)
    _check_bool("model_complete", model_complete)
    scenario = check_scenario(
        InvalidArgument, statuses=statuses, newest=newest, job_types=job_types
    )
    scenario.check_sizes(InvalidArgument, "min_size", min_size, "max_size", max_size)

    def build(c: Choices) -> list[JobSummary]:
        ctx = _generate.draw_context(
            c,
            app_id=app_id,
            branch_name=branch_name,
            region=None,
            realistic=realistic,
            complete=model_complete,
        )
        jobs = _generate.draw_history(
            c, ctx, min_size=min_size, max_size=max_size, scenario=scenario
        )
        return jobs  # type: ignore[return-value]

    return composite(build)()


@_checked_at_draw
def list_jobs_errors(
    *, codes: Iterable[str] | None = None, common: bool = False
) -> st.SearchStrategy[ListJobsError]:
    """A ListJobs error with the HTTP status AWS sends it with.

    By default one of the operation's *modeled* errors; ``common=True`` adds the errors AWS's
    front end sends for any operation (``ThrottlingException``, ``ExpiredTokenException``,
    ``ServiceUnavailableException``...), which botocore raises as a plain ``ClientError``.
    ``codes`` picks exactly which (modeled or common). Shrinks toward the model's first error.

    >>> from hypothesis import find
    >>> find(list_jobs_errors(common=True), lambda e: not e.modeled).code
    'ThrottlingException'
    """
    _check_bool("common", common)
    chosen = _error_codes("codes", codes, common)
    return st.sampled_from(chosen).map(ListJobsError.of)


def _error_codes(name: str, codes: object, common: bool) -> tuple[str, ...]:
    """Modeled codes (and common ones when ``common``), or the ``codes`` asked for."""
    modeled = tuple(_model.model().errors)
    default = modeled + (_model.common_error_codes() if common else ())
    chosen = _checks.check_choices(InvalidArgument, name, codes, _model.all_error_codes())
    return chosen or default


@_checked_at_draw
def list_jobs_chains(
    *,
    app_id: str | None = None,
    branch_name: str | None = None,
    min_jobs: int = 0,
    max_jobs: int | None = None,
    page_size: int | None = None,
    max_results: int | None = None,
    errors: bool | Iterable[str] = False,
    realistic: bool = True,
    region: str | None = None,
    statuses: Iterable[str] | None = None,
    newest: Iterable[str] | None = None,
    job_types: Iterable[str] | None = None,
    common_errors: bool = False,
    model_complete: bool = False,
) -> st.SearchStrategy[ListJobsChain]:
    """Whole ListJobs listings: a coherent history split into pages linked by unique tokens.

    Every page but the last is full (``page_size``, drawn 1..50 unless given or implied by
    ``max_results``). ``errors=True`` (or a collection of codes) lets the chain end with a
    modeled error at any call, the first included; ``common_errors=True`` adds the errors
    AWS's front end sends (see :func:`list_jobs_errors`), and a collection may name any of
    both. ``realistic=False`` adds short and empty intermediate pages, long unicode text and
    tokens up to the model's limit. ``statuses``, ``newest`` and ``job_types`` pin the history
    as in :func:`job_histories` (``min_jobs`` counts the pinned jobs). Jobs depart from the
    model as the service's do (see ``departures()``); ``model_complete=True`` gives every job
    every member the model requires.

    Shrinks toward one page of ``SUCCEED`` jobs with page size 1 and no error.
    """
    _checks.check_request_value(InvalidArgument, "app_id", "appId", app_id)
    _checks.check_request_value(InvalidArgument, "branch_name", "branchName", branch_name)
    _checks.check_sizes(InvalidArgument, "min_jobs", min_jobs, "max_jobs", max_jobs, limit=MAX_JOBS)
    _checks.check_paging(InvalidArgument, page_size, max_results)
    _checks.check_region(InvalidArgument, region)
    _check_bool("realistic", realistic)
    _check_bool("common_errors", common_errors)
    _check_bool("model_complete", model_complete)
    scenario = check_scenario(
        InvalidArgument, statuses=statuses, newest=newest, job_types=job_types
    )
    scenario.check_sizes(InvalidArgument, "min_jobs", min_jobs, "max_jobs", max_jobs)
    if isinstance(errors, bool):
        codes = _error_codes("errors", None, common_errors) if errors or common_errors else ()
    elif errors is None or isinstance(errors, (str, bytes)) or not isinstance(errors, Iterable):
        raise InvalidArgument(
            f"errors={short_repr(errors)} must be True, False, or a collection of error codes "
            f"(any of {', '.join(_model.all_error_codes())})"
        )
    else:
        codes = _error_codes("errors", errors, common_errors)
    spec = _chain.ChainSpec(
        app_id=app_id,
        branch_name=branch_name,
        region=region,
        min_jobs=min_jobs,
        max_jobs=max_jobs,
        page_size=page_size,
        max_results=max_results,
        error_codes=codes,
        error_chance=30 if codes else 0,
        realistic=realistic,
        scenario=scenario,
        model_complete=model_complete,
    )
    return composite(lambda c: _chain.build_chain(c, spec))()


@_checked_at_draw
def amplify_responses(
    *,
    operation: str,
    params: Mapping[str, Any] | None = None,
    chain: ListJobsChain | None = None,
    model_complete: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """Responses of one job operation (``"GetJob"``, ``"start_job"``, ... any the fake
    serves), strictly valid, with ``ResponseMetadata``, as the fake answers a call with
    ``params`` (filled in where left out).

    By default they depart from the model as the service does (see ``departures()``):
    StartDeployment's ``jobSummary`` holds three members, a manual deploy has no commit, an
    app or branch leaves out what was never set. ``model_complete=True`` gives every member
    the model requires (the jobs of ``chain`` are served as they are).

    Coherent with ``chain`` when given (GetJob of one of its jobs returns that very summary
    plus steps, StartJob takes the next id, GetBranch counts its jobs); otherwise the branch is
    drawn too, and shrinks toward one finished ``SUCCEED`` job on ``main``.

    >>> from hypothesis import find
    >>> find(amplify_responses(operation="GetJob"), lambda r: True)["job"]["summary"]["status"]
    'SUCCEED'
    """
    name = _checks_operation(operation)
    if params is not None and not isinstance(params, Mapping):
        raise InvalidArgument(
            f"params={short_repr(params)} must be a dict of request parameters or None"
        )
    if chain is not None and not isinstance(chain, ListJobsChain):
        raise InvalidArgument(f"chain={short_repr(chain)} must be a ListJobsChain or None")
    _check_bool("model_complete", model_complete)
    fixed = dict(params) if params is not None else None

    def build(c: Choices) -> dict[str, Any]:
        return _responses.build_response(c, name, fixed, chain, model_complete=model_complete)

    return composite(build)()


def _checks_operation(operation: object) -> str:
    try:
        return _responses.operation_of(operation, "operation")
    except (TypeError, ValueError) as error:
        raise InvalidArgument(str(error)) from None


@_checked_at_draw
def amplify_worlds(
    *,
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
) -> st.SearchStrategy[AmplifyWorld]:
    """Whole service behaviours: an :class:`~pytest_amplify_jobs.AmplifyWorld` for
    ``fake_amplify(world=...)`` to serve exactly.

    Up to ``max_apps`` apps and ``max_branches`` branches with coherent histories (the first
    branch, ``world.app_id`` / ``world.branch_name``, is the watched one: ``min_jobs`` ..
    ``max_jobs`` jobs, pinned by ``statuses`` / ``newest`` / ``job_types`` as in
    :func:`job_histories`); the lifecycle each in-flight job follows, each move up to
    ``max_wait`` calls on its branch after the one before; up to ``max_arrivals`` jobs that
    appear on the watched branch while the code polls; the lifecycle of jobs the code starts;
    up to ``max_faults`` bursts of errors on the watched branch. Faults are transient
    (``fault_codes``, default: every code botocore's default retry mode retries and every
    branch operation answers; at most as many in a row as its retries absorb), so correct
    code succeeds; ``persistent_faults=True`` allows longer bursts and codes botocore does not
    retry, to test give-up paths.

    The histories depart from the model as the service's do (see ``departures()``);
    ``model_complete=True`` gives every job every member the model requires (load the world
    into ``fake_amplify(model_complete=True)`` so that what the fake adds, the jobs that
    arrive or are started and its apps and branches, is model-complete too).

    Shrinks toward one app with one branch of ``min_jobs`` ``SUCCEED`` jobs, every move due at
    once (the finish at the first poll), no job arriving and no fault; a falsifying example
    prints as its timeline.

    >>> from hypothesis import find
    >>> find(amplify_worlds(newest=["RUNNING"]), lambda w: w.final_status() == "FAILED")
    AmplifyWorld(d...: #1 RUNNING -(0)-> FAILED; started jobs: PENDING -(0)-> RUNNING -(0)-> SUCCEED)
    """
    spec = _world.check_world(
        InvalidArgument,
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
    return composite(functools.partial(_world.build_world, spec=spec))()

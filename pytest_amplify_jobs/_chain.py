"""``ListJobsChain``: the plain data a test stubs and asserts on, and ``generate_chain``.

A chain is the sequence of ListJobs calls one listing makes: pages in order, the token that
links each page to the next, and optionally a modeled error answering the call after the last
page. It knows nothing of pytest; :meth:`ListJobsChain.add_to` queues it on any botocore
``Stubber``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from pytest_amplify_jobs import _botocore, _generate, _model, _wire
from pytest_amplify_jobs._checks import check_bool, check_region
from pytest_amplify_jobs._choices import Choices, RandomChoices
from pytest_amplify_jobs._coherence import ANY_SCENARIO, Scenario, job_history_violations
from pytest_amplify_jobs._errors import ListJobsError
from pytest_amplify_jobs._expect import Expectation, copy_page, copy_response, install_probe
from pytest_amplify_jobs._options import GenerateOptions
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._validate import (
    InvalidListJobsResponse,
    Violation,
    request_violations,
    response_violations,
)

if TYPE_CHECKING:
    from botocore.stub import Stubber

    from pytest_amplify_jobs._types import JobSummary, ListJobsPage

__all__ = ["ListJobsChain", "ListJobsError", "generate_chain"]

_REPR_JOBS = 12


def _describe_jobs(jobs: Sequence[Mapping[str, Any]]) -> str:
    def one(job: Mapping[str, Any]) -> str:
        return f"#{job.get('jobId')} {job.get('status')} {job.get('jobType')}"

    if len(jobs) <= _REPR_JOBS:
        return ", ".join(one(j) for j in jobs)
    head = ", ".join(one(j) for j in jobs[: _REPR_JOBS // 2])
    tail = ", ".join(one(j) for j in jobs[-_REPR_JOBS // 2 :])
    return f"{head}, ... {len(jobs) - _REPR_JOBS} more ..., {tail}"


@dataclass(frozen=True, repr=False, kw_only=True)
class ListJobsChain:
    """Everything a test needs to stub one ListJobs listing and to assert on its result.

    ``pages`` are complete ListJobs responses in order (with ``ResponseMetadata``); ``jobs`` is
    every summary those pages carry, in order; ``error``, when set, answers the call after the
    last page. ``max_results`` is the ``maxResults`` the caller is expected to send (``None``:
    not checked, any value or none is accepted). ``page_size`` defaults to the largest page.
    ``calls``, when set, queues only the first ``calls`` calls of the listing (a caller that
    reads the newest page only): page ``calls`` keeps its ``nextToken`` and ``jobs`` is still
    the whole history.

    >>> chain = generate_chain(jobs=5, page_size=2, seed=1)
    >>> [len(p["jobSummaries"]) for p in chain.pages]
    [2, 2, 1]
    >>> chain.expected_params(1)["nextToken"] == chain.pages[0]["nextToken"]
    True
    """

    app_id: str
    branch_name: str
    pages: tuple[ListJobsPage, ...]
    page_size: int = None  # type: ignore[assignment]  # None: the largest page (set below)
    max_results: int | None = None
    error: ListJobsError | None = None
    region: str = "us-east-1"
    calls: int | None = None
    jobs: tuple[JobSummary, ...] = field(init=False)
    # Generated chains are valid by construction and skip re-validation when queued.
    _trusted: bool = field(default=False, init=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.pages, (str, bytes, Mapping)) or not isinstance(self.pages, Iterable):
            raise TypeError(
                f"pages={short_repr(self.pages)} must be a sequence of ListJobs responses (dicts)"
            )
        pages: tuple[Any, ...] = tuple(self.pages)
        if not pages and self.error is None:
            raise ValueError(
                "pages=() is empty; an empty listing is one page with no jobs "
                "(only a chain whose first call fails has no pages)"
            )
        if self.error is not None and not isinstance(self.error, ListJobsError):
            raise TypeError(f"error={short_repr(self.error)} must be a ListJobsError or None")
        for name in ("app_id", "branch_name", "region"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"{name}={short_repr(value)} must be a string")
        # Served, a region botocore cannot name an endpoint for fails far from here.
        check_region(ValueError, self.region, none_ok=False)
        result_key = _model.model().result_key
        jobs: list[Any] = []
        for page in pages:
            if isinstance(page, Mapping) and isinstance(page.get(result_key), list):
                jobs.extend(page[result_key])
        page_size = self.page_size
        if page_size is None:
            page_size = (
                max(
                    (
                        len(p[result_key])
                        for p in pages
                        if isinstance(p, Mapping) and isinstance(p.get(result_key), list)
                    ),
                    default=1,
                )
                or 1
            )
        object.__setattr__(self, "pages", pages)
        object.__setattr__(self, "page_size", page_size)
        object.__setattr__(self, "jobs", tuple(jobs))
        total = len(pages) + (1 if self.error is not None else 0)
        if self.calls is not None and (
            isinstance(self.calls, bool)
            or not isinstance(self.calls, int)
            or not 1 <= self.calls <= total
        ):
            raise ValueError(
                f"calls={short_repr(self.calls)} is not allowed; expected None (every call) or "
                f"an integer from 1 to {total} (the calls of this listing)"
            )

    @classmethod
    def _generated(cls, **kwargs: Any) -> ListJobsChain:
        """A chain built by the generator: valid by construction, never re-validated."""
        chain = cls(**kwargs)
        object.__setattr__(chain, "_trusted", True)
        return chain

    def __repr__(self) -> str:
        m = _model.model()
        shown: list[str] = []
        budget = 2 * _REPR_JOBS
        for page in self._raw_pages:
            if shown and budget <= 0:
                break
            if not isinstance(page, Mapping) or not isinstance(page.get(m.result_key), list):
                shown.append(short_repr(page, 40))  # a hand-built page that is no page
                continue
            jobs = page[m.result_key]
            shown.append(f"[{_describe_jobs(jobs)}]")
            budget -= min(len(jobs), _REPR_JOBS)
        text = " | ".join(shown)
        if len(shown) < len(self.pages):
            text += f" | ... {len(self.pages) - len(shown)} more pages"
        error = f", error={self.error.code} at call {self.error_at}" if self.error else ""
        calls = f", calls={self.calls}" if self.calls is not None else ""
        return (
            f"ListJobsChain(app_id={self.app_id!r}, branch_name={self.branch_name!r}, "
            f"page_size={self.page_size}, max_results={self.max_results}{calls}, "
            f"{len(self.jobs)} jobs in {len(self.pages)} pages: {text}{error})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints falsifying examples with this hook; without it, it would dump
        # every field of the dataclass (every page, every header) instead of the short repr.
        printer.text(repr(self))

    @property
    def _raw_pages(self) -> tuple[dict[str, Any], ...]:
        # The pages as plain dicts, for code that reads keys named by the model.
        return cast("tuple[dict[str, Any], ...]", self.pages)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The nextToken of each page that has one, in order."""
        key = _model.model().output_token
        return tuple(p[key] for p in self._raw_pages if key in p)

    @property
    def call_count(self) -> int:
        """How many ListJobs calls the chain answers: one per page, plus one for the error."""
        return len(self.pages) + (1 if self.error is not None else 0)

    @property
    def queued_calls(self) -> int:
        """How many calls are queued: ``calls`` when set, else every call of the listing."""
        return self.call_count if self.calls is None else self.calls

    @property
    def error_at(self) -> int | None:
        """The 0-based call that raises ``error``, or None."""
        return len(self.pages) if self.error is not None else None

    def expected_params(self, i: int) -> dict[str, Any]:
        """The parameters of call ``i`` (0-based). ``maxResults`` only when ``max_results`` is set."""
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.call_count:
            raise ValueError(
                f"i={short_repr(i)} is not a call of this chain; allowed: 0..{self.call_count - 1}"
            )
        m = _model.model()
        params: dict[str, Any] = {"appId": self.app_id, "branchName": self.branch_name}
        if i > 0:
            params[m.input_token] = self._raw_pages[i - 1][m.output_token]
        if self.max_results is not None:
            params[m.limit_key] = self.max_results
        return params

    def violations(self, *, coherent: bool = False, model_strict: bool = False) -> list[Violation]:
        """Every way this chain breaks the model or the pagination contract (empty if none).

        A page may depart from the model as the service does (see ``departures()``);
        ``model_strict=True`` counts those departures as violations too.

        ``coherent=True`` adds every coherence rule its jobs break as one branch history
        (``jobs[i]...`` paths; see :func:`~pytest_amplify_jobs.validate_job_history`): off by
        default, since a test may build an incoherent history on purpose.

        >>> chain = generate_chain(jobs=2)
        >>> jobs = [dict(job) for job in chain.jobs]
        >>> jobs[0]["jobId"] = jobs[1]["jobId"]
        >>> odd = ListJobsChain(app_id=chain.app_id, branch_name=chain.branch_name,
        ...                     pages=[{"jobSummaries": jobs}])
        >>> odd.violations(), [v.path for v in odd.violations(coherent=True)]
        ([], ['jobs[0].jobArn', 'jobs[1].jobId'])
        """
        check_bool(TypeError, "coherent", coherent)
        check_bool(TypeError, "model_strict", model_strict)
        m = _model.model()
        out: list[Violation] = []
        request: dict[str, Any] = {"appId": self.app_id, "branchName": self.branch_name}
        if self.max_results is not None:
            request[m.limit_key] = self.max_results
        for violation in request_violations(request):
            out.append(
                Violation(
                    violation.path.replace(m.limit_key, "max_results"),
                    violation.value,
                    violation.rule,
                )
            )
        if (
            isinstance(self.page_size, bool)
            or not isinstance(self.page_size, int)
            or not 1 <= self.page_size <= m.max_page_size
        ):
            out.append(
                Violation(
                    "page_size",
                    self.page_size,
                    f"must be an integer from 1 to {m.max_page_size} (the model's maxResults)",
                )
            )
        seen: set[str] = set()
        last = len(self.pages) - 1
        for index, page in enumerate(self._raw_pages):
            for v in response_violations(page, model_strict=model_strict):
                out.append(Violation(f"pages[{index}].{v.path}", v.value, v.rule))
            if not isinstance(page, Mapping):
                continue
            summaries = page.get(m.result_key)
            limits = [(self.page_size, f"page_size={self.page_size}")]
            if self.max_results:
                limits.append((self.max_results, f"max_results={self.max_results}"))
            limits.append((m.max_page_size, f"the {m.max_page_size} the service ever sends"))
            for limit, name in limits:
                if (
                    isinstance(summaries, list)
                    and isinstance(limit, int)
                    and len(summaries) > limit
                ):
                    out.append(
                        Violation(
                            f"pages[{index}].{m.result_key}",
                            summaries,
                            f"has {len(summaries)} jobs, more than {name}",
                        )
                    )
                    break
            token = page.get(m.output_token)
            needs_token = index < last or self.error is not None
            if needs_token and token is None:
                why = "another page follows" if index < last else "an error follows"
                out.append(
                    Violation(f"pages[{index}].{m.output_token}", None, f"missing, but {why}")
                )
            elif not needs_token and token is not None:
                out.append(
                    Violation(
                        f"pages[{index}].{m.output_token}",
                        token,
                        "the last page carries a token but no page or error follows",
                    )
                )
            if token is not None:
                if token == "":
                    out.append(Violation(f"pages[{index}].{m.output_token}", token, "empty token"))
                if token in _generate.UNUSABLE_TOKENS:
                    out.append(
                        Violation(
                            f"pages[{index}].{m.output_token}",
                            token,
                            "botocore's paginator reads this token as no token at all",
                        )
                    )
                if token in seen:
                    out.append(
                        Violation(
                            f"pages[{index}].{m.output_token}",
                            token,
                            "repeats an earlier token (botocore's paginator raises on it)",
                        )
                    )
                seen.add(token)
        if coherent:
            out.extend(
                job_history_violations(self.jobs, app_id=self.app_id, branch_name=self.branch_name)
            )
        return out

    def validate(self) -> None:
        """Raise :class:`InvalidListJobsResponse` listing every violation, if there are any."""
        if self._trusted:
            return
        violations = self.violations()
        if violations:
            raise InvalidListJobsResponse(violations)

    def add_to(self, stubber: Stubber) -> ListJobsChain:
        """Queue every call of this chain on a botocore ``Stubber`` and return the chain.

        Each response is a copy. Parameters are checked as the chain states them (``maxResults``
        only when ``max_results`` is set) and a mismatch names each differing parameter. The
        error, if any, is queued through ``add_client_error`` with the model's HTTP status.

        >>> from botocore.stub import Stubber
        >>> from pytest_amplify_jobs._client import make_client
        >>> client = make_client()
        >>> chain = generate_chain(jobs=3, page_size=2)
        >>> with Stubber(client) as stubber:
        ...     _ = chain.add_to(stubber)
        ...     page = client.list_jobs(appId=chain.app_id, branchName=chain.branch_name)
        >>> page["jobSummaries"] == list(chain.jobs[:2])
        True
        """
        check_stubber(stubber)
        self.queue_on(stubber)
        return self

    def queue_on(self, stubber: Stubber) -> list[Expectation]:
        """Like :meth:`add_to`, returning the queued expectations in order."""
        self.validate()
        m = _model.model()
        install_probe(stubber.client)
        expectations = []
        for index, page in enumerate(self.pages[: self.queued_calls]):
            expectation = Expectation(self, index)
            response = copy_page(page) if self._trusted else copy_response(page)
            # validate() accepted every page, departures of the service included, which
            # botocore's own add_response refuses (it requires what the model requires).
            _botocore.queue_trusted(
                stubber, _model.OPERATION_NAME, m.method_name, response, expectation
            )
            expectations.append(expectation)
        if self.error is not None and self.queued_calls > len(self.pages):
            response = self.error_response()
            expectation = Expectation(self, len(self.pages))
            # add_client_error builds the same response from its parts (and sets the status).
            meta = {k: v for k, v in response["ResponseMetadata"].items() if k != "HTTPStatusCode"}
            stubber.add_client_error(
                m.method_name,
                service_error_code=self.error.code,
                service_message=self.error.message,
                http_status_code=self.error.http_status,
                expected_params=expectation,
                response_meta=meta,
                modeled_fields={"message": response["message"]} if "message" in response else None,
            )
            expectations.append(expectation)
        return expectations

    def error_response(self) -> dict[str, Any]:
        """The parsed response botocore builds for the chain's error: ``Error``, the modeled
        ``message`` field, and ``ResponseMetadata`` with the model's HTTP status, dated just
        after the last page."""
        error = self.error
        if error is None:
            raise ValueError("this chain has no error")
        when = _generate.EPOCH
        if self.pages:
            when = email.utils.parsedate_to_datetime(
                self.pages[-1]["ResponseMetadata"]["HTTPHeaders"]["date"]
            )
        response: dict[str, Any] = {
            "ResponseMetadata": _wire.response_metadata(
                _wire.request_id(len(self.pages) + 7919 * len(self.jobs)),
                when,
                status=error.http_status,
                length=len(_wire.error_body(error.message)),
                error_code=error.code,
            ),
            "Error": {"Message": error.message, "Code": error.code},
        }
        if "message" in _model.model().error_fields.get(error.code, ()):
            response["message"] = error.message
        return response


# --------------------------------------------------------------------------------- the builder


AFTER_LAST = -1


@dataclass(frozen=True)
class ChainSpec:
    """Checked arguments of one chain; the same for the strategy and ``generate_chain``."""

    app_id: str | None = None
    branch_name: str | None = None
    region: str | None = None
    min_jobs: int = 0
    max_jobs: int | None = None
    page_size: int | None = None
    max_results: int | None = None
    error_codes: tuple[str, ...] = ()  # codes the chain may end with; empty: no error
    error_chance: int = 0  # percent; 100 means always
    error_at: int | None = None  # None: drawn; AFTER_LAST: the call after the last page
    fixed_error: ListJobsError | None = None
    realistic: bool = True
    scenario: Scenario = ANY_SCENARIO
    model_complete: bool = False  # jobs with every member the model requires (no departures)


def check_stubber(stubber: object, name: str = "stubber") -> None:
    """A botocore ``Stubber`` of an Amplify client, or a clear error naming what it is."""
    from botocore.stub import Stubber

    if not isinstance(stubber, Stubber):
        raise TypeError(
            f"{name}={short_repr(stubber)} must be a botocore.stub.Stubber of an Amplify client "
            "(Stubber(boto3.client('amplify')))"
        )
    service = stubber.client.meta.service_model.service_name
    if service != _model.SERVICE_NAME:
        raise ValueError(
            f"{name}={short_repr(stubber)} stubs a {service!r} client; ListJobs pages need a "
            f"Stubber of an {_model.SERVICE_NAME!r} client"
        )


def _page_size_for(c: Choices, spec: ChainSpec) -> int:
    if spec.page_size is not None:
        return spec.page_size
    if spec.max_results:
        return spec.max_results
    return c.integer(1, _model.model().max_page_size)


def build_chain(c: Choices, spec: ChainSpec) -> ListJobsChain:
    """Draw a whole chain: branch, history, page split, tokens, error, response metadata."""
    ctx = _generate.draw_context(
        c,
        app_id=spec.app_id,
        branch_name=spec.branch_name,
        region=spec.region,
        realistic=spec.realistic,
        complete=spec.model_complete,
    )
    page_size = _page_size_for(c, spec)
    jobs = _generate.draw_history(
        c, ctx, min_size=spec.min_jobs, max_size=spec.max_jobs, scenario=spec.scenario
    )
    chunks = _generate.split_pages(c, jobs, page_size, spec.realistic)
    error: ListJobsError | None = None
    if spec.error_codes and (spec.error_chance >= 100 or c.chance(spec.error_chance)):
        error = spec.fixed_error or ListJobsError.of(c.sampled(spec.error_codes))
        if spec.error_at is None:
            chunks = chunks[: c.integer(0, len(chunks))]
        elif spec.error_at != AFTER_LAST:
            chunks = chunks[: spec.error_at]
    # Few choices per chain: the token salt and request ids derive from the branch's identity.
    salt = _generate.mix(ctx.identity, 8) & _generate.FLAVOUR_MAX
    tokens = _generate.unique_tokens(c, len(chunks), spec.realistic, salt)
    return ListJobsChain._generated(
        app_id=ctx.app_id,
        branch_name=ctx.branch_name,
        pages=_finish_pages(chunks, tokens, jobs, error is not None, rid_seed=salt),
        page_size=page_size,
        max_results=spec.max_results,
        error=error,
        region=ctx.region,
    )


def _finish_pages(
    chunks: list[list[dict[str, Any]]],
    tokens: list[str],
    jobs: Sequence[dict[str, Any]],
    error_follows: bool,
    *,
    rid_seed: int,
) -> list[dict[str, Any]]:
    m = _model.model()
    # Responses are dated a little after the newest activity of the branch.
    newest = _generate.EPOCH
    if jobs:
        newest = max(jobs[0].get("endTime", jobs[0]["startTime"]), jobs[0]["startTime"])
    now = newest + dt.timedelta(minutes=5)
    pages: list[dict[str, Any]] = []
    last = len(chunks) - 1
    for index, chunk in enumerate(chunks):
        page: dict[str, Any] = {m.result_key: chunk}
        if index < last or error_follows:
            page[m.output_token] = tokens[index]
        page["ResponseMetadata"] = _wire.response_metadata(
            _wire.request_id(rid_seed + index),
            now + dt.timedelta(seconds=index),
        )
        pages.append(page)
    return pages


def generate_chain(
    *,
    jobs: int = 20,
    page_size: int | None = None,
    max_results: int | None = None,
    error: str | ListJobsError | None = None,
    error_at: int | None = None,
    app_id: str | None = None,
    branch_name: str | None = None,
    seed: int = 0,
    realistic: bool = True,
    region: str | None = None,
    calls: int | None = None,
    statuses: Sequence[str] | None = None,
    newest: Sequence[str] | None = None,
    job_types: Sequence[str] | None = None,
    model_complete: bool = False,
) -> ListJobsChain:
    """A seeded chain, fast and without a Hypothesis run: the same seed gives the same chain.

    Keyword arguments are the fields of :class:`GenerateOptions`: ``jobs`` (20) is the size of
    the branch history (at most 100,000). ``page_size`` (1..50, the model's maxResults range)
    defaults to ``max_results`` when that is set, else is drawn from the seed. ``error`` (a
    modeled error code or a :class:`ListJobsError`) answers call ``error_at`` (0-based,
    default: the call after the last page); only the pages before it are served, and
    ``chain.jobs`` holds only the jobs those pages carry. ``app_id``, ``branch_name``,
    ``region`` (drawn when None), ``seed`` (0) and ``realistic`` (True) complete the list.
    ``calls`` (None: every call) queues only the first ``calls`` ListJobs calls of the listing,
    for code that reads the newest page(s) only; ``chain.jobs`` is still the whole history.

    The scenario keywords pin what the test is about; the rest of the history is generated,
    coherent: ``statuses`` (the statuses any job may have), ``newest`` (the statuses of the
    newest jobs, newest first) and ``job_types``. A request no coherent history can meet (two
    builds in flight, a queued job older than a finished one) is a ``ValueError`` naming the
    rule (see :func:`~pytest_amplify_jobs.validate_job_history`).

    The branch's jobs come from one kind of app, drawn (one in four deployed manually) unless
    ``job_types`` decide: a repository's builds (webhook, RELEASE, RETRY) or manual deploys,
    never both (coherence rule ``one-kind``). Jobs are listed as the service lists them,
    departures included (see ``departures()``: a manual deploy has no commit, and ``jobType``
    ``"MANUAL"`` or none; a RELEASE of ``HEAD`` no ``commitMessage`` and no ``jobType``);
    ``model_complete=True`` gives every job every member the model requires. Times are as
    botocore hands them out: aware, in ``tzlocal()``, with milliseconds.

    >>> [all("jobType" in job for job in generate_chain(jobs=20, model_complete=complete).jobs)
    ...  for complete in (False, True)]
    [False, True]
    >>> [job["status"] for job in generate_chain(jobs=5, newest=["PENDING", "RUNNING"]).jobs][:2]
    ['PENDING', 'RUNNING']
    >>> {job["status"] for job in generate_chain(jobs=20, statuses=["FAILED"]).jobs}
    {'FAILED'}

    >>> chain = generate_chain(jobs=3, page_size=2, error="LimitExceededException", error_at=1)
    >>> len(chain.pages), len(chain.jobs), chain.error.http_status
    (1, 2, 429)
    >>> newest = generate_chain(jobs=200, page_size=50, calls=1)
    >>> newest.queued_calls, len(newest.pages), len(newest.jobs), "nextToken" in newest.pages[0]
    (1, 4, 200, True)
    """
    # The signature spells the options out for type checkers and editors; a test keeps it equal
    # to GenerateOptions, which checks them.
    return chain_from(
        GenerateOptions(
            jobs=jobs,
            page_size=page_size,
            max_results=max_results,
            error=error,
            error_at=error_at,
            app_id=app_id,
            branch_name=branch_name,
            seed=seed,
            realistic=realistic,
            region=region,
            calls=calls,
            statuses=statuses,
            newest=newest,
            job_types=job_types,
            model_complete=model_complete,
        )
    )


def chain_from(options: GenerateOptions) -> ListJobsChain:
    """The chain ``options`` describe (already checked)."""
    error = options.error_obj
    error_at = options.error_at
    spec = ChainSpec(
        app_id=options.app_id,
        branch_name=options.branch_name,
        region=options.region,
        min_jobs=options.jobs,
        max_jobs=options.jobs,
        page_size=options.page_size,
        max_results=options.max_results,
        error_codes=(error.code,) if error else (),
        error_chance=100 if error else 0,
        error_at=AFTER_LAST if error_at is None else error_at,
        fixed_error=error,
        realistic=options.realistic,
        scenario=options.scenario,
        model_complete=options.model_complete,
    )
    chain = build_chain(RandomChoices(options.seed), spec)
    if error is not None and error_at is not None and chain.call_count - 1 != error_at:
        raise ValueError(
            f"error_at={error_at} is beyond the chain: {options.jobs} jobs make "
            f"{chain.call_count - 1} pages of up to {chain.page_size}, so error_at must be "
            f"0..{chain.call_count - 1}"
        )
    if options.calls is not None:
        if options.calls > chain.call_count:
            raise ValueError(
                f"calls={options.calls} is beyond the chain: {options.jobs} jobs make "
                f"{chain.call_count} ListJobs call(s) of up to {chain.page_size} jobs, so calls "
                f"must be 1..{chain.call_count}"
            )
        object.__setattr__(chain, "calls", options.calls)
    return chain

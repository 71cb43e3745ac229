"""``ListJobsChain`` and ``ListJobsError``: the plain data a test stubs and asserts on.

A chain is the sequence of ListJobs calls one listing makes: pages in order, the token that
links each page to the next, and optionally a modeled error answering the call after the last
page. It knows nothing of pytest; :meth:`ListJobsChain.add_to` queues it on any botocore
``Stubber`` through :mod:`pytest_amplify_jobs._stubbing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from pytest_amplify_jobs import _generate, _model
from pytest_amplify_jobs._validate import (
    InvalidListJobsResponse,
    Violation,
    request_violations,
    response_violations,
)

if TYPE_CHECKING:
    from botocore.stub import Stubber

    from pytest_amplify_jobs._choices import Choices
    from pytest_amplify_jobs._types import JobSummary, ListJobsPage

__all__ = ["ListJobsChain", "ListJobsError", "generate_chain"]

_REPR_JOBS = 12


@dataclass(frozen=True)
class ListJobsError:
    """A modeled ListJobs error: its code, the model's HTTP status for it, and a message.

    >>> ListJobsError.of("LimitExceededException")
    ListJobsError(code='LimitExceededException', http_status=429, message='Rate exceeded')
    """

    code: str
    http_status: int
    message: str

    @classmethod
    def of(cls, code: str, message: str | None = None) -> ListJobsError:
        """The error for a modeled ``code``, with the model's HTTP status."""
        errors = _model.model().errors
        if code not in errors:
            raise ValueError(
                f"error={code!r} is not a modeled ListJobs error; allowed: {', '.join(errors)}"
            )
        return cls(
            code, errors[code], message if message is not None else _generate.error_message(code)
        )


def _describe_jobs(jobs: Sequence[Mapping[str, Any]]) -> str:
    def one(job: Mapping[str, Any]) -> str:
        return f"#{job.get('jobId')} {job.get('status')} {job.get('jobType')}"

    if len(jobs) <= _REPR_JOBS:
        return ", ".join(one(j) for j in jobs)
    head = ", ".join(one(j) for j in jobs[: _REPR_JOBS // 2])
    tail = ", ".join(one(j) for j in jobs[-_REPR_JOBS // 2 :])
    return f"{head}, ... {len(jobs) - _REPR_JOBS} more ..., {tail}"


@dataclass(frozen=True, init=False, repr=False)
class ListJobsChain:
    """Everything a test needs to stub one ListJobs listing and to assert on its result.

    ``pages`` are complete ListJobs responses in order (with ``ResponseMetadata``); ``jobs`` is
    every summary those pages carry, in order; ``error``, when set, answers the call after the
    last page. ``max_results`` is the ``maxResults`` the caller is expected to send (``None``:
    not checked, any value or none is accepted).

    >>> chain = generate_chain(jobs=5, page_size=2, seed=1)
    >>> [len(p["jobSummaries"]) for p in chain.pages]
    [2, 2, 1]
    >>> chain.expected_params(1)["nextToken"] == chain.pages[0]["nextToken"]
    True
    """

    app_id: str
    branch_name: str
    pages: tuple[ListJobsPage, ...]
    page_size: int
    max_results: int | None
    error: ListJobsError | None
    jobs: tuple[JobSummary, ...]
    region: str
    # Generated chains are valid by construction and skip re-validation when queued.
    _trusted: bool = field(default=False, compare=False)

    def __init__(
        self,
        *,
        app_id: str,
        branch_name: str,
        pages: Iterable[ListJobsPage] | Iterable[Mapping[str, Any]],
        page_size: int | None = None,
        max_results: int | None = None,
        error: ListJobsError | None = None,
        region: str = "us-east-1",
        _trusted: bool = False,
    ) -> None:
        pages = tuple(pages)
        if not pages and error is None:
            raise ValueError(
                "pages=() is empty; an empty listing is one page with no jobs "
                "(only a chain whose first call fails has no pages)"
            )
        if error is not None and not isinstance(error, ListJobsError):
            raise TypeError(f"error={error!r} must be a ListJobsError or None")
        result_key = _model.model().result_key
        jobs: list[dict[str, Any]] = []
        for page in pages:
            if isinstance(page, Mapping):
                jobs.extend(page.get(result_key) or ())
        if page_size is None:
            page_size = (
                max(
                    (len(p.get(result_key) or ()) for p in pages if isinstance(p, Mapping)),
                    default=1,
                )
                or 1
            )
        set_ = object.__setattr__
        set_(self, "app_id", app_id)
        set_(self, "branch_name", branch_name)
        set_(self, "pages", pages)
        set_(self, "page_size", page_size)
        set_(self, "max_results", max_results)
        set_(self, "error", error)
        set_(self, "jobs", tuple(jobs))
        set_(self, "region", region)
        set_(self, "_trusted", _trusted)

    def __repr__(self) -> str:
        m = _model.model()
        shown: list[str] = []
        budget = 2 * _REPR_JOBS
        for page in self._raw_pages:
            jobs = page.get(m.result_key) or ()
            if shown and budget <= 0:
                break
            shown.append(f"[{_describe_jobs(jobs)}]")
            budget -= min(len(jobs), _REPR_JOBS)
        text = " | ".join(shown)
        if len(shown) < len(self.pages):
            text += f" | ... {len(self.pages) - len(shown)} more pages"
        error = f", error={self.error.code} at call {self.error_at}" if self.error else ""
        return (
            f"ListJobsChain(app_id={self.app_id!r}, branch_name={self.branch_name!r}, "
            f"page_size={self.page_size}, max_results={self.max_results}, "
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
    def error_at(self) -> int | None:
        """The 0-based call that raises ``error``, or None."""
        return len(self.pages) if self.error is not None else None

    def expected_params(self, i: int) -> dict[str, Any]:
        """The parameters of call ``i`` (0-based). ``maxResults`` only when ``max_results`` is set."""
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.call_count:
            raise ValueError(
                f"i={i!r} is not a call of this chain; allowed: 0..{self.call_count - 1}"
            )
        m = _model.model()
        params: dict[str, Any] = {"appId": self.app_id, "branchName": self.branch_name}
        if i > 0:
            params[m.input_token] = self._raw_pages[i - 1][m.output_token]
        if self.max_results is not None:
            params[m.limit_key] = self.max_results
        return params

    def violations(self) -> list[Violation]:
        """Every way this chain breaks the model or the pagination contract (empty if none)."""
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
            or self.page_size < 1
        ):
            out.append(Violation("page_size", self.page_size, "must be a positive integer"))
        seen: set[str] = set()
        last = len(self.pages) - 1
        for index, page in enumerate(self._raw_pages):
            for v in response_violations(page):
                out.append(Violation(f"pages[{index}].{v.path}", v.value, v.rule))
            if not isinstance(page, Mapping):
                continue
            summaries = page.get(m.result_key)
            if (
                isinstance(summaries, list)
                and isinstance(self.page_size, int)
                and len(summaries) > self.page_size
            ):
                out.append(
                    Violation(
                        f"pages[{index}].{m.result_key}",
                        summaries,
                        f"has {len(summaries)} jobs, more than page_size={self.page_size}",
                    )
                )
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
        """
        from pytest_amplify_jobs._stubbing import queue_chain

        queue_chain(stubber, self)
        return self


# ------------------------------------------------------------------------- argument checking


def check_int(
    exc: type[Exception],
    name: str,
    value: object,
    lo: int,
    hi: int | None = None,
    *,
    none_ok: bool = False,
) -> None:
    if value is None and none_ok:
        return
    allowed = f"an integer from {lo} to {hi}" if hi is not None else f"an integer >= {lo}"
    if none_ok:
        allowed += " or None"
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < lo
        or (hi is not None and value > hi)
    ):
        raise exc(f"{name}={value!r} is not allowed; expected {allowed}")


def check_bool(exc: type[Exception], name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise exc(f"{name}={value!r} must be True or False")


def check_seed(exc: type[Exception], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise exc(f"seed={value!r} must be an integer")


def check_request_value(exc: type[Exception], name: str, member: str, value: object) -> None:
    """``app_id`` / ``branch_name``: None, or a value the model's request rule accepts."""
    if value is None:
        return
    m = _model.model()
    violations = request_violations({"appId": "d0", "branchName": "m", member: value})
    if violations:
        raise exc(
            f"{name}={_model.short_repr(value)} is rejected by the model: {violations[0].rule}; "
            f"expected {m.describe_limit(member)}",
        )


def check_choices(
    exc: type[Exception], name: str, values: object, allowed: Sequence[str]
) -> tuple[str, ...] | None:
    """A non-empty collection drawn from ``allowed``, or None for all of them."""
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise exc(f"{name}={values!r} must be a collection of strings from: {', '.join(allowed)}")
    chosen = tuple(dict.fromkeys(values))
    if not chosen:
        raise exc(f"{name}={values!r} is empty; give at least one of: {', '.join(allowed)}")
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise exc(
            f"{name}={values!r} has {', '.join(map(repr, unknown))}, which the model does not know; "
            f"allowed: {', '.join(allowed)}",
        )
    return chosen


def check_sizes(
    exc: type[Exception], min_name: str, min_value: object, max_name: str, max_value: object
) -> None:
    check_int(exc, min_name, min_value, 0)
    check_int(exc, max_name, max_value, 0, none_ok=True)
    assert isinstance(min_value, int)
    if max_value is not None and min_value > max_value:  # type: ignore[operator]
        raise exc(f"{min_name}={min_value!r} is greater than {max_name}={max_value!r}")


def check_paging(exc: type[Exception], page_size: object, max_results: object) -> None:
    m = _model.model()
    check_int(exc, "page_size", page_size, 1, m.max_page_size, none_ok=True)
    limit = m.request_rules[m.limit_key]
    check_int(exc, "max_results", max_results, limit.min or 0, limit.max, none_ok=True)
    if (
        isinstance(page_size, int)
        and isinstance(max_results, int)
        and max_results > 0
        and page_size > max_results
    ):
        raise exc(
            f"page_size={page_size} is greater than max_results={max_results}; the service never "
            "returns more jobs than the maxResults the caller sends",
        )


def check_region(exc: type[Exception], region: object) -> None:
    if region is None:
        return
    if not isinstance(region, str) or not region:
        raise exc(f"region={region!r} must be a region name such as 'us-east-1'")


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
    )
    page_size = _page_size_for(c, spec)
    jobs = _generate.draw_history(c, ctx, min_size=spec.min_jobs, max_size=spec.max_jobs)
    chunks = _generate.split_pages(c, jobs, page_size, spec.realistic)
    error: ListJobsError | None = None
    if spec.error_codes and (spec.error_chance >= 100 or c.chance(spec.error_chance)):
        error = spec.fixed_error or ListJobsError.of(c.sampled(spec.error_codes))
        if spec.error_at is None:
            chunks = chunks[: c.integer(0, len(chunks))]
        elif spec.error_at != AFTER_LAST:
            chunks = chunks[: spec.error_at]
    tokens = _generate._unique_tokens(c, len(chunks), spec.realistic)
    return ListJobsChain(
        app_id=ctx.app_id,
        branch_name=ctx.branch_name,
        pages=_finish_pages(c, chunks, tokens, jobs, error is not None),
        page_size=page_size,
        max_results=spec.max_results,
        error=error,
        region=ctx.region,
        _trusted=True,
    )


def _finish_pages(
    c: Choices,
    chunks: list[list[dict[str, Any]]],
    tokens: list[str],
    jobs: Sequence[dict[str, Any]],
    error_follows: bool,
) -> list[dict[str, Any]]:
    m = _model.model()
    # Responses are dated a little after the newest activity of the branch.
    newest = _generate._EPOCH
    if jobs:
        newest = max(jobs[0].get("endTime", jobs[0]["startTime"]), jobs[0]["startTime"])
    now = newest + dt.timedelta(minutes=5)
    rid_seed = c.integer(0, 2**32 - 1)
    pages: list[dict[str, Any]] = []
    last = len(chunks) - 1
    for index, chunk in enumerate(chunks):
        page: dict[str, Any] = {m.result_key: chunk}
        if index < last or error_follows:
            page[m.output_token] = tokens[index]
        page["ResponseMetadata"] = _generate.response_metadata(
            _generate.request_id(rid_seed + index),
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
) -> ListJobsChain:
    """A seeded chain, fast and without a Hypothesis run: the same seed gives the same chain.

    ``jobs`` is the size of the branch history. ``page_size`` (1..50, the model's maxResults
    range) defaults to ``max_results`` when that is set, else is drawn from the seed. ``error``
    (a modeled error code or a :class:`ListJobsError`) answers call ``error_at`` (0-based,
    default: the call after the last page); only the pages before it are served, and
    ``chain.jobs`` holds only the jobs those pages carry.

    >>> chain = generate_chain(jobs=3, page_size=2, error="LimitExceededException", error_at=1)
    >>> len(chain.pages), len(chain.jobs), chain.error.http_status
    (1, 2, 429)
    """
    from pytest_amplify_jobs._choices import RandomChoices

    m = _model.model()
    check_int(ValueError, "jobs", jobs, 0)
    check_paging(ValueError, page_size, max_results)
    check_request_value(ValueError, "app_id", "appId", app_id)
    check_request_value(ValueError, "branch_name", "branchName", branch_name)
    check_region(ValueError, region)
    check_seed(ValueError, seed)
    check_bool(ValueError, "realistic", realistic)
    error_obj: ListJobsError | None
    if error is None:
        error_obj = None
    elif isinstance(error, ListJobsError):
        ListJobsError.of(error.code)  # still a modeled code
        error_obj = error
    elif isinstance(error, str):
        error_obj = ListJobsError.of(error)
    else:
        raise ValueError(
            f"error={error!r} must be a modeled error code ({', '.join(m.errors)}), "
            "a ListJobsError, or None"
        )
    if error_at is not None and error_obj is None:
        raise ValueError(
            f"error_at={error_at!r} is set but error is not; give error, one of: {', '.join(m.errors)}"
        )
    check_int(ValueError, "error_at", error_at, 0, none_ok=True)
    spec = ChainSpec(
        app_id=app_id,
        branch_name=branch_name,
        region=region,
        min_jobs=jobs,
        max_jobs=jobs,
        page_size=page_size,
        max_results=max_results,
        error_codes=(error_obj.code,) if error_obj else (),
        error_chance=100 if error_obj else 0,
        error_at=AFTER_LAST if error_at is None else error_at,
        fixed_error=error_obj,
        realistic=realistic,
    )
    chain = build_chain(RandomChoices(seed), spec)
    if error_obj is not None and error_at is not None and chain.call_count - 1 != error_at:
        raise ValueError(
            f"error_at={error_at} is beyond the chain: {jobs} jobs make {chain.call_count - 1} "
            f"pages of up to {chain.page_size}, so error_at must be 0..{chain.call_count - 1}"
        )
    return chain

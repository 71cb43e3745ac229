"""Strict validation of Amplify requests and responses against the installed botocore model.

botocore's own ``Stubber`` checks only required members, types and minimum lengths: it accepts
``jobId="abc"``, ``status="BOGUS"`` or a 3000-character ``nextToken``. These validators check every
rule the model states (patterns as full matches, enums, maximum lengths, integer ranges, unknown
members) and report *all* violations at once, one per line, each with its path.

Responses are checked against what the *service* sends: a member it leaves out although the
model requires it, or a value outside an enum that it sends anyway, is allowed when it is a
recorded departure (:mod:`._departures`) for that operation, in the combination its row
describes (a summary with its commit but no ``jobType`` is refused: the service leaves
``jobType`` out only with no commit at all, or with commit ``HEAD``). ``model_strict=True``
checks the model alone; its messages name the departure a violation is.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._departures import (
    Departure,
    explained,
    missing_departure,
    value_departure,
)
from pytest_amplify_jobs._text import short_repr

if TYPE_CHECKING:
    from botocore.model import Shape

__all__ = [
    "InvalidData",
    "InvalidListJobsRequest",
    "InvalidListJobsResponse",
    "InvalidRequest",
    "InvalidResponse",
    "Violation",
    "validate_list_jobs_request",
    "validate_list_jobs_response",
    "validate_request",
    "validate_response",
]


@dataclass(frozen=True)
class Violation:
    """One broken rule: where, what value, which rule."""

    path: str
    value: Any = field(repr=False)  # the rule quotes it safely; a hostile repr stays out
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}"


# A message lists this many violations and counts the rest: 10**5 bad jobs stay readable.
SHOWN_VIOLATIONS = 20


class InvalidData(ValueError):
    """Data that breaks the installed Amplify model; ``violations`` lists every broken rule."""

    what = "Amplify data"

    def __init__(
        self,
        violations: Sequence[Violation],
        operation: str | None = None,
        *,
        subject: str | None = None,
    ) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        self.operation = operation
        count = len(self.violations)
        shown = [f"  {v}" for v in self.violations[:SHOWN_VIOLATIONS]]
        if count > SHOWN_VIOLATIONS:
            shown.append(f"  ... and {count - SHOWN_VIOLATIONS} more")
        what = self.what.replace("{operation}", operation or _model.OPERATION_NAME)
        super().__init__(
            (f"{subject}: " if subject else "")
            + f"{what} breaks the {_model.SERVICE_NAME} service model "
            f"({count} violation{'s' if count != 1 else ''}):\n" + "\n".join(shown)
        )


class InvalidResponse(InvalidData):
    """A response (of any Amplify operation) that the real service could not have sent."""

    what = "{operation} response"


class InvalidRequest(InvalidData):
    """Request parameters (of any Amplify operation) that the real service would reject."""

    what = "{operation} request"


class InvalidListJobsResponse(InvalidResponse):
    """A ListJobs response that the real service could not have sent."""

    what = "ListJobs response"


class InvalidListJobsRequest(InvalidRequest):
    """ListJobs request parameters that the real service would reject."""

    what = "ListJobs request"


@dataclass(frozen=True)
class _Reading:
    """How a value is read: the operation whose answer it is (None: a request, where the
    service departs from nothing), and whether departures count as violations."""

    operation: str | None = None
    strict: bool = True


_REQUEST = _Reading()


def _departure_note(found: Departure | None, elsewhere: tuple[Departure, ...]) -> str:
    """What a violation that is (or is elsewhere) a recorded departure says about it."""
    if found is not None:
        return f"; a known departure of the service ({found.name}), accepted unless model_strict"
    if elsewhere:
        if all(row.operations for row in elsewhere):
            operations = sorted({op for row in elsewhere for op in row.operations})
            where = "only in " + ", ".join(operations) + " answers"
        else:
            where = elsewhere[0].where()
        names = ", ".join(row.name for row in elsewhere)
        return f"; the service does this {where} ({names}), not here"
    return ""


def _check_scalar(rule: _model.Rule, value: Any, path: str, out: list[Violation]) -> None:
    shown = short_repr(value)
    if rule.type_name == "string":
        if not isinstance(value, str):
            out.append(Violation(path, value, f"{shown} is not a string ({rule.shape_name})"))
            return
        if rule.enum:
            if value not in rule.enum:
                out.append(Violation(path, value, f"{shown} is not one of {', '.join(rule.enum)}"))
            return
        if rule.min is not None and len(value) < rule.min:
            out.append(
                Violation(path, value, f"{shown} is shorter than the minimum length {rule.min}")
            )
        if rule.max is not None and len(value) > rule.max:
            out.append(
                Violation(
                    path,
                    value,
                    f"{shown} has length {len(value)}, more than the maximum {rule.max}",
                )
            )
        if rule.regex is not None and rule.regex.fullmatch(value) is None:
            out.append(Violation(path, value, f"{shown} does not match {rule.pattern}"))
    elif rule.type_name in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(Violation(path, value, f"{shown} is not an integer ({rule.shape_name})"))
            return
        if rule.min is not None and value < rule.min:
            out.append(Violation(path, value, f"{shown} is less than the minimum {rule.min}"))
        if rule.max is not None and value > rule.max:
            out.append(Violation(path, value, f"{shown} is greater than the maximum {rule.max}"))
    elif rule.type_name == "timestamp":
        if not isinstance(value, dt.datetime):
            out.append(Violation(path, value, f"{shown} is not a datetime ({rule.shape_name})"))
        elif value.tzinfo is None or value.utcoffset() is None:
            out.append(
                Violation(
                    path,
                    value,
                    f"{shown} is a naive datetime; botocore returns timezone-aware datetimes "
                    "(use tzinfo=datetime.timezone.utc)",
                )
            )
    elif rule.type_name == "boolean" and not isinstance(value, bool):
        out.append(Violation(path, value, f"{shown} is not a boolean ({rule.shape_name})"))


def _check_structure(
    shape: Shape,
    value: Any,
    path: str,
    out: list[Violation],
    reading: _Reading = _REQUEST,
    *,
    allowed_extra: tuple[str, ...] = (),
) -> None:
    prefix = f"{path}." if path else ""
    if not isinstance(value, Mapping):
        out.append(
            Violation(path or "<top>", value, f"{short_repr(value)} is not a dict ({shape.name})")
        )
        return
    members: Mapping[str, Shape] = shape.members  # type: ignore[attr-defined]
    missing = [name for name in shape.required_members if name not in value]
    if missing:
        _check_missing(shape.name, value, missing, prefix, out, reading)
    for name, item in value.items():
        if name in allowed_extra:
            continue
        member = members.get(name)
        if member is None:
            out.append(
                Violation(
                    prefix + str(name),
                    item,
                    f"unknown member of {shape.name} (allowed: {', '.join(members)})",
                )
            )
        elif item is None:
            out.append(
                Violation(
                    prefix + name,
                    None,
                    "None is not allowed (leave an optional member out instead)",
                )
            )
        else:
            if reading.operation is not None and getattr(member, "enum", None):
                found, elsewhere = value_departure(shape.name, name, item, reading.operation)
                if found is not None and not reading.strict:
                    continue
                if found is not None or elsewhere:
                    before = len(out)
                    _check(member, item, prefix + name, out, reading)
                    note = _departure_note(found, elsewhere)
                    out[before:] = [Violation(v.path, v.value, v.rule + note) for v in out[before:]]
                    continue
            _check(member, item, prefix + name, out, reading)


def _check_missing(
    shape_name: str,
    value: Mapping[str, Any],
    missing: list[str],
    prefix: str,
    out: list[Violation],
    reading: _Reading,
) -> None:
    """Required members left out: allowed when a departure recorded for this operation
    explains them, in the combination its row describes (see ``Departure.explains``), unless
    the reading is model-strict, which names the departure."""
    if reading.operation is None:
        for name in missing:
            out.append(Violation(prefix + name, None, f"missing (required by {shape_name})"))
        return
    together = frozenset(missing)
    rows = explained(shape_name, value, together, reading.operation)
    for name in missing:
        row = rows.get(name)
        if row is not None and not reading.strict:
            continue
        if row is not None:
            note = _departure_note(row, ())
        else:
            note = _combination_note(shape_name, name, reading.operation)
        out.append(Violation(prefix + name, None, f"missing (required by {shape_name}){note}"))


def _combination_note(shape_name: str, member: str, operation: str) -> str:
    """What a missing member no row explains says: the rows that leave it out in this
    operation's answers but in another combination, else where the service does it."""
    found, elsewhere = missing_departure(shape_name, member, operation)
    if found is None:
        return _departure_note(None, elsewhere)
    here = [row for row in elsewhere if row.applies_to(operation)]
    shown = "; ".join(f"{row.name}: {row.combination()}" for row in here)
    return f"; the service leaves it out only in another combination ({shown}), not this one"


def _check(shape: Shape, value: Any, path: str, out: list[Violation], reading: _Reading) -> None:
    if shape.type_name == "structure":
        _check_structure(shape, value, path, out, reading)
    elif shape.type_name == "list":
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            out.append(Violation(path, value, f"{short_repr(value)} is not a list ({shape.name})"))
            return
        meta = shape.metadata
        if meta.get("min") is not None and len(value) < meta["min"]:
            out.append(Violation(path, value, f"has {len(value)} items, fewer than {meta['min']}"))
        if meta.get("max") is not None and len(value) > meta["max"]:
            out.append(Violation(path, value, f"has {len(value)} items, more than {meta['max']}"))
        member = shape.member  # type: ignore[attr-defined]
        for index, item in enumerate(value):
            _check(member, item, f"{path}[{index}]", out, reading)
    else:
        _check_scalar(_rule(shape), value, path, out)


def _rule(shape: Shape) -> _model.Rule:
    # Rules are cached per shape name: the same shape is checked thousands of times per page.
    rule = _RULES.get(shape.name)
    if rule is None:
        rule = _RULES[shape.name] = _model.rule_for(shape)
    return rule


_RULES: dict[str, _model.Rule] = {}


def _output_shape(operation: str) -> Shape:
    shape = _model.operation(operation).output_shape
    assert shape is not None
    return shape


def _input_shape(operation: str) -> Shape:
    shape = _model.operation(operation).input_shape
    assert shape is not None
    return shape


def metadata_violations(metadata: Any, path: str = "ResponseMetadata") -> list[Violation]:
    """Every way ``ResponseMetadata`` differs from what botocore builds."""
    if not isinstance(metadata, Mapping):
        return [Violation(path, metadata, f"{short_repr(metadata)} is not a dict")]
    out: list[Violation] = []
    status = metadata.get("HTTPStatusCode")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
    ):
        out.append(
            Violation(
                f"{path}.HTTPStatusCode", status, f"{short_repr(status)} is not an HTTP status"
            )
        )
    for key, kind in (("RequestId", str), ("HostId", str), ("RetryAttempts", int)):
        value = metadata.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kind)):
            out.append(
                Violation(f"{path}.{key}", value, f"{short_repr(value)} is not a {kind.__name__}")
            )
    headers = metadata.get("HTTPHeaders")
    if headers is not None and (
        not isinstance(headers, Mapping)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        out.append(
            Violation(
                f"{path}.HTTPHeaders", headers, f"{short_repr(headers)} is not a dict of strings"
            )
        )
    return out


def _total(check: Any) -> Any:
    """Make a violations function total: any Python object in, a list of violations out.

    A value whose ``__eq__``, ``__len__``, ``items()`` or ``__iter__`` raises (or recurses
    without end) is reported as a violation at the top instead of escaping as an exception.
    """

    @functools.wraps(check)
    def total(
        value: Any, operation: str = _model.OPERATION_NAME, **keywords: bool
    ) -> list[Violation]:
        shape_check = _output_shape if check.__name__.startswith("response") else _input_shape
        shape_check(operation)  # an unknown operation is the caller's mistake: ValueError
        try:
            result: list[Violation] = check(value, operation, **keywords)
        except (Exception, RecursionError) as error:
            return [
                Violation(
                    "<top>",
                    value,
                    f"{short_repr(value)} could not be read as data "
                    f"({type(error).__name__}: {short_repr(str(error), 80)})",
                )
            ]
        return result

    return total


@_total
def response_violations(
    response: Any, operation: str = _model.OPERATION_NAME, *, model_strict: bool = False
) -> list[Violation]:
    """Every rule a response of ``operation`` breaks (empty when it is valid); the service's
    recorded departures from its model are not violations unless ``model_strict``."""
    out: list[Violation] = []
    reading = _Reading(operation, model_strict)
    _check_structure(
        _output_shape(operation), response, "", out, reading, allowed_extra=("ResponseMetadata",)
    )
    if isinstance(response, Mapping) and "ResponseMetadata" in response:
        out += metadata_violations(response["ResponseMetadata"])
        status = response["ResponseMetadata"]
        status = status.get("HTTPStatusCode") if isinstance(status, Mapping) else None
        if isinstance(status, int) and not 200 <= status <= 299:
            out.append(
                Violation(
                    "ResponseMetadata.HTTPStatusCode",
                    status,
                    f"{status} is an error status, but the response has no Error; queue errors "
                    "as errors (add_client_error, ListJobsError)",
                )
            )
    return out


@_total
def request_violations(params: Any, operation: str = _model.OPERATION_NAME) -> list[Violation]:
    """Every rule a set of request parameters of ``operation`` breaks."""
    out: list[Violation] = []
    _check_structure(_input_shape(operation), params, "", out)
    return out


def validate_response(
    operation: str, response: Mapping[str, Any], *, model_strict: bool = False
) -> None:
    """Check a response of any Amplify operation strictly against the installed model and
    what the service really sends.

    ``ResponseMetadata`` is allowed at the top level. A departure of the service from its model
    recorded for ``operation`` (see ``departures()``: members it leaves out, enum values it
    sends anyway) is accepted in the combination its row describes; ``model_strict=True``
    checks the model alone. Raises :class:`InvalidResponse` listing every violation with its
    path:

    >>> validate_response("StartDeployment", {"jobSummary": {
    ...     "jobArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1abc/branches/main/jobs/0000000002",
    ...     "jobId": "2", "status": "PENDING"}})
    >>> validate_response("GetJob", {"job": {"summary": {}, "steps": []}})
    Traceback (most recent call last):
    ...
    pytest_amplify_jobs._validate.InvalidResponse: GetJob response breaks the amplify service model (4 violations):
      job.summary.jobArn: missing (required by JobSummary)
      job.summary.jobId: missing (required by JobSummary)
      job.summary.startTime: missing (required by JobSummary); the service does this only in StartDeployment, StartJob answers (start-deployment-summary, start-job-summary), not here
      job.summary.status: missing (required by JobSummary)
    """
    _check_strict_flag(model_strict)
    violations = response_violations(response, operation, model_strict=model_strict)
    if violations:
        raise InvalidResponse(violations, operation)


def _check_strict_flag(model_strict: object) -> None:
    if not isinstance(model_strict, bool):
        raise TypeError(f"model_strict={short_repr(model_strict)} must be a bool (True or False)")


def validate_request(operation: str, params: Mapping[str, Any]) -> None:
    """Check request parameters of any Amplify operation strictly against the installed model.

    >>> validate_request("GetJob", {"appId": "d1", "branchName": "main", "jobId": "x"})
    Traceback (most recent call last):
    ...
    pytest_amplify_jobs._validate.InvalidRequest: GetJob request breaks the amplify service model (1 violation):
      jobId: 'x' does not match [0-9]+
    """
    violations = request_violations(params, operation)
    if violations:
        raise InvalidRequest(violations, operation)


def validate_list_jobs_response(response: Mapping[str, Any], *, model_strict: bool = False) -> None:
    """Check a ListJobs response strictly against the installed botocore model and what the
    service really sends (``model_strict=True``: the model alone; see ``validate_response``).

    ``ResponseMetadata`` is allowed at the top level. Raises :class:`InvalidListJobsResponse`
    listing every violation, one per line, with its path, the (shortened) bad value and the rule:

    >>> validate_list_jobs_response({"jobSummaries": [{"jobId": "abc"}]})
    Traceback (most recent call last):
    ...
    pytest_amplify_jobs._validate.InvalidListJobsResponse: ListJobs response breaks the amplify service model (4 violations):
    ...
      jobSummaries[0].jobId: 'abc' does not match [0-9]+
    """
    _check_strict_flag(model_strict)
    violations = response_violations(response, model_strict=model_strict)
    if violations:
        raise InvalidListJobsResponse(violations)


def validate_list_jobs_request(params: Mapping[str, Any]) -> None:
    """Check ListJobs request parameters (``appId``, ``branchName``, ``nextToken``, ``maxResults``).

    >>> validate_list_jobs_request({"appId": "XYZ", "branchName": "main"})
    Traceback (most recent call last):
    ...
    pytest_amplify_jobs._validate.InvalidListJobsRequest: ListJobs request breaks the amplify service model (1 violation):
      appId: 'XYZ' does not match d[a-z0-9]+
    """
    violations = request_violations(params)
    if violations:
        raise InvalidListJobsRequest(violations)

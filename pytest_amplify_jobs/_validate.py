"""Strict validation of ListJobs requests and responses against the installed botocore model.

botocore's own ``Stubber`` checks only required members, types and minimum lengths: it accepts
``jobId="abc"``, ``status="BOGUS"`` or a 3000-character ``nextToken``. These validators check every
rule the model states (patterns as full matches, enums, maximum lengths, integer ranges, unknown
members) and report *all* violations at once, one per line, each with its path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_amplify_jobs import _model

if TYPE_CHECKING:
    from botocore.model import Shape

__all__ = [
    "InvalidListJobsRequest",
    "InvalidListJobsResponse",
    "Violation",
    "validate_list_jobs_request",
    "validate_list_jobs_response",
]


@dataclass(frozen=True)
class Violation:
    """One broken rule: where, what value, which rule."""

    path: str
    value: Any
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}"


class _InvalidListJobs(ValueError):
    what = "ListJobs data"

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        count = len(self.violations)
        lines = "\n".join(f"  {v}" for v in self.violations)
        super().__init__(
            f"{self.what} breaks the {_model.SERVICE_NAME} service model "
            f"({count} violation{'s' if count != 1 else ''}):\n{lines}"
        )


class InvalidListJobsResponse(_InvalidListJobs):
    """A ListJobs response that the real service could not have sent."""

    what = "ListJobs response"


class InvalidListJobsRequest(_InvalidListJobs):
    """ListJobs request parameters that the real service would reject."""

    what = "ListJobs request"


def _check_scalar(rule: _model.Rule, value: Any, path: str, out: list[Violation]) -> None:
    shown = _model.short_repr(value)
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
    *,
    allowed_extra: tuple[str, ...] = (),
) -> None:
    prefix = f"{path}." if path else ""
    if not isinstance(value, Mapping):
        out.append(
            Violation(
                path or "<top>", value, f"{_model.short_repr(value)} is not a dict ({shape.name})"
            )
        )
        return
    members: Mapping[str, Shape] = shape.members  # type: ignore[attr-defined]
    for name in shape.required_members:
        if name not in value:
            out.append(Violation(prefix + name, None, f"missing (required by {shape.name})"))
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
            _check(member, item, prefix + name, out)


def _check(shape: Shape, value: Any, path: str, out: list[Violation]) -> None:
    if shape.type_name == "structure":
        _check_structure(shape, value, path, out)
    elif shape.type_name == "list":
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
            out.append(
                Violation(path, value, f"{_model.short_repr(value)} is not a list ({shape.name})")
            )
            return
        meta = shape.metadata
        if meta.get("min") is not None and len(value) < meta["min"]:
            out.append(Violation(path, value, f"has {len(value)} items, fewer than {meta['min']}"))
        if meta.get("max") is not None and len(value) > meta["max"]:
            out.append(Violation(path, value, f"has {len(value)} items, more than {meta['max']}"))
        member = shape.member  # type: ignore[attr-defined]
        for index, item in enumerate(value):
            _check(member, item, f"{path}[{index}]", out)
    else:
        _check_scalar(_rule(shape), value, path, out)


def _rule(shape: Shape) -> _model.Rule:
    # Rules are cached per shape name: the same shape is checked thousands of times per page.
    rule = _RULES.get(shape.name)
    if rule is None:
        rule = _RULES[shape.name] = _model.rule_for(shape)
    return rule


_RULES: dict[str, _model.Rule] = {}


def response_violations(response: Any) -> list[Violation]:
    """Every rule a ListJobs response breaks (empty when it is valid)."""
    out: list[Violation] = []
    _check_structure(_model.output_shape(), response, "", out, allowed_extra=("ResponseMetadata",))
    if isinstance(response, Mapping) and "ResponseMetadata" in response:
        metadata = response["ResponseMetadata"]
        if not isinstance(metadata, Mapping):
            out.append(
                Violation(
                    "ResponseMetadata", metadata, f"{_model.short_repr(metadata)} is not a dict"
                )
            )
    return out


def request_violations(params: Any) -> list[Violation]:
    """Every rule a set of ListJobs request parameters breaks."""
    out: list[Violation] = []
    _check_structure(_model.input_shape(), params, "", out)
    return out


def validate_list_jobs_response(response: Mapping[str, Any]) -> None:
    """Check a ListJobs response strictly against the installed botocore model.

    ``ResponseMetadata`` is allowed at the top level. Raises :class:`InvalidListJobsResponse`
    listing every violation, one per line, with its path, the (shortened) bad value and the rule:

    >>> validate_list_jobs_response({"jobSummaries": [{"jobId": "abc", ...}]})
    Traceback (most recent call last):
    InvalidListJobsResponse: ListJobs response breaks the amplify service model (...):
      jobSummaries[0].jobId: 'abc' does not match [0-9]+
    """
    violations = response_violations(response)
    if violations:
        raise InvalidListJobsResponse(violations)


def validate_list_jobs_request(params: Mapping[str, Any]) -> None:
    """Check ListJobs request parameters (``appId``, ``branchName``, ``nextToken``, ``maxResults``).

    >>> validate_list_jobs_request({"appId": "XYZ", "branchName": "main"})
    Traceback (most recent call last):
    InvalidListJobsRequest: ListJobs request breaks the amplify service model (1 violation):
      appId: 'XYZ' does not match d[a-z0-9]+
    """
    violations = request_violations(params)
    if violations:
        raise InvalidListJobsRequest(violations)

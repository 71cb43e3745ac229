"""Argument checks shared by every public entry point.

Each check takes the exception class to raise (``ValueError`` for plain functions, Hypothesis's
``InvalidArgument`` for strategies) and names the parameter, the value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._text import short_repr
from pytest_amplify_jobs._validate import request_violations

__all__ = [
    "check_bool",
    "check_choices",
    "check_int",
    "check_paging",
    "check_region",
    "check_request_value",
    "check_seed",
    "check_sizes",
]


def check_int(
    exc: type[Exception],
    name: str,
    value: object,
    lo: int,
    hi: int | None = None,
    *,
    none_ok: bool = False,
) -> None:
    """An ``int`` (not a ``bool``) in ``lo..hi``, or None when ``none_ok``.

    >>> check_int(ValueError, "jobs", -1, 0)
    Traceback (most recent call last):
    ValueError: jobs=-1 is not allowed; expected an integer >= 0
    """
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
        raise exc(f"{name}={short_repr(value)} is not allowed; expected {allowed}")


def check_bool(exc: type[Exception], name: str, value: object) -> None:
    """Exactly ``True`` or ``False`` (``"yes"`` and ``1`` are mistakes, not truthy values)."""
    if not isinstance(value, bool):
        raise exc(f"{name}={short_repr(value)} must be True or False")


def check_seed(exc: type[Exception], value: object, name: str = "seed") -> None:
    """Any ``int`` (not a ``bool``)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise exc(f"{name}={short_repr(value)} must be an integer")


def check_request_value(exc: type[Exception], name: str, member: str, value: object) -> None:
    """``app_id`` / ``branch_name``: None, or a value the model's request rule accepts."""
    if value is None:
        return
    m = _model.model()
    violations = request_violations({"appId": "d0", "branchName": "m", member: value})
    if violations:
        raise exc(
            f"{name}={short_repr(value)} is rejected by the model: {violations[0].rule}; "
            f"expected {m.describe_limit(member)}",
        )


def check_choices(
    exc: type[Exception], name: str, values: object, allowed: Sequence[str]
) -> tuple[str, ...] | None:
    """A non-empty collection drawn from ``allowed``, or None for all of them."""
    if values is None:
        return None
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise exc(
            f"{name}={short_repr(values)} must be a collection of strings from: {', '.join(allowed)}"
        )
    items = list(values)
    unhashable = [v for v in items if not isinstance(v, str)]
    if unhashable:
        raise exc(
            f"{name}={short_repr(values)} has {short_repr(unhashable[0])}, which is not a string; "
            f"allowed: {', '.join(allowed)}"
        )
    chosen = tuple(dict.fromkeys(items))
    if not chosen:
        raise exc(
            f"{name}={short_repr(values)} is empty; give at least one of: {', '.join(allowed)}"
        )
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise exc(
            f"{name}={short_repr(values)} has {', '.join(map(repr, unknown))}, which the model "
            f"does not know; allowed: {', '.join(allowed)}",
        )
    return chosen


def check_sizes(
    exc: type[Exception],
    min_name: str,
    min_value: object,
    max_name: str,
    max_value: object,
    *,
    limit: int | None = None,
) -> None:
    """Two sizes ``0 <= min <= max`` (``max`` may be None), each at most ``limit``."""
    check_int(exc, min_name, min_value, 0, limit)
    check_int(exc, max_name, max_value, 0, limit, none_ok=True)
    assert isinstance(min_value, int)
    if isinstance(max_value, int) and min_value > max_value:
        raise exc(f"{min_name}={min_value!r} is greater than {max_name}={max_value!r}")


def check_paging(exc: type[Exception], page_size: object, max_results: object) -> None:
    """``page_size`` 1..the model's page maximum; ``max_results`` in the model's range."""
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


def check_region(exc: type[Exception], region: object, *, none_ok: bool = True) -> None:
    """A region name botocore's endpoint data recognises (``us-east-1``, ``cn-north-1``...).

    >>> check_region(ValueError, "us east 1")
    Traceback (most recent call last):
    ValueError: region='us east 1' must be a region name such as 'us-east-1' (one that botocore's partitions recognise)
    """
    if region is None and none_ok:
        return
    if not isinstance(region, str) or not _model.is_region(region):
        raise exc(
            f"region={short_repr(region)} must be a region name such as 'us-east-1' "
            "(one that botocore's partitions recognise)"
        )

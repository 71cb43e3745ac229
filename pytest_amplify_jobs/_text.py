"""Wording shared by every module: short values in messages, call descriptions, opt-out hints.

Plain functions on plain values: no botocore, no Hypothesis, no pytest. Messages quote user
values through :func:`short_repr`, which never raises and never grows without bound, whatever
the value's ``__repr__`` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REFUSED_OPT_OUT = (
    "If that is intended, opt out with @pytest.mark.amplify_jobs(assert_no_refused_calls=False) "
    "(fixtures) or stub_list_jobs(..., assert_no_refused_calls=False)."
)
OPT_OUT = (
    "If that is intended, opt out with @pytest.mark.amplify_jobs(assert_all_consumed=False) "
    "(fixtures) or stub_list_jobs(..., assert_all_consumed=False)."
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr`` cut to ``limit`` characters, for error messages about long values.

    >>> short_repr("x" * 100, limit=30)
    "'xxxxxxxxxxxxx...xxxxxxx' (len 100)"
    """
    try:
        text = repr(value)
    except Exception as error:  # a hostile __repr__ must not hide the message it is quoted in
        text = f"<{type(value).__name__} whose repr raised {type(error).__name__}>"
    if len(text) <= limit:
        return text
    try:
        size = str(len(value))
    except Exception:
        size = "?"
    return f"{text[: limit - 15]}...{text[-8:]} (len {size})"


def method_name(operation: str) -> str:
    """botocore's client method name for an operation (``ListJobs`` -> ``list_jobs``).

    >>> method_name("ListJobs"), method_name("GetApp")
    ('list_jobs', 'get_app')
    """
    return _CAMEL.sub("_", operation).lower()


def call_text(operation: str, params: Mapping[str, Any], width: int = 40) -> str:
    """A call as code would write it, values shortened.

    >>> call_text("ListJobs", {"appId": "d1", "branchName": "main"})
    "list_jobs(appId='d1', branchName='main')"
    """
    shown = ", ".join(f"{k}={short_repr(v, width)}" for k, v in params.items())
    return f"{method_name(operation)}({shown})"


def bullet_list(title: str, lines: Iterable[str]) -> str:
    """``title`` then one ``  - line`` per line."""
    return "\n".join([title, *(f"  - {line}" for line in lines)])


def pending_message(pending: list[str]) -> str:
    """The teardown message for queued calls that were never made.

    >>> print(pending_message(["call 1 of chain d1/main"]))  # doctest: +ELLIPSIS
    1 queued call(s) were never made:
      - call 1 of chain d1/main
    The code under test stopped listing early, or never listed. If that is intended, ...
    """
    return (
        bullet_list(f"{len(pending)} queued call(s) were never made:", pending)
        + "\nThe code under test stopped listing early, or never listed. "
        + OPT_OUT
    )


def refused_message(refused: list[str]) -> str:
    """The teardown message for calls the plugin refused (the code may have swallowed them).

    >>> print(refused_message(["get_app(appId='d1') was refused: ..."]))  # doctest: +ELLIPSIS
    1 Amplify call(s) were refused during the test (nothing was sent):
      - get_app(appId='d1') was refused: ...
    The code under test may have caught the error and carried on. If that is intended, ...
    """
    return (
        bullet_list(
            f"{len(refused)} Amplify call(s) were refused during the test (nothing was sent):",
            refused,
        )
        + "\nThe code under test may have caught the error and carried on. "
        + REFUSED_OPT_OUT
    )

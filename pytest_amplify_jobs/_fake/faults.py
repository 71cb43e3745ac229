"""Scripted faults: errors the fake answers instead of data, counted per matching call.

A fault matches the calls of its operation (any operation that models its code when it names
none), its app and its branch. ``after_calls=N``: N matching calls pass, then ``times`` fail.
Each fault counts its own matching calls; when two are due at once, the older one answers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._fake.errors import ServiceError

__all__ = ["Fault", "Faults", "fault_error", "operation_errors"]


@dataclass
class Fault:
    code: str
    times: int
    after_calls: int
    app_id: str | None
    branch_name: str | None
    operation: str | None = None
    message: str | None = None  # None: the service's message for the code and operation


class Faults:
    """The faults scripted so far, in the order they were scripted."""

    def __init__(self) -> None:
        self.scripted: list[Fault] = []

    def __bool__(self) -> bool:
        return bool(self.scripted)

    def add(self, fault: Fault) -> None:
        self.scripted.append(fault)

    def take(
        self, app_id: str | None, branch_name: str | None, operation: str
    ) -> tuple[str, str | None] | None:
        """The code (and message) this call fails with, if a fault is due; counts the call.

        Every matching fault counts the call, each its own: the oldest fault due answers it,
        and the call counts for the others' ``after_calls`` all the same.
        """
        due: Fault | None = None
        for fault in self.scripted:
            if fault.times <= 0:
                continue
            if fault.operation not in (None, operation) or not models(operation, fault.code):
                continue
            if fault.app_id not in (None, app_id) or fault.branch_name not in (None, branch_name):
                continue
            if fault.after_calls > 0:
                fault.after_calls -= 1
            elif due is None:
                due = fault
        if due is None:
            return None
        due.times -= 1
        return due.code, due.message

    def raise_due(self, app_id: str | None, branch_name: str | None, operation: str) -> None:
        """Raise the fault this call gets, if one is due (the call is counted either way)."""
        due = self.take(app_id, branch_name, operation)
        if due is not None:
            raise fault_error(due, operation)


def fault_error(due: tuple[str, str | None], operation: str) -> ServiceError:
    """The error of a fault taken by ``operation``: its message, or the service's for its code."""
    code, message = due
    return ServiceError(code, message or _model.model().error_message(code, operation))


def models(operation: str, code: str) -> bool:
    """Whether ``operation`` can answer ``code``: its modeled errors, and the common errors
    AWS's front end sends for every operation."""
    return code in operation_errors(operation) or code in _model.common_error_codes()


@functools.cache
def operation_errors(operation: str) -> frozenset[str]:
    """The error codes ``operation`` models.

    >>> sorted(operation_errors("GetJob"))[:2]
    ['BadRequestException', 'InternalFailureException']
    """
    return frozenset(shape.name for shape in _model.operation(operation).error_shapes)

"""``ListJobsError``: a modeled error a chain, an intercept queue or the fake answers with."""

from __future__ import annotations

from dataclasses import dataclass

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._text import short_repr

__all__ = ["ListJobsError"]


@dataclass(frozen=True)
class ListJobsError:
    """A modeled ListJobs error: its code, the model's HTTP status for it, and a message.

    >>> ListJobsError.of("LimitExceededException")
    ListJobsError(code='LimitExceededException', http_status=429, message='Rate exceeded')
    """

    code: str
    http_status: int
    message: str

    def __post_init__(self) -> None:
        errors = _model.model().errors
        if not isinstance(self.code, str) or self.code not in errors:
            raise ValueError(
                f"code={short_repr(self.code)} is not a modeled ListJobs error; allowed: "
                f"{', '.join(errors)}"
            )
        status = self.http_status
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(
                f"http_status={short_repr(status)} is not an error status; expected an integer "
                f"from 400 to 599 (the model's for {self.code}: {errors[self.code]})"
            )
        if not isinstance(self.message, str):
            raise TypeError(f"message={short_repr(self.message)} must be a string")

    @classmethod
    def of(cls, code: str, message: str | None = None) -> ListJobsError:
        """The error for a modeled ``code``, with the model's HTTP status."""
        m = _model.model()
        if not isinstance(code, str) or code not in m.errors:
            raise ValueError(
                f"error={short_repr(code)} is not a modeled ListJobs error; allowed: "
                f"{', '.join(m.errors)}"
            )
        return cls(code, m.errors[code], message if message is not None else m.error_message(code))

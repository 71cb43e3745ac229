"""``ListJobsError``: an error a chain, an intercept queue or the fake answers ListJobs with.

Either one of the operation's *modeled* errors (botocore raises its own exception class) or a
*common* error AWS's front end sends for any operation (``ThrottlingException``,
``ExpiredTokenException``...; botocore raises a plain ``ClientError`` with the code). The HTTP
status, headers and message of both come from :mod:`._model`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._text import short_repr

__all__ = ["ListJobsError"]


@dataclass(frozen=True)
class ListJobsError:
    """A ListJobs error: its code, the HTTP status AWS sends it with, and a message.

    >>> ListJobsError.of("LimitExceededException")
    ListJobsError(code='LimitExceededException', http_status=429, message='A service quota of Amplify was exceeded by ListJobs.')
    >>> ListJobsError.of("ExpiredTokenException").http_status, ListJobsError.of("ExpiredTokenException").modeled
    (403, False)
    """

    code: str
    http_status: int
    message: str

    def __post_init__(self) -> None:
        allowed = _model.all_error_codes()
        if not isinstance(self.code, str) or self.code not in allowed:
            raise ValueError(
                f"code={short_repr(self.code)} is neither a modeled ListJobs error nor a common "
                f"AWS error; allowed: {', '.join(allowed)}"
            )
        status = self.http_status
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError(
                f"http_status={short_repr(status)} is not an error status; expected an integer "
                f"from 400 to 599 (AWS's for {self.code}: {_model.error_status(self.code)})"
            )
        if not isinstance(self.message, str):
            raise TypeError(f"message={short_repr(self.message)} must be a string")

    @property
    def modeled(self) -> bool:
        """Whether ListJobs' model lists the code (False: a common error of AWS's front end)."""
        return _model.is_modeled(self.code)

    @property
    def headers(self) -> dict[str, str]:
        """The headers AWS sends with this error (``x-amzn-errortype``)."""
        return _model.error_fact(self.code).headers

    @classmethod
    def of(cls, code: str, message: str | None = None) -> ListJobsError:
        """The error for ``code`` (modeled or common), with the HTTP status AWS sends it with."""
        fact = _model.error_fact(code, name="code")
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message={short_repr(message)} must be a string or None")
        return cls(code, fact.http_status, message if message is not None else fact.message)

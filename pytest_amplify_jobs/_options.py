"""One keyword-only options object for generated chains.

``generate_chain``, the ``.generate()`` of every fixture, the ``amplify_jobs`` marker and the
command line all read :class:`GenerateOptions`: its fields are the one list of options, and its
constructor is the one place they are checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_amplify_jobs import _model
from pytest_amplify_jobs._checks import (
    check_bool,
    check_int,
    check_paging,
    check_region,
    check_request_value,
    check_seed,
)
from pytest_amplify_jobs._coherence import Scenario, check_scenario
from pytest_amplify_jobs._errors import ListJobsError
from pytest_amplify_jobs._text import short_repr

__all__ = ["MAX_JOBS", "GenerateOptions"]

# Histories are built in memory: a bound turns generate_chain(jobs=10**9) into a clear error
# instead of a MemoryError half a minute later. 100,000 jobs take about a second.
MAX_JOBS = 100_000


@dataclass(frozen=True, kw_only=True)
class GenerateOptions:
    """The options of a generated chain, checked when constructed.

    Jobs depart from the model as the service's do (see ``departures()``: manual deploys
    without a commit, ``jobType`` ``MANUAL`` or none; a branch's jobs of one app kind...); ``model_complete=True`` gives every member the model
    requires.

    >>> GenerateOptions(jobs=5, page_size=2).page_size
    2
    >>> GenerateOptions(jobs=-1)
    Traceback (most recent call last):
    ValueError: jobs=-1 is not allowed; expected an integer from 0 to 100000
    """

    jobs: int = 20
    page_size: int | None = None
    max_results: int | None = None
    error: str | ListJobsError | None = None
    error_at: int | None = None
    app_id: str | None = None
    branch_name: str | None = None
    seed: int = 0
    realistic: bool = True
    region: str | None = None
    calls: int | None = None
    statuses: Sequence[str] | None = None
    newest: Sequence[str] | None = None
    job_types: Sequence[str] | None = None
    model_complete: bool = False

    def __post_init__(self) -> None:
        check_int(ValueError, "jobs", self.jobs, 0, MAX_JOBS)
        # Impossible requests name the coherence rule they break.
        scenario = check_scenario(
            ValueError, statuses=self.statuses, newest=self.newest, job_types=self.job_types
        )
        scenario.check_size(ValueError, "jobs", self.jobs)
        object.__setattr__(self, "statuses", scenario.statuses)
        object.__setattr__(self, "newest", scenario.newest or None)
        object.__setattr__(self, "job_types", scenario.job_types)
        check_paging(ValueError, self.page_size, self.max_results)
        check_request_value(ValueError, "app_id", "appId", self.app_id)
        check_request_value(ValueError, "branch_name", "branchName", self.branch_name)
        check_region(ValueError, self.region)
        check_seed(ValueError, self.seed)
        check_bool(ValueError, "realistic", self.realistic)
        check_bool(ValueError, "model_complete", self.model_complete)
        m = _model.model()
        error = self.error
        if error is not None and not isinstance(error, (str, ListJobsError)):
            raise ValueError(
                f"error={short_repr(error)} must be a modeled error code ({', '.join(m.errors)}), "
                "a ListJobsError, or None"
            )
        if isinstance(error, str):
            object.__setattr__(
                self, "error", ListJobsError.of(_model.error_fact(error, name="error").code)
            )
        if self.error_at is not None and error is None:
            raise ValueError(
                f"error_at={short_repr(self.error_at)} is set but error is not; give error, "
                f"one of: {', '.join(m.errors)}"
            )
        check_int(ValueError, "error_at", self.error_at, 0, none_ok=True)
        check_int(ValueError, "calls", self.calls, 1, none_ok=True)

    @property
    def scenario(self) -> Scenario:
        """What the options pin about the history (checked by the constructor)."""
        return Scenario(
            tuple(self.statuses) if self.statuses else None,
            tuple(self.newest or ()),
            tuple(self.job_types) if self.job_types else None,
        )

    @property
    def error_obj(self) -> ListJobsError | None:
        """``error`` as a :class:`ListJobsError` (the constructor converts codes)."""
        assert not isinstance(self.error, str)
        return self.error

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every option, in order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def check_keys(cls, kwargs: Mapping[str, Any], where: str) -> None:
        """``TypeError`` naming unknown keys and the allowed ones."""
        unknown = [k for k in kwargs if k not in cls.names()]
        if unknown:
            raise TypeError(
                f"{where} got unknown keyword argument(s) {', '.join(sorted(unknown))}; "
                f"allowed: {', '.join(cls.names())}"
            )

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any], where: str) -> GenerateOptions:
        """Options from keyword arguments, unknown keys named."""
        cls.check_keys(kwargs, where)
        return cls(**kwargs)

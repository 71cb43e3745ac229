"""The fake's pagination tokens: issued by the listings, checked when they come back.

Jobs' tokens (ListJobs) remember the branch, the last job id served and the branch's
generation, so that a branch served anew (``add_branch`` again, ``expire_tokens``) refuses its
old tokens as the service refuses expired ones. Every other listing's token remembers the
operation, its owner (an app, a job) and an offset. Tokens are opaque, seeded and never reused.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from pytest_amplify_jobs._fake.errors import ServiceError

__all__ = ["JobsToken", "Tokens"]

T = TypeVar("T")

_BAD = "BadRequestException"


@dataclass(frozen=True)
class JobsToken:
    """Where a ListJobs page ended: continue below ``after_job_id`` of that branch."""

    app_id: str
    branch_name: str
    after_job_id: int
    generation: int


class Tokens:
    """Every token the fake issued, by kind (jobs' and the other listings')."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.issued = 0  # tokens issued so far: derives the next one
        self.jobs: dict[str, JobsToken] = {}
        self.listings: dict[str, tuple[str, str | None, int]] = {}  # token -> (op, owner, offset)

    def _new(self, key: object, after: int) -> str:
        self.issued += 1
        digest = hashlib.sha256(f"{self.seed}:{self.issued}:{key}:{after}".encode()).digest()
        return base64.urlsafe_b64encode(digest + digest[:12]).decode()

    # ----------------------------------------------------------------------------- ListJobs

    def issue_jobs(self, app_id: str, branch_name: str, after_job_id: int, generation: int) -> str:
        """The token of the page after the job ``after_job_id`` of a branch."""
        token = self._new((app_id, branch_name), after_job_id)
        self.jobs[token] = JobsToken(app_id, branch_name, after_job_id, generation)
        return token

    def jobs_after(self, text: str, app_id: str, branch_name: str, generation: int) -> int:
        """The job id a ListJobs token continues below, or the service's refusal."""
        token = self.jobs.get(text)
        if token is None:
            raise ServiceError(_BAD, "Invalid nextToken: not issued by this service")
        if (token.app_id, token.branch_name) != (app_id, branch_name):
            raise ServiceError(
                _BAD, f"Invalid nextToken: issued for {token.app_id}/{token.branch_name}"
            )
        if token.generation != generation:
            raise ServiceError(_BAD, "Invalid nextToken: the token has expired")
        return token.after_job_id

    def forget_branch(self, app_id: str, branch_name: str) -> None:
        """A branch went: its tokens go with it."""
        self.jobs = {
            text: token
            for text, token in self.jobs.items()
            if (token.app_id, token.branch_name) != (app_id, branch_name)
        }

    # ------------------------------------------------------------------- the other listings

    def offset(self, operation: str, owner: str | None, text: str | None) -> int:
        """Where a listing's page starts: 0 without a token, else where the token says."""
        if text is None:
            return 0
        token = self.listings.get(text)
        if token is None or token[:2] != (operation, owner):
            raise ServiceError(_BAD, "Invalid nextToken: not issued for this listing")
        return token[2]

    def issue_offset(
        self, operation: str, owner: str | None, offset: int, total: int
    ) -> str | None:
        """The token of the page at ``offset`` (None: no such page, the listing ended)."""
        if offset >= total:
            return None
        token = self._new((operation, owner or ""), offset)
        self.listings[token] = (operation, owner, offset)
        return token

    def page(
        self, operation: str, owner: str | None, items: Sequence[T], text: str | None, size: int
    ) -> tuple[list[T], str | None]:
        """One page of ``items`` (in their order) and the token of the next (None: the last)."""
        start = self.offset(operation, owner, text)
        end = start + size
        return list(items[start:end]), self.issue_offset(operation, owner, end, len(items))

    def expire(self) -> None:
        """Every listing token issued so far goes stale (jobs' by their branch's generation)."""
        self.listings.clear()

"""The fake's resources beside apps, branches and jobs: webhooks, domain associations, backend
environments, and the tags of every ARN.

Typed records (one class per resource, each with the one method that turns it into the
service's shape) kept by :class:`Resources`, which the :class:`~.state.Store` holds as
``store.resources``. No HTTP and no botocore here: handlers in :mod:`.handlers` call it under
``store.lock`` and it raises :class:`~.errors.ServiceError` for the service's refusals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_amplify_jobs._fake.state import Store

__all__ = ["Resources", "ResourcesFacade"]


class Resources:
    """The store's webhooks, domain associations, backend environments and tags."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def forget_branch(self, app_id: str, branch_name: str) -> None:
        """A branch was deleted: what belongs to it goes (its webhooks, its sub-domains)."""

    def forget_app(self, app_id: str) -> None:
        """An app was deleted: everything of it goes."""

    def receive_webhook(self, path: str, body: bytes) -> tuple[int, bytes]:
        """A POST to a webhook URL the fake handed out: starts a WEB_HOOK job on its branch."""
        return 404, b'{"message": "webhook not found"}'


class ResourcesFacade:
    """The fake's public methods for these resources (``FakeListJobs`` inherits them): set up
    and script webhooks, domain associations and backend environments from a test."""

    _store: Store

"""The errors the fake service answers with, and the texts the service writes in them.

Kept apart from the store so that every part of the store (:mod:`.state`, :mod:`.resources`)
raises the same :class:`ServiceError`, and every message lives in one table.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "NOT_FOUND", "ServiceError"]

NOT_FOUND = "NotFoundException"

# What the service writes in its refusals, where it is published (the source beside each);
# the rest is our wording, in the same style (the README's error table says which).
MESSAGES = {
    # aws-amplify/amplify-backend#1528, #2137
    "deployment-unfinished": (
        "The last job(deployment) {} was not finished, please wait until it finish or use "
        "StopJob operation to cancel it before creating a new deployment."
    ),
    # aws-amplify/amplify-backend#1528
    "deployment-no-source": "Must specify jobId or sourceUrl for StartDeploymentRequest.",
    # aws/aws-sdk#121
    "manual-job-type": "The requested jobType MANUAL does not support.",
    # aws-amplify/amplify-hosting#2361, aws-amplify/amplify-cli#12143
    "branch-not-found": "Branch {} not found.",
    # aws-amplify/amplify-cli#4837: a deployment to an app connected to a repository
    "repository-app": "Operation not supported. App is already connected a repository.",
    # ours (unpublished): a build of an app that has no repository; in the style of the above
    "manual-app": "Operation not supported. App is not connected to a repository.",
    # ours (unpublished), in the style of the branch message
    "app-not-found": "App {} not found.",
    "job-not-found": "Job {} not found.",
    "deployment-not-found": "Deployment {} not found.",
    "deployment-started": "Deployment {} was already started ({}).",
    # aws-amplify/amplify-hosting#2604 (CreateBranch of an existing branch, HTTP 400)
    "branch-exists": "Failed to create branch. The branch {} already exists for the app {}",
    # ours (unpublished), in the style of the above
    "branch-limit": "Failed to create branch. The app {} already has the maximum of {} branches.",
    "artifact-not-found": "Artifact {} not found.",
    "resource-not-found": "Resource {} not found.",
    "tag-limit": "Resource {} cannot have more than {} tags.",
    "log-range": "startTime must not be after endTime.",
    # ours: the service's texts for webhooks, domain associations and backend environments are
    # not published (tests/published/FACTS.md §6); in the style of its "Branch dev not found."
    "webhook-not-found": "Webhook {} not found.",
    "domain-not-found": "Domain association {} not found.",
    "domain-exists": "Domain {} is already associated with app {}.",
    "domain-no-sub-domains": "Domain {} needs at least one sub-domain setting.",
    "sub-domain-twice": "Sub-domain prefix '{}' is set more than once.",
    "backend-not-found": "Backend environment {} not found.",
    "backend-exists": "Backend environment {} already exists.",
}


class ServiceError(Exception):
    """An error the service answers with: a code of the model and its message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

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
}


class ServiceError(Exception):
    """An error the service answers with: a code of the model and its message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

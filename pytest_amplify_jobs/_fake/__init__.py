"""The fake Amplify service: state (:mod:`.state`), HTTP (:mod:`.wire`), the mode (:mod:`.service`)."""

from __future__ import annotations

from pytest_amplify_jobs._fake.service import FakeListJobs, FakeServiceError, fake_list_jobs
from pytest_amplify_jobs._fake.state import default_page_size
from pytest_amplify_jobs._fake.wire import FakeRequest

__all__ = ["FakeListJobs", "FakeRequest", "FakeServiceError", "default_page_size", "fake_list_jobs"]

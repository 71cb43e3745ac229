"""The fake Amplify service: state (:mod:`.state`), HTTP (:mod:`.wire`), the mode (:mod:`.service`)."""

from __future__ import annotations

from pytest_amplify_jobs._fake.service import AmplifyFake, AmplifyFakeError, fake_amplify
from pytest_amplify_jobs._fake.state import default_page_size
from pytest_amplify_jobs._fake.wire import FakeRequest

__all__ = ["AmplifyFake", "AmplifyFakeError", "FakeRequest", "default_page_size", "fake_amplify"]

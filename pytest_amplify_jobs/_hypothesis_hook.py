"""``st.from_type`` support: the Hypothesis entry point (``[project.entry-points.hypothesis]``).

Hypothesis calls :func:`_hypothesis_setup_hook` at the end of ``import hypothesis``, so this
module must stay cheap and must not import our strategies (they import Hypothesis). It
registers this package's TypedDicts at once, and registers the types-boto3 / mypy-boto3
``JobSummaryTypeDef`` and ``ListJobsResultTypeDef`` only when their modules are imported: those
stub packages take a tenth of a second to import, which no Hypothesis user should pay for
nothing. A tiny post-import hook on ``sys.meta_path`` does it; when the packages are absent it
never fires.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    from hypothesis.strategies import SearchStrategy

__all__ = ["register_module", "stub_modules"]

# Modules holding JobSummaryTypeDef and ListJobsResultTypeDef, in every stub package we know.
STUB_MODULES = (
    "mypy_boto3_amplify.type_defs",
    "types_boto3_amplify.type_defs",
    "types_aiobotocore_amplify.type_defs",
)
_done: set[str] = set()
_lock = threading.Lock()


def _summaries(_: type) -> SearchStrategy[Any]:
    from pytest_amplify_jobs.strategies import job_summaries

    return job_summaries()


def _pages(_: type) -> SearchStrategy[Any]:
    from hypothesis import strategies as st

    from pytest_amplify_jobs.strategies import list_jobs_chains

    # Every chain without an error has at least one page; any of them is a ListJobs result.
    return list_jobs_chains().flatmap(lambda chain: st.sampled_from(chain.pages))


def register_module(module: ModuleType) -> None:
    """Register ``from_type`` strategies for the TypedDicts a stub module defines."""
    from hypothesis import strategies as st

    with _lock:
        if module.__name__ in _done:
            return
        _done.add(module.__name__)
    summary = getattr(module, "JobSummaryTypeDef", None)
    result = getattr(module, "ListJobsResultTypeDef", None)
    if summary is not None:
        st.register_type_strategy(summary, _summaries)
    if result is not None:
        st.register_type_strategy(result, _pages)


def stub_modules() -> tuple[str, ...]:
    """The stub modules registered so far (for tests and debugging)."""
    return tuple(sorted(_done))


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        register_module(module)


class _PostImportFinder(importlib.abc.MetaPathFinder):
    """Wraps the loader of the stub modules so registration runs right after they import."""

    def __init__(self) -> None:
        self._busy: set[str] = set()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in STUB_MODULES or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy.discard(fullname)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _Loader(spec.loader)
        return spec


_FINDER = _PostImportFinder()


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis on import (entry point); registers what can be registered now."""
    from hypothesis import strategies as st

    from pytest_amplify_jobs._types import JobSummary, ListJobsPage

    st.register_type_strategy(JobSummary, _summaries)
    st.register_type_strategy(ListJobsPage, _pages)
    for name in STUB_MODULES:
        module = sys.modules.get(name)
        if module is not None:
            register_module(module)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)

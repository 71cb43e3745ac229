"""The model module reads every fact from botocore: nothing drifts from the installed model."""

from __future__ import annotations

import subprocess
import sys

import botocore.session

from pytest_amplify_jobs import _model


def _botocore_operation():  # type: ignore[no-untyped-def]
    session = botocore.session.get_session()
    return session.get_service_model("amplify").operation_model("ListJobs")


def test_enums_match_botocore() -> None:
    summary = _botocore_operation().output_shape.members["jobSummaries"].member
    m = _model.model()
    assert m.statuses == tuple(summary.members["status"].enum)
    assert m.job_types == tuple(summary.members["jobType"].enum)
    assert m.source_url_types == tuple(summary.members["sourceUrlType"].enum)
    # Newer than the seed document: botocore is the source of truth.
    assert "CREATED" in m.statuses
    assert {"sourceUrl", "sourceUrlType"} <= set(m.summary_members)


def test_limits_and_patterns_match_botocore() -> None:
    op = _botocore_operation()
    m = _model.model()
    for name, shape in op.input_shape.members.items():
        rule = m.request_rules[name]
        assert rule.min == shape.metadata.get("min")
        assert rule.max == shape.metadata.get("max")
        assert rule.pattern == shape.metadata.get("pattern")
    summary = op.output_shape.members["jobSummaries"].member
    assert m.summary_required == tuple(summary.required_members)
    for name, shape in summary.members.items():
        rule = m.summary_rules[name]
        assert (rule.min, rule.max, rule.pattern) == (
            shape.metadata.get("min"),
            shape.metadata.get("max"),
            shape.metadata.get("pattern"),
        )
        assert rule.type_name == shape.type_name
    # The values the issue quotes today, so a surprising botocore change is visible in review.
    assert m.request_rules["appId"].pattern == "d[a-z0-9]+"
    assert m.request_rules["maxResults"].max == 50
    assert m.summary_rules["commitMessage"].max == 10000


def test_errors_and_paginator_match_botocore() -> None:
    op = _botocore_operation()
    m = _model.model()
    assert dict(m.errors) == {
        shape.name: shape.metadata["error"]["httpStatusCode"] for shape in op.error_shapes
    }
    assert m.errors["LimitExceededException"] == 429
    paginator = botocore.session.get_session().get_paginator_model("amplify")
    config = paginator.get_paginator("ListJobs")
    assert (m.input_token, m.output_token, m.limit_key, m.result_key) == (
        config["input_token"],
        config["output_token"],
        config["limit_key"],
        config["result_key"],
    )


def test_every_status_has_a_lifecycle_phase() -> None:
    m = _model.model()
    phases = m.queued_statuses + m.building_statuses + m.finished_statuses
    assert sorted(phases) == sorted(m.statuses)
    assert m.statuses_ordinary_first[0] == "SUCCEED"
    assert m.job_types_ordinary_first[0] == "WEB_HOOK"


def test_model_is_loaded_once() -> None:
    assert _model.model() is _model.model()


def _loaded_after(imports: str, wanted: str) -> str:
    """Which modules matching ``wanted`` a fresh interpreter holds after ``imports``."""
    code = f"import sys, {imports}; print(sorted(m for m in sys.modules if {wanted}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_importing_the_package_does_not_load_botocore_or_hypothesis() -> None:
    loaded = _loaded_after(
        "pytest_amplify_jobs, pytest_amplify_jobs.plugin",
        "m in ('botocore', 'hypothesis', 'boto3')",
    )
    assert loaded == "[]"


def test_every_public_name_is_exported_lazily() -> None:
    import pytest_amplify_jobs

    for name in pytest_amplify_jobs.__all__:
        assert getattr(pytest_amplify_jobs, name) is not None
    assert set(pytest_amplify_jobs.__all__) <= set(dir(pytest_amplify_jobs))


def test_importing_the_plugin_imports_none_of_the_package_modules() -> None:
    loaded = _loaded_after("pytest_amplify_jobs.plugin", "m.startswith('pytest_amplify_jobs.')")
    assert loaded == "['pytest_amplify_jobs.plugin']"

"""The public TypedDicts: assignable to the stubs' types, and in step with the model."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from pytest_amplify_jobs import JobStatus, JobSummary, JobType, ListJobsPage, SourceUrlType, _model

HERE = Path(__file__).parent / "typing"

pytestmark = pytest.mark.slow


def _mypy(*paths: Path) -> tuple[str, int]:
    api = pytest.importorskip("mypy.api")
    args = ["--strict", "--no-incremental", "--no-error-summary", *map(str, paths)]
    out, err, status = api.run(args)
    return out + err, status


def test_our_typeddicts_are_accepted_where_the_stubs_are_expected_and_misuse_is_not() -> None:
    # One mypy run over both files: most of its time is reading botocore's stubs, once.
    out, status = _mypy(HERE / "typed_usage.py", HERE / "typed_misuse.py")
    errors = [line for line in out.splitlines() if ": error" in line]
    assert status == 1, out
    assert not [line for line in errors if "typed_usage.py" in line], out
    assert 'Missing keys ("jobArn"' in out
    assert "typed_misuse.py:16: error" in out, out


def test_literals_cover_the_installed_model() -> None:
    # Every value the model can send must be expressible; an older botocore may send fewer.
    m = _model.model()
    assert set(m.statuses) <= set(typing.get_args(JobStatus))
    assert set(m.job_types) <= set(typing.get_args(JobType))
    assert set(m.source_url_types) <= set(typing.get_args(SourceUrlType))


def test_literals_equal_the_stubs_literals() -> None:
    # Equal sets are what makes our TypedDicts assignable to the stubs' (and back).
    literals = pytest.importorskip("mypy_boto3_amplify.literals")
    assert set(typing.get_args(JobStatus)) == set(typing.get_args(literals.JobStatusType))
    assert set(typing.get_args(JobType)) == set(typing.get_args(literals.JobTypeType))
    assert set(typing.get_args(SourceUrlType)) == set(typing.get_args(literals.SourceUrlTypeType))


def test_typeddict_keys_match_the_model() -> None:
    m = _model.model()
    assert JobSummary.__required_keys__ == frozenset(m.summary_required)
    assert JobSummary.__required_keys__ | JobSummary.__optional_keys__ == frozenset(
        m.summary_members
    )
    output = m.operation.output_shape
    assert output is not None
    page_keys = ListJobsPage.__required_keys__ | ListJobsPage.__optional_keys__
    assert page_keys == frozenset(output.members) | {"ResponseMetadata"}

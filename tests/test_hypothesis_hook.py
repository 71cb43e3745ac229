"""st.from_type integration through the Hypothesis entry point."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from mypy_boto3_amplify.type_defs import JobSummaryTypeDef, ListJobsResultTypeDef
from types_boto3_amplify.type_defs import JobSummaryTypeDef as TypesJobSummaryTypeDef
from types_boto3_amplify.type_defs import ListJobsResultTypeDef as TypesListJobsResultTypeDef

from pytest_amplify_jobs import JobSummary, ListJobsPage, validate_list_jobs_response
from tests.helpers import assert_coherent_history


@given(
    st.from_type(JobSummaryTypeDef), st.from_type(TypesJobSummaryTypeDef), st.from_type(JobSummary)
)
def test_from_type_summaries_are_ours(a: dict[str, Any], b: dict[str, Any], c: JobSummary) -> None:
    for job in (a, b, c):
        validate_list_jobs_response({"jobSummaries": [job]})  # type: ignore[list-item]
        assert job["jobArn"].endswith(f"/jobs/{int(job['jobId']):010d}")


@given(
    st.from_type(ListJobsResultTypeDef),
    st.from_type(TypesListJobsResultTypeDef),
    st.from_type(ListJobsPage),
)
def test_from_type_pages_are_valid_and_coherent(
    a: dict[str, Any], b: dict[str, Any], c: ListJobsPage
) -> None:
    for page in (a, b, c):
        validate_list_jobs_response(page)
        assert page["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert_coherent_history(page["jobSummaries"], full=False)


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_registration_is_lazy_and_needs_no_stub_package_import() -> None:
    out = _run(
        "import sys, hypothesis\n"
        "from pytest_amplify_jobs import _hypothesis_hook as h\n"
        "print('mypy_boto3_amplify.type_defs' in sys.modules, h.stub_modules())\n"
        "from mypy_boto3_amplify.type_defs import JobSummaryTypeDef\n"
        "print(h.stub_modules())\n"
        "from hypothesis import strategies as st\n"
        "print(st.from_type(JobSummaryTypeDef).example()['jobArn'][:15])\n"
    )
    assert out.splitlines() == [
        "False ()",
        "('mypy_boto3_amplify.type_defs',)",
        "arn:aws:amplify",
    ]


def test_does_nothing_when_the_stub_packages_are_absent() -> None:
    out = _run(
        "import sys\n"
        "sys.modules['mypy_boto3_amplify'] = None\n"
        "sys.modules['types_boto3_amplify'] = None\n"
        "from hypothesis import strategies as st\n"
        "from pytest_amplify_jobs import ListJobsPage\n"
        "print(sorted(set(st.from_type(ListJobsPage).example()) - {'nextToken'}))\n"
        "try:\n"
        "    import mypy_boto3_amplify.type_defs\n"
        "except ImportError:\n"
        "    print('absent')\n"
    )
    assert out.splitlines() == ["['ResponseMetadata', 'jobSummaries']", "absent"]


def test_the_hook_is_registered_as_an_entry_point() -> None:
    from importlib.metadata import entry_points

    names = {ep.value for ep in entry_points(group="hypothesis")}
    assert "pytest_amplify_jobs._hypothesis_hook:_hypothesis_setup_hook" in names

"""Truth to the service: the departures table, real published responses, and generated data
that is as surprising as the service (members left out, values outside the model's enums)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser
from hypothesis import find, given, settings
from hypothesis import strategies as st

from pytest_amplify_jobs import (
    InvalidResponse,
    fake_amplify,
    generate_chain,
    validate_list_jobs_response,
    validate_response,
)
from pytest_amplify_jobs import strategies as aj
from pytest_amplify_jobs._departures import DEPARTURES, departures
from pytest_amplify_jobs._validate import response_violations

PUBLISHED = pathlib.Path(__file__).parent / "published"
SERVICE = botocore.session.get_session().get_service_model("amplify")


def published() -> list[pathlib.Path]:
    return sorted(PUBLISHED.glob("*.json"))


def parsed(path: pathlib.Path) -> tuple[str, dict[str, Any], str]:
    """A published response as botocore hands it to code: the CLI printed what botocore's
    parser made of the wire, so it goes back through the same parser (timestamps become
    aware datetimes, in tzlocal as on a real call)."""
    record = json.loads(path.read_text())
    operation = record["operation"]
    shape = SERVICE.operation_model(operation).output_shape
    response = create_parser("rest-json").parse(
        {"body": json.dumps(record["response"]).encode(), "headers": {}, "status_code": 200},
        shape,
    )
    response.pop("ResponseMetadata", None)
    return operation, _aware(response), record["source"]


def _aware(value: Any) -> Any:
    """The wire carries epoch seconds, always aware once parsed; a timestamp the CLI printed
    without an offset (020) lost it in the printing, and is read as UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dict):
        return {k: _aware(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_aware(v) for v in value]
    return value


# ------------------------------------------------------------------------------- the table


@pytest.mark.parametrize("row", DEPARTURES, ids=lambda row: row.name)
def test_every_row_is_a_departure_of_the_installed_model(row: Any) -> None:
    shape = SERVICE.shape_for(row.shape)
    assert row.sources, f"{row.name} has no source"
    for source in row.sources:
        if source.startswith("tests/published/"):
            assert (PUBLISHED.parent.parent / source.split(" ")[0]).exists(), source
        else:
            assert source.startswith("https://"), source
    for operation in row.operations:
        assert operation in SERVICE.operation_names
    if row.kind == "omits":
        for member in row.members:
            # A member the model no longer requires makes the row moot: notice it.
            assert member in shape.required_members, (row.name, member)
    else:
        (member,) = row.members
        enum = shape.members[member].enum
        assert enum and row.value not in enum, (row.name, row.value, enum)


def test_departures_is_the_table() -> None:
    assert departures() == DEPARTURES
    assert len({row.name for row in DEPARTURES}) == len(DEPARTURES)


# ----------------------------------------------------------- real published responses


@pytest.mark.parametrize("path", published(), ids=lambda p: p.stem)
def test_published_responses_pass_the_default_validator(path: pathlib.Path) -> None:
    operation, response, source = parsed(path)
    assert source.startswith("https://"), f"{path.name}: unresolved source {source!r}"
    validate_response(operation, response)  # zero refusals of what the service really sent


@pytest.mark.parametrize("path", published(), ids=lambda p: p.stem)
def test_model_strict_names_every_departure(path: pathlib.Path) -> None:
    operation, response, _source = parsed(path)
    strict = response_violations(response, operation, model_strict=True)
    for violation in strict:
        assert "a known departure of the service" in violation.rule, str(violation)
    if strict:
        with pytest.raises(InvalidResponse, match="known departure"):
            validate_response(operation, response, model_strict=True)


def test_most_published_responses_depart_from_the_model() -> None:
    departing = [
        path
        for path in published()
        if response_violations(*parsed(path)[:2][::-1], model_strict=True)
    ]
    assert len(departing) >= len(published()) - 2


def test_the_collection_shows_the_departures_it_sources() -> None:
    # Rows sourced by recorded output we keep are shown by that output under model_strict.
    shown: set[str] = set()
    for path in published():
        operation, response, _source = parsed(path)
        for violation in response_violations(response, operation, model_strict=True):
            shown.add(violation.rule.split("(")[-1].split(")")[0])
    recorded = {
        "start-deployment-summary",
        "release-head",
        "app-unset-members",
        "branch-unset-members",
        "stage-none",
        "webhook-unset-description",
        "start-job-summary",
        "domain-without-status-reason",
    }
    assert recorded <= shown, recorded - shown


# ----------------------------------------------------------- still refusing the impossible


def test_what_the_service_never_sends_is_refused_and_says_where_it_does() -> None:
    job = generate_chain(jobs=1, seed=1).jobs[0]
    page = {"jobSummaries": [{k: v for k, v in job.items() if k != "startTime"}]}
    with pytest.raises(InvalidResponse) as info:
        validate_list_jobs_response(page)
    assert "jobSummaries[0].startTime: missing (required by JobSummary); the service does " in str(
        info.value
    )
    assert (
        "only in StartDeployment, StartJob answers (start-deployment-summary, start-job-summary), "
        "not here" in str(info.value)
    )
    stage = {"branch": {"stage": "PREVIEW"}}
    assert any("stage" in v.path for v in response_violations(stage, "GetBranch"))
    with_none = {"branch": {"stage": "NONE"}}
    assert not any(v.path == "branch.stage" for v in response_violations(with_none, "GetBranch"))
    strict = response_violations(with_none, "GetBranch", model_strict=True)
    (violation,) = [v for v in strict if v.path == "branch.stage"]
    assert "stage-none" in violation.rule


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_model_strict_must_be_a_bool(value: object) -> None:
    with pytest.raises(TypeError, match=r"model_strict=.* must be a bool"):
        validate_response("GetJob", {}, model_strict=value)  # type: ignore[arg-type]


# ------------------------------------------- generated data departs as the service does


def reads_job_type(jobs: list[dict[str, Any]]) -> bool:
    try:
        [job["jobType"] for job in jobs]
    except KeyError:
        return True
    return False


def reads_commit_message(jobs: list[dict[str, Any]]) -> bool:
    try:
        [job["commitMessage"] for job in jobs]
    except KeyError:
        return True
    return False


@pytest.mark.parametrize(
    ("reader", "member"), [(reads_job_type, "jobType"), (reads_commit_message, "commitMessage")]
)
def test_key_error_prone_readers_are_falsified_and_shrink_to_one_job(
    reader: Any, member: str
) -> None:
    # Within Hypothesis's default max_examples, and shrunk to one job without the member.
    jobs = find(aj.job_histories(), reader, settings=settings(max_examples=100, database=None))
    assert len(jobs) == 1
    assert member not in jobs[0]
    validate_list_jobs_response({"jobSummaries": jobs})


def test_a_branch_without_jobs_has_no_active_job_id() -> None:
    # code reading branch["activeJobId"] meets a KeyError on the service: and on the fake.
    with fake_amplify() as fake:
        fake.add_branch("d1abc", "main", jobs=0)
        branch = fake.branch_info("d1abc", "main")
        assert "activeJobId" not in branch
        fake.add_branch("d1abc", "develop", jobs=131, finished=True)
        assert fake.branch_info("d1abc", "develop")["activeJobId"] == "0000000131"
    with fake_amplify(model_complete=True) as fake:
        fake.add_branch("d1abc", "main", jobs=0)
        assert fake.branch_info("d1abc", "main")["activeJobId"] == "0"


@settings(max_examples=60)
@given(aj.list_jobs_chains(max_jobs=12))
def test_generated_chains_depart_only_as_recorded(chain: Any) -> None:
    for page in chain.pages:
        validate_list_jobs_response(page)
        for violation in response_violations(page, model_strict=True):
            assert "a known departure of the service" in violation.rule


@settings(max_examples=40)
@given(st.sampled_from(["GetJob", "GetBranch", "GetApp", "ListBranches", "StartDeployment"]))
def test_generated_responses_are_valid_for_the_service(operation: str) -> None:
    from pytest_amplify_jobs import generate_response

    response = generate_response(operation, seed=3)
    validate_response(operation, response)


def test_the_documented_table_is_the_departures_table() -> None:
    page = (pathlib.Path(__file__).parent.parent / "docs" / "departures.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    names = [row.split("`")[1] for row in rows]
    assert [n for n in names if n in {d.name for d in DEPARTURES}] == [d.name for d in DEPARTURES]


def reads_active_job_id(response: dict[str, Any]) -> bool:
    try:
        response["branch"]["activeJobId"]
    except KeyError:
        return True
    return False


def test_reading_active_job_id_is_falsified_and_shrinks_to_a_new_branch() -> None:
    response = find(
        aj.amplify_responses(operation="GetBranch"),
        reads_active_job_id,
        settings=settings(max_examples=100, database=None),
    )
    branch = response["branch"]
    assert branch["totalNumberOfJobs"] == "0" and "activeJobId" not in branch
    validate_response("GetBranch", response)


def published_keys(name: str, *path: str) -> set[str]:
    record = json.loads(next(PUBLISHED.glob(f"{name}_*.json")).read_text())
    value = record["response"]
    for key in path:
        value = value[int(key)] if key.isdigit() else value[key]
    return set(value)


@pytest.mark.usefixtures("no_http")
def test_the_fakes_answers_have_the_recorded_shapes() -> None:
    import boto3

    c = boto3.client(
        "amplify", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with fake_amplify() as fake:
        fake.add_branch("d1abc", "dev", jobs=1, finished=True)
        fake.add_app("d1manual", kind="manual")
        fake.add_branch("d1manual", "dev", jobs=0)
        # StartJob RELEASE without a commit (aws/aws-cli#7883): HEAD, no startTime, ...
        started = c.start_job(appId="d1abc", branchName="dev", jobType="RELEASE")["jobSummary"]
        assert set(started) == published_keys("020", "jobSummary")
        assert started["commitId"] == "HEAD"
        # ... and GetJob of it once built (the AWS user guide's get-job output).
        for _ in range(3):
            job = c.get_job(appId="d1abc", branchName="dev", jobId=started["jobId"])["job"]
        assert set(job["summary"]) == published_keys("006", "job", "summary")
        step_keys = published_keys("006", "job", "steps", "0")
        assert all(step_keys <= set(step) for step in job["steps"])
        # StartDeployment (balionis-arvydas/balionis-aws): three members.
        deployed = c.start_deployment(
            appId="d1manual", branchName="dev", sourceUrl="s3://bucket/site.zip"
        )["jobSummary"]
        assert set(deployed) == published_keys("003", "jobSummary")
        # A branch created without a stage (create-branch output): "NONE", unset members out.
        branch = c.get_branch(appId="d1manual", branchName="dev")["branch"]
        recorded = published_keys("002", "branch")
        assert branch["stage"] == "NONE"
        assert set(branch) - {"totalNumberOfJobs", "activeJobId"} <= recorded
        fake.add_branch("d1abc", "main", jobs=1, stage="PRODUCTION")
        assert c.get_branch(appId="d1abc", branchName="main")["branch"]["stage"] == "PRODUCTION"
        with pytest.raises(ValueError, match=r"stage='NONE' is not a stage; allowed: PRODUCTION"):
            fake.add_branch("d1abc", "x", jobs=1, stage="NONE")

"""Truth to the service: the departures table, real published responses, and generated data
that is as surprising as the service (members left out, values outside the model's enums)."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
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
    generate_response,
    validate_list_jobs_response,
    validate_response,
)
from pytest_amplify_jobs import strategies as aj
from pytest_amplify_jobs._departures import DEPARTURES, by_name, departures
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


def _build(**changes: Any) -> dict[str, Any]:
    """A model-complete webhook build, changed: ``None`` leaves a member out."""
    job = dict(generate_chain(jobs=1, seed=1, job_types=["WEB_HOOK"], model_complete=True).jobs[0])
    for member, value in changes.items():
        if value is None:
            job.pop(member, None)
        else:
            job[member] = value
    return job


_NO_COMMIT = {"commitId": None, "commitMessage": None, "commitTime": None}
SHA = "4f2a" * 10

# (what, operation, the answer's summary, where its refusal is): each member left out is one
# some row leaves out, but in another combination than the row describes.
REFUSED_COMBINATIONS = [
    ("a webhook build with its commit, no jobType", "ListJobs", _build(jobType=None), "jobType"),
    (
        "a build of a commit, no commitMessage",
        "ListJobs",
        _build(commitId=SHA, commitMessage=None),
        "commitMessage",
    ),
    (
        "HEAD with its message, no jobType",
        "GetJob",
        _build(commitId="HEAD", jobType=None),
        "jobType",
    ),
    (
        "a manual deploy typed RELEASE",
        "ListJobs",
        _build(**_NO_COMMIT, jobType="RELEASE"),
        "commitId",
    ),
    (
        "a manual deploy keeping its commitTime",
        "ListJobs",
        _build(commitId=None, commitMessage=None, jobType="MANUAL"),
        "commitId",
    ),
    (
        "StartDeployment with a commit",
        "StartDeployment",
        _build(commitMessage=None, jobType=None, startTime=None),
        "startTime",
    ),
    ("StartJob with a startTime", "StartJob", _build(commitMessage=None, jobType=None), "jobType"),
]


def _answer(operation: str, summary: dict[str, Any]) -> dict[str, Any]:
    if operation == "ListJobs":
        return {"jobSummaries": [summary]}
    if operation == "GetJob":
        return {"job": {"summary": summary, "steps": []}}
    return {"jobSummary": summary}


def _path(operation: str) -> str:
    return {"ListJobs": "jobSummaries[0]", "GetJob": "job.summary"}.get(operation, "jobSummary")


@pytest.mark.parametrize(
    ("operation", "summary", "member"),
    [case[1:] for case in REFUSED_COMBINATIONS],
    ids=[case[0] for case in REFUSED_COMBINATIONS],
)
def test_a_departure_is_accepted_only_in_its_rows_combination(
    operation: str, summary: dict[str, Any], member: str
) -> None:
    with pytest.raises(InvalidResponse) as info:
        validate_response(operation, _answer(operation, summary))
    paths = {v.path: v.rule for v in info.value.violations}
    rule = paths[f"{_path(operation)}.{member}"]
    assert "the service leaves it out only in another combination (" in rule, rule


ACCEPTED_COMBINATIONS = [
    ("a manual deploy without jobType", "ListJobs", _build(**_NO_COMMIT, jobType=None)),
    ("a manual deploy typed MANUAL", "GetJob", _build(**_NO_COMMIT, jobType="MANUAL")),
    (
        "a release of HEAD",
        "ListJobs",
        _build(commitId="HEAD", commitMessage=None, jobType=None),
    ),
    (
        "StartJob's answer",
        "StartJob",
        _build(commitId="HEAD", commitMessage=None, jobType=None, startTime=None),
    ),
    (
        "StartDeployment's answer",
        "StartDeployment",
        _build(**_NO_COMMIT, jobType=None, startTime=None),
    ),
]


@pytest.mark.parametrize(
    ("operation", "summary"),
    [case[1:] for case in ACCEPTED_COMBINATIONS],
    ids=[case[0] for case in ACCEPTED_COMBINATIONS],
)
def test_a_departure_in_its_rows_combination_is_accepted(
    operation: str, summary: dict[str, Any]
) -> None:
    validate_response(operation, _answer(operation, summary))
    strict = response_violations(_answer(operation, summary), operation, model_strict=True)
    assert strict and all("a known departure of the service" in v.rule for v in strict)


def test_a_branch_leaves_out_active_job_id_only_before_its_first_job() -> None:
    branch = dict(generate_response("GetBranch", seed=1, model_complete=True)["branch"])
    del branch["activeJobId"]
    branch["totalNumberOfJobs"] = "0"
    validate_response("GetBranch", {"branch": branch})  # a new branch (create-branch output)
    branch["totalNumberOfJobs"] = "5"
    with pytest.raises(InvalidResponse) as info:
        validate_response("GetBranch", {"branch": branch})
    (violation,) = info.value.violations
    assert violation.path == "branch.activeJobId"
    assert "activeJobId only when totalNumberOfJobs is '0'" in violation.rule


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


def test_manual_deploys_are_listed_with_job_type_manual_and_without_one() -> None:
    # AWS's API reference: jobType MANUAL "is for a manually deployed app"; no listing of a
    # manual deploy is published at an address we could cite. Both are generated; neither has
    # a commit (departure manual-deploy-summary).
    row = by_name("manual-deploy-summary")
    assert row.sources[0].startswith(
        "https://docs.aws.amazon.com/amplify/latest/APIReference/API_JobSummary.html"
    )
    assert "our choice" in row.when and "not recorded" in row.when
    jobs = [
        job
        for seed in range(10)
        for job in generate_chain(jobs=10, seed=seed, job_types=["MANUAL"]).jobs
    ]
    assert {job.get("jobType") for job in jobs} == {"MANUAL", None}
    assert not any({"commitId", "commitMessage", "commitTime"} & set(job) for job in jobs)
    typed = find(
        aj.job_histories(job_types=["MANUAL"], min_size=1),
        lambda jobs: any("jobType" in job for job in jobs),
        settings=settings(max_examples=100, database=None),
    )
    assert len(typed) == 1 and typed[0]["jobType"] == "MANUAL"
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


GENERATED = ("GetJob", "GetBranch", "GetApp", "ListApps", "ListBranches", "ListJobs")
GENERATED += ("StartJob", "StartDeployment", "CreateDeployment")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(GENERATED),
    st.integers(0, 2**32 - 1),
)
def test_generated_responses_are_valid_for_the_service(operation: str, seed: int) -> None:
    # Over many seeds, not one: each seed draws another branch, app kind and history.
    response = generate_response(operation, seed=seed)
    validate_response(operation, response)
    strict = response_violations(response, operation, model_strict=True)
    assert all("a known departure of the service" in v.rule for v in strict), strict


def test_the_documented_table_is_the_departures_table() -> None:
    # docs/departures.md's table, row by row: name, shape, members (and value), where, and
    # every source linked, in the row's order.
    page = (pathlib.Path(__file__).parent.parent / "docs" / "departures.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [d.name for d in DEPARTURES]
    for row, departure in zip(rows, DEPARTURES, strict=True):
        name, shape, what, where, sources = (c.strip() for c in row.strip().strip("|").split("|"))
        assert (name, shape) == (f"`{departure.name}`", f"`{departure.shape}`"), row
        for member in departure.members:
            assert f"`{member}`" in what, (departure.name, member)
        if departure.value is not None:
            assert f'`"{departure.value}"`' in what, departure.name
        assert where == (", ".join(departure.operations) or "every answer"), departure.name
        linked = re.findall(r"\]\((https://[^)\s]+)\)", sources)
        assert linked == [source.split(" ")[0] for source in departure.sources], departure.name


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

"""``model_complete``: every entry point keeps model-complete data one keyword away.

By default generated data departs from the botocore model as the service does (the rows of
``departures()``: manual deploys without commit or ``jobType``, RELEASE jobs of ``HEAD``
without ``commitMessage`` or ``jobType``, apps and branches without what was never set), and
passes the default validator. ``model_complete=True`` gives every member the model requires:
everything passes ``model_strict=True``. A value that is not a bool is named, with the module's
usual error (``ValueError``, or ``InvalidArgument`` at the first draw of a strategy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from pytest_amplify_jobs import (
    AmplifyIntercept,
    ListJobsChain,
    ResponseScript,
    fake_amplify,
    generate_chain,
    generate_response,
    generate_world,
    validate_list_jobs_response,
    validate_response,
)
from pytest_amplify_jobs import strategies as aj
from pytest_amplify_jobs._options import GenerateOptions
from pytest_amplify_jobs._responses import OPERATIONS
from pytest_amplify_jobs._world import AmplifyWorld, check_world
from pytest_amplify_jobs.cli import chain_to_json, main
from tests.helpers import client

pytest_plugins = ["pytester"]

SEEDS = range(8)
FEW = settings(max_examples=25, deadline=None, database=None)
JOB_HOLDERS = ("jobSummaries", "jobSummary", "job")
REPOSITORY = ["WEB_HOOK", "RELEASE", "RETRY"]


def kind_for(operation: str) -> list[str] | None:
    """The job types of the app kind ``operation`` needs (the service refuses a deployment
    on an app connected to a repository, and StartJob on a manual one); None: any."""
    if operation in ("CreateDeployment", "StartDeployment"):
        return ["MANUAL"]
    return REPOSITORY if operation == "StartJob" else None


def jobs_in(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The job summaries a response holds (ListJobs' list, a jobSummary, GetJob's summary)."""
    if "jobSummaries" in response:
        return list(response["jobSummaries"])
    if "jobSummary" in response:
        return [response["jobSummary"]]
    if "job" in response:
        return [response["job"]["summary"]]
    return []


def lacks_job_type(jobs: Iterable[dict[str, Any]]) -> bool:
    return any("jobType" not in job for job in jobs)


def assert_pages_complete(chain: ListJobsChain) -> None:
    for page in chain.pages:
        validate_list_jobs_response(page, model_strict=True)
        validate_response("ListJobs", page, model_strict=True)


def assert_pages_valid(chain: ListJobsChain) -> None:
    for page in chain.pages:
        validate_list_jobs_response(page)


# ------------------------------------------------------------------------------ generate_chain


@pytest.mark.parametrize("seed", SEEDS)
def test_generate_chain_model_complete_passes_model_strict(seed: int) -> None:
    chain = generate_chain(jobs=30, page_size=7, seed=seed, model_complete=True)
    assert_pages_complete(chain)
    assert not lacks_job_type(chain.jobs)


def test_generate_chain_departs_by_default_and_stays_valid() -> None:
    chains = [generate_chain(jobs=30, page_size=7, seed=seed) for seed in SEEDS]
    for chain in chains:
        assert_pages_valid(chain)
    assert any(lacks_job_type(chain.jobs) for chain in chains)


def test_model_complete_keeps_the_timeline() -> None:
    departed = generate_chain(jobs=40, page_size=9, seed=4)
    complete = generate_chain(jobs=40, page_size=9, seed=4, model_complete=True)
    timeline = ("jobId", "jobArn", "status", "startTime", "endTime")
    assert [[j.get(k) for k in timeline] for j in departed.jobs] == [
        [j.get(k) for k in timeline] for j in complete.jobs
    ]
    assert [len(p["jobSummaries"]) for p in departed.pages] == [
        len(p["jobSummaries"]) for p in complete.pages
    ]


def test_generate_options_carry_model_complete() -> None:
    assert GenerateOptions().model_complete is False
    assert "model_complete" in GenerateOptions.names()
    assert GenerateOptions(model_complete=True).model_complete is True


def test_generate_of_a_queue_reads_model_complete() -> None:
    with AmplifyIntercept() as intercept:
        chain = intercept.generate(jobs=25, model_complete=True)
        assert_pages_complete(chain)
        consume(chain)
    with AmplifyIntercept(defaults={"model_complete": True}) as intercept:
        chain = intercept.generate(jobs=25)
        assert_pages_complete(chain)
        consume(chain)


def consume(chain: ListJobsChain) -> None:
    pages = (
        client()
        .get_paginator("list_jobs")
        .paginate(
            appId=chain.app_id,
            branchName=chain.branch_name,
            PaginationConfig={"PageSize": chain.page_size},
        )
    )
    seen = [job for page in pages for job in page["jobSummaries"]]
    assert seen == list(chain.jobs)


def test_the_marker_reads_model_complete(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
from pytest_amplify_jobs import validate_list_jobs_response

@pytest.mark.amplify_jobs(model_complete=True, jobs=30)
def test_complete(list_jobs_stub, amplify_client):
    chain = list_jobs_stub.generate()
    for page in amplify_client.get_paginator("list_jobs").paginate(
        appId=chain.app_id, branchName=chain.branch_name,
        PaginationConfig={"PageSize": chain.page_size},
    ):
        validate_list_jobs_response(page, model_strict=True)
    assert all("jobType" in job for job in chain.jobs)

@pytest.mark.amplify_jobs(model_complete=True)
def test_the_fake_too(amplify_fake):
    assert amplify_fake.model_complete

def test_the_fake_departs_by_default(amplify_fake):
    assert not amplify_fake.model_complete
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


# ------------------------------------------------------------------------------------- the CLI


def test_the_cli_has_a_model_complete_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--jobs", "30", "--seed", "3", "--model-complete"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = chain_to_json(generate_chain(jobs=30, seed=3, model_complete=True))
    assert data == json.loads(json.dumps(expected, default=lambda v: v.isoformat()))
    assert all("jobType" in job for page in data["pages"] for job in page["jobSummaries"])
    assert main(["--jobs", "30", "--seed", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("jobType" not in job for page in data["pages"] for job in page["jobSummaries"])


# ---------------------------------------------------------------------------------- strategies


@FEW
@given(aj.job_summaries(model_complete=True))
def test_job_summaries_model_complete(job: dict[str, Any]) -> None:
    validate_list_jobs_response({"jobSummaries": [job]}, model_strict=True)


@FEW
@given(aj.job_histories(max_size=12, model_complete=True))
def test_job_histories_model_complete(jobs: list[dict[str, Any]]) -> None:
    validate_list_jobs_response({"jobSummaries": jobs}, model_strict=True)


@FEW
@given(aj.list_jobs_chains(max_jobs=20, errors=True, model_complete=True))
def test_list_jobs_chains_model_complete(chain: ListJobsChain) -> None:
    assert_pages_complete(chain)


@FEW
@given(aj.list_jobs_chains(max_jobs=20, realistic=False, model_complete=True))
def test_unrealistic_chains_model_complete(chain: ListJobsChain) -> None:
    assert_pages_complete(chain)


# Found, not shrunk (shrinking is tested elsewhere): at the lower bound's Hypothesis, shrinking
# these five took 20 s.
# find() stops at the first example found: a bound of its own, whatever the profile's count.
FOUND = settings(database=None, phases=[Phase.generate], max_examples=500)


def test_strategies_depart_by_default() -> None:
    job = find(aj.job_summaries(), lambda j: "jobType" not in j, settings=FOUND)
    validate_list_jobs_response({"jobSummaries": [job]})
    jobs = find(aj.job_histories(), lacks_job_type, settings=FOUND)
    validate_list_jobs_response({"jobSummaries": jobs})
    chain = find(aj.list_jobs_chains(), lambda c: lacks_job_type(c.jobs), settings=FOUND)
    assert_pages_valid(chain)
    response = find(
        aj.amplify_responses(operation="ListJobs"),
        lambda r: lacks_job_type(jobs_in(r)),
        settings=FOUND,
    )
    validate_response("ListJobs", response)
    world = find(
        aj.amplify_worlds(max_jobs=8),
        lambda w: any(lacks_job_type(b.jobs) for b in w.branches),
        settings=FOUND,
    )
    assert not world.model_complete


@pytest.mark.parametrize("operation", OPERATIONS)
def test_amplify_responses_model_complete(operation: str) -> None:

    @FEW
    @given(aj.amplify_responses(operation=operation, model_complete=True))
    def check(response: dict[str, Any]) -> None:
        validate_response(operation, response, model_strict=True)
        if operation == "ListJobs":
            validate_list_jobs_response(response, model_strict=True)

    check()


@pytest.mark.parametrize("operation", ["GetJob", "StartJob", "GetBranch"])
def test_amplify_responses_of_a_complete_chain(operation: str) -> None:
    @settings(max_examples=15, deadline=None, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        chain = data.draw(
            aj.list_jobs_chains(
                min_jobs=1, max_jobs=10, model_complete=True, job_types=kind_for(operation)
            )
        )
        response = data.draw(
            aj.amplify_responses(operation=operation, chain=chain, model_complete=True)
        )
        validate_response(operation, response, model_strict=True)

    check()


@settings(max_examples=15, deadline=None, database=None)
@given(aj.amplify_worlds(max_jobs=4, max_arrivals=2, max_faults=0, model_complete=True))
def test_amplify_worlds_model_complete(world: AmplifyWorld) -> None:
    assert_world_complete(world)


# --------------------------------------------------------------------------------- responses


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generate_response_model_complete(operation: str, seed: int) -> None:
    # A chain the operation can follow: of the app kind it needs, with a build to stop, and
    # the newest job finished before a deployment (the service refuses the others).
    newest = {"StopJob": ["RUNNING"], "CreateDeployment": ["SUCCEED"]}.get(operation)
    newest = ["SUCCEED"] if operation == "StartDeployment" else newest
    chain = (
        generate_chain(
            jobs=12 * seed,
            seed=seed,
            model_complete=True,
            job_types=kind_for(operation),
            newest=newest,
        )
        if seed
        else None
    )
    response = generate_response(operation, chain=chain, seed=seed, model_complete=True)
    validate_response(operation, response, model_strict=True)


def test_generate_response_departs_by_default() -> None:
    responses = [generate_response("ListJobs", seed=seed) for seed in SEEDS]
    for response in responses:
        validate_response("ListJobs", response)
    assert any(lacks_job_type(jobs_in(r)) for r in responses)
    started = [generate_response("StartJob", seed=seed) for seed in SEEDS]
    for response in started:
        validate_response("StartJob", response)
    assert any(lacks_job_type(jobs_in(r)) for r in started)  # a RELEASE of HEAD


@pytest.mark.parametrize("seed", SEEDS)
def test_a_response_script_answers_model_complete(seed: int) -> None:
    chain = generate_chain(
        jobs=60, page_size=20, calls=1, seed=seed, model_complete=True, job_types=REPOSITORY
    )
    script = ResponseScript(chain, seed=seed, model_complete=True)
    assert script.model_complete
    calls: list[tuple[str, dict[str, Any]]] = [
        ("ListJobs", {}),
        ("GetJob", {"jobId": chain.jobs[-1]["jobId"]}),
        ("GetBranch", {}),
        ("GetApp", {}),
        ("ListBranches", {}),
        ("ListApps", {}),
        ("StartJob", {"jobType": "RELEASE"}),
        ("StartJob", {"jobType": "RETRY", "jobId": chain.jobs[-1]["jobId"]}),
    ]
    for operation, params in calls:
        validate_response(operation, script.response(operation, params), model_strict=True)
    for response in script.job_progress():
        validate_response("GetJob", response, model_strict=True)
    other = script.response("GetBranch", {"branchName": "elsewhere"})  # a branch it draws
    validate_response("GetBranch", other, model_strict=True)
    listed = script.response("ListJobs", {"branchName": "elsewhere"})
    validate_list_jobs_response(listed, model_strict=True)


# ------------------------------------------------------------------------------------- worlds


def assert_world_complete(world: AmplifyWorld) -> None:
    """The world's histories, and what a model-complete fake serving it answers, pass
    ``model_strict=True`` while it plays out (arrivals and a started job included)."""
    assert world.model_complete
    for branch in world.branches:
        validate_list_jobs_response({"jobSummaries": list(branch.jobs)}, model_strict=True)
    c = client()
    with fake_amplify(world=world, model_complete=True):
        for _ in range(world.settles_after + 2):
            for b in world.branches:
                page = c.list_jobs(appId=b.app_id, branchName=b.branch_name)
                validate_list_jobs_response(page, model_strict=True)
                branch = c.get_branch(appId=b.app_id, branchName=b.branch_name)
                validate_response("GetBranch", branch, model_strict=True)
            validate_response("GetApp", c.get_app(appId=world.app_id), model_strict=True)
        where = {"appId": world.app_id, "branchName": world.branch_name}
        if world.manual:  # an app deployed manually: StartJob is refused, a deployment starts
            started = c.start_deployment(**where, sourceUrl="https://example.com/site.zip")
            validate_response("StartDeployment", started, model_strict=True)
        else:
            started = c.start_job(**where, jobType="RELEASE")
            validate_response("StartJob", started, model_strict=True)
        got = c.get_job(
            appId=world.app_id, branchName=world.branch_name, jobId=started["jobSummary"]["jobId"]
        )
        validate_response("GetJob", got, model_strict=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_generate_world_model_complete(seed: int) -> None:
    world = generate_world(seed=seed, max_faults=0, max_arrivals=2, model_complete=True)
    assert_world_complete(world)


def test_generate_world_departs_by_default() -> None:
    worlds = [generate_world(seed=seed, max_jobs=8) for seed in SEEDS]
    for world in worlds:
        assert not world.model_complete
        for branch in world.branches:
            validate_list_jobs_response({"jobSummaries": list(branch.jobs)})
    assert any(lacks_job_type(b.jobs) for world in worlds for b in world.branches)


def test_model_complete_keeps_the_worlds_script() -> None:
    departed = generate_world(seed=5, max_arrivals=2)
    complete = generate_world(seed=5, max_arrivals=2, model_complete=True)
    assert repr(departed) == repr(complete)  # the same timeline, only members differ


# -------------------------------------------------------------------------------- bad values

BAD_VALUES = ["yes", 1]

PLAIN: dict[str, Callable[[object], object]] = {
    "generate_chain": lambda v: generate_chain(jobs=3, model_complete=v),  # type: ignore[arg-type]
    "GenerateOptions": lambda v: GenerateOptions(model_complete=v),  # type: ignore[arg-type]
    "ResponseScript": lambda v: ResponseScript(model_complete=v),  # type: ignore[arg-type]
    "generate_response": lambda v: generate_response("GetApp", model_complete=v),  # type: ignore[arg-type]
    "generate_world": lambda v: generate_world(model_complete=v),  # type: ignore[arg-type]
    "check_world": lambda v: check_world(ValueError, model_complete=v),
    "intercept.generate": lambda v: _intercept_generate(model_complete=v),
    "AmplifyIntercept(defaults=...)": lambda v: _intercept_generate(defaults={"model_complete": v}),
}


def _intercept_generate(defaults: dict[str, Any] | None = None, **kwargs: Any) -> object:
    with AmplifyIntercept(defaults=defaults) as intercept:
        return intercept.generate(jobs=3, **kwargs)


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
@pytest.mark.parametrize("entry", PLAIN)
def test_bad_values_are_named_by_plain_entry_points(entry: str, value: object) -> None:
    with pytest.raises(ValueError, match=rf"model_complete={value!r} must be True or False"):
        PLAIN[entry](value)


STRATEGIES: dict[str, Callable[..., st.SearchStrategy[Any]]] = {
    "job_summaries": aj.job_summaries,
    "job_histories": aj.job_histories,
    "list_jobs_chains": aj.list_jobs_chains,
    "amplify_responses": lambda **kw: aj.amplify_responses(operation="GetApp", **kw),
    "amplify_worlds": aj.amplify_worlds,
}


@pytest.mark.parametrize("value", BAD_VALUES, ids=repr)
@pytest.mark.parametrize("entry", STRATEGIES)
def test_bad_values_are_invalid_arguments_at_the_first_draw(entry: str, value: object) -> None:
    strategy = STRATEGIES[entry](model_complete=value)  # defining never raises

    @settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def draw(_: Any) -> None:
        pass

    with pytest.raises(InvalidArgument, match=rf"model_complete={value!r} must be True or False"):
        draw()


def test_the_cli_names_the_flag_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--model-complete" in capsys.readouterr().out

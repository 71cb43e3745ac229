"""Generated worlds (issue 19): served exactly, strictly valid and coherent at every call; a
broken waiter is falsified and shrinks to a minimal world; a correct one passes."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from pytest_amplify_jobs import (
    AmplifyWorld,
    fake_amplify,
    generate_world,
    validate_job_history,
    validate_response,
)
from pytest_amplify_jobs._coherence import job_kind
from pytest_amplify_jobs._world import (
    FaultBurst,
    JobPlan,
    persistent_codes,
    retry_budget,
    routes,
    transient_codes,
)
from pytest_amplify_jobs.strategies import amplify_worlds
from tests.helpers import client

FINISHED = ("SUCCEED", "FAILED", "CANCELLED")
REPOSITORY = ["WEB_HOOK", "RELEASE", "RETRY"]


# ----------------------------------------------------------------------------------- waiters


def wait_for_newest(
    world: AmplifyWorld, budget: int = 100, finished: tuple[str, ...] = FINISHED
) -> tuple[str | None, str | None, int]:
    """A real-shaped waiter: the newest job (ListJobs, one page), then GetJob until it ends.
    Returns the job id, its final status and how many polls it took."""
    c = client()
    page = c.list_jobs(appId=world.app_id, branchName=world.branch_name, maxResults=1)
    if not page["jobSummaries"]:
        return None, None, 0
    job_id = page["jobSummaries"][0]["jobId"]
    for polls in range(1, budget + 1):
        job = c.get_job(appId=world.app_id, branchName=world.branch_name, jobId=job_id)
        status = job["job"]["summary"]["status"]
        if status in finished:
            return job_id, status, polls
    raise AssertionError(f"gave up after {budget} polls")


def wait_for_started(world: AmplifyWorld, budget: int = 100) -> tuple[str, int]:
    """StartJob, then GetJob until the job ends."""
    c = client()
    job = c.start_job(appId=world.app_id, branchName=world.branch_name, jobType="RELEASE")
    job_id = job["jobSummary"]["jobId"]
    for polls in range(1, budget + 1):
        got = c.get_job(appId=world.app_id, branchName=world.branch_name, jobId=job_id)
        status = got["job"]["summary"]["status"]
        if status in FINISHED:
            return status, polls
    raise AssertionError(f"gave up after {budget} polls")


def status_at(plan: JobPlan, call: int) -> str | None:
    """What call ``call`` (1-based) on the branch sees of the job, by the world's script."""
    if plan.arrives_after is not None and call <= plan.arrives_after:
        return None
    status = plan.status
    for move in plan.moves:
        if move.after_calls < call:
            status = move.status
    return status


# ------------------------------------------------------------------------- served exactly


@settings(max_examples=60, deadline=None)
@given(amplify_worlds(max_arrivals=2, max_jobs=4, max_wait=3))
def test_a_served_world_is_valid_coherent_and_exact_at_every_call(world: AmplifyWorld) -> None:
    c = client()
    app, branch = world.app_id, world.branch_name
    plans = {p.job_id: p for p in world.watched.plans}
    with fake_amplify(world=world) as fake:
        for _ in range(world.settles_after + 2):
            operation = ("ListJobs", "GetBranch", "GetJob")[len(fake.requests) % 3]
            if operation == "ListJobs":
                pages = c.get_paginator("list_jobs").paginate(
                    appId=app, branchName=branch, PaginationConfig={"PageSize": 2}
                )
                seen = []
                for page in pages:
                    validate_response("ListJobs", page)
                    seen.extend(page["jobSummaries"])
                validate_job_history(seen, app_id=app, branch_name=branch)
            elif operation == "GetBranch":
                validate_response("GetBranch", c.get_branch(appId=app, branchName=branch))
            elif world.job_id is not None:
                got = c.get_job(appId=app, branchName=branch, jobId=world.job_id)
                validate_response("GetJob", got)
                if world.job_id in plans:
                    # Faulted attempts are calls too: the answer is the last request's.
                    expected = status_at(plans[world.job_id], len(fake.requests))
                    assert got["job"]["summary"]["status"] == expected
            calls = len(fake.requests)
            for b in world.branches:
                validate_job_history(fake.history(b.app_id, b.branch_name))
            now = {j["jobId"]: j["status"] for j in fake.history(app, branch)}
            for plan in plans.values():
                # The store after call N holds what call N saw (moves due later wait).
                assert now.get(plan.job_id) == status_at(plan, calls), (plan, calls)
        answered = [r for r in fake.requests if r.error_code is None]
        faulted = [r.error_code for r in fake.requests if r.error_code is not None]
        assert len(answered) + len(faulted) == len(fake.requests)
        expected_faults = [
            world.faulted(n) for n in range(1, len(fake.requests) + 1) if world.faulted(n)
        ]
        assert faulted == expected_faults
    # Every scripted job ended as the world says.
    final = {j["jobId"]: j["status"] for j in fake.history(app, branch)}
    for plan in plans.values():
        assert final[plan.job_id] == world.final_status(plan.job_id)


def test_faults_are_transient_by_default() -> None:
    assert retry_budget() == 2  # standard mode's 3 attempts (legacy's 5 absorb more)
    codes = set(transient_codes())
    assert {"ThrottlingException", "InternalFailureException"} <= codes
    assert "AccessDeniedException" not in codes and "BadRequestException" not in codes
    for seed in range(200):
        world = generate_world(seed=seed, max_faults=4)
        previous_end = 0
        for burst in world.faults:
            assert burst.code in codes and 1 <= burst.times <= retry_budget()
            assert previous_end == 0 or burst.at_call > previous_end + 1
            previous_end = burst.at_call + burst.times - 1


# ---------------------------------------------------------------------------- the properties


@settings(max_examples=200, deadline=None)
@given(amplify_worlds())
def test_a_correct_waiter_returns_the_final_status_within_budget(world: AmplifyWorld) -> None:
    with fake_amplify(world=world):
        job_id, status, polls = wait_for_newest(world)
    # The newest job when the waiter looked: a job arriving at once is newer than world.job_id.
    assert job_id is not None and status == world.final_status(job_id)
    assert polls <= world.finishes_after(job_id) + 1


@settings(max_examples=50, deadline=None)
@given(amplify_worlds(max_arrivals=2, job_types=REPOSITORY))  # StartJob: a repository's app
def test_a_start_job_waiter_gets_the_started_jobs_status(world: AmplifyWorld) -> None:
    with fake_amplify(world=world) as fake:
        status, polls = wait_for_started(world)
        started_at = next(
            n
            for n, r in enumerate(fake.requests, 1)
            if r.operation == "StartJob" and not r.error_code
        )
    assert status == world.started_status
    assert polls <= world.started_finishes_after(started_at) + 1


@settings(max_examples=50, deadline=None)
@given(amplify_worlds(persistent_faults=True, max_faults=3))
def test_persistent_faults_reach_the_give_up_path(world: AmplifyWorld) -> None:
    with fake_amplify(world=world):
        try:
            job_id, status, _ = wait_for_newest(world)
        except ClientError as error:
            assert error.response["Error"]["Code"] in {f.code for f in world.faults}
        else:
            assert status == world.final_status(job_id)


@pytest.mark.slow  # shrinking: 15-50 s at Hypothesis's lower bound (nox -s lowest)
def test_a_waiter_treating_cancelling_as_finished_shrinks_to_a_minimal_world() -> None:
    def broken(world: AmplifyWorld) -> bool:
        with fake_amplify(world=world):
            job_id, status, _ = wait_for_newest(world, finished=(*FINISHED, "CANCELLING"))
        return status != world.final_status(job_id)

    world = find(
        amplify_worlds(),
        broken,
        settings=settings(max_examples=500, database=None, derandomize=True),
    )
    assert broken(world)
    assert len(world.branches) == 1 and len(world.jobs) == 1
    assert world.faults == () and len(world.watched.plans) == 1
    # The shrunk timeline shows the move that fools the waiter (on the watched job, or on a job
    # that arrives while it polls, as Hypothesis's shrinker happens to reach first).
    assert "CANCELLING" in repr(world)
    assert repr(world).startswith(f"AmplifyWorld({world.app_id}/main: #1 ")


def test_a_waiter_crashing_on_an_empty_branch_is_found() -> None:
    def crashes(world: AmplifyWorld) -> bool:
        with fake_amplify(world=world):
            page = client().list_jobs(appId=world.app_id, branchName=world.branch_name)
        return not page["jobSummaries"]

    world = find(amplify_worlds(min_jobs=0), crashes, settings=settings(database=None))
    assert repr(world) == (
        f"AmplifyWorld({world.app_id}/main: no jobs; started jobs: PENDING -(0)-> RUNNING "
        "-(0)-> SUCCEED)"
    )


@pytest.mark.slow  # shrinking: 4-9 s at Hypothesis's lower bound (nox -s lowest)
def test_shrinks_toward_the_simplest_world() -> None:
    world = find(amplify_worlds(), lambda w: True, settings=settings(database=None))
    assert len(world.branches) == 1 and len(world.jobs) == 1 and world.faults == ()
    assert world.final_status() == "SUCCEED" and world.finishes_after() == 0
    assert world.started == (("RUNNING", 0), ("SUCCEED", 0))


def test_a_throttle_on_the_finishing_poll_is_absorbed() -> None:
    # A seeded world whose watched job finishes at poll 4 (built, not searched for with
    # find(): that took 85 s at the lower bounds' Hypothesis); the poll that would have seen
    # the finish (call 1 is the listing) is throttled.
    world = generate_world(seed=22, newest=["RUNNING"], max_faults=0, max_arrivals=0)
    assert world.finishes_after() == 4
    world = dataclasses.replace(
        world, faults=(FaultBurst("ThrottlingException", world.finishes_after() + 1),)
    )
    with fake_amplify(world=world) as fake:
        job_id, status, _ = wait_for_newest(world)
    assert status == world.final_status(job_id)
    assert [r.error_code for r in fake.requests if r.error_code] == ["ThrottlingException"]


# ------------------------------------------------------------------------------ app kinds


def test_every_app_of_a_world_is_of_its_branches_kind() -> None:
    # An app is connected to a repository (webhook builds, RELEASE, RETRY) or deployed
    # manually (manual deploys only), never both (AWS API reference, JobSummary.jobType);
    # generate_world(seed=0) served manual deploys on an app with a repository.
    kinds = set()
    for seed in range(60):
        world = generate_world(seed=seed, max_apps=3, max_branches=4, max_arrivals=2)
        ids = list(dict.fromkeys(b.app_id for b in world.branches))
        assert [app["appId"] for app in world.apps] == ids
        for branch in world.branches:
            app = world.app(branch.app_id)
            validate_response("GetApp", {"app": app})
            assert bool(app.get("repository")) != branch.manual, (seed, branch.app_id)
            assert {job_kind(job) for job in branch.jobs} <= {branch.manual}, seed
            validate_job_history(list(branch.jobs))  # one-kind is among the rules
            arriving = [p.job_type for p in branch.plans if p.job_type is not None]
            assert all((t == "MANUAL") == branch.manual for t in arriving), seed
            kinds.add(branch.manual)
        assert world.manual == world.watched.manual
        assert ("(manual deploys)" in repr(world).split(";")[0]) == world.manual
    assert kinds == {True, False}
    with pytest.raises(ValueError, match=r"app_id='d0' is not an app of the world; known: d"):
        generate_world(seed=0).app("d0")


def test_job_types_pin_the_watched_apps_kind() -> None:
    for seed in range(20):
        manual = generate_world(seed=seed, job_types=["MANUAL"])
        assert manual.manual and not manual.app().get("repository")
        built = generate_world(seed=seed, job_types=["RELEASE", "RETRY"])
        assert not built.manual and built.app()["repository"].startswith("https://")


@pytest.mark.parametrize("seed", range(8))
def test_the_fake_serves_a_worlds_apps_and_refuses_what_their_kind_refuses(seed: int) -> None:
    world = generate_world(seed=seed, max_apps=2, max_branches=3, max_faults=0, max_arrivals=0)
    c = client()
    with fake_amplify(world=world):
        for branch in world.branches:
            app = c.get_app(appId=branch.app_id)["app"]
            assert bool(app.get("repository")) != branch.manual
            if branch.manual:  # "Operation not supported. App is not connected to a repository."
                with pytest.raises(ClientError, match="not connected to a repository"):
                    c.start_job(
                        appId=branch.app_id, branchName=branch.branch_name, jobType="RELEASE"
                    )
            else:  # "Operation not supported. App is already connected a repository."
                with pytest.raises(ClientError, match="already connected a repository"):
                    c.create_deployment(appId=branch.app_id, branchName=branch.branch_name)


# ------------------------------------------------------------------------------ seeded worlds


def test_generate_world_is_seeded() -> None:
    assert generate_world(seed=3) == generate_world(seed=3)
    assert len({repr(generate_world(seed=s)) for s in range(20)}) == 20
    world = generate_world(seed=4, newest=["PENDING", "RUNNING"], max_faults=0)
    assert [j["status"] for j in world.jobs[:2]] == ["PENDING", "RUNNING"]


def test_amplify_fake_loads_a_seeded_world(amplify_fake: Any) -> None:
    world = generate_world(seed=8, newest=["RUNNING"])
    amplify_fake.load(world)
    job_id, status, _ = wait_for_newest(world)
    assert status == world.final_status(job_id)


def test_routes_follow_the_model() -> None:
    assert routes("PENDING")[0] == ("RUNNING", "SUCCEED")
    assert all(r[-1] in FINISHED for status in ("CREATED", "RUNNING") for r in routes(status))


def test_world_truth_names_unknown_jobs() -> None:
    world = generate_world(seed=1, max_arrivals=0)
    with pytest.raises(ValueError, match=r"job_id='999' is not a job of the watched branch"):
        world.final_status("999")


# --------------------------------------------------------------------------- bad arguments

BAD = [
    ({"min_jobs": -1}, r"min_jobs=-1 is not allowed; expected an integer from 0"),
    ({"max_jobs": "5"}, r"max_jobs='5' is not allowed"),
    ({"min_jobs": 3, "max_jobs": 2}, r"min_jobs=3 is greater than max_jobs=2"),
    ({"max_apps": 0}, r"max_apps=0 is not allowed; expected an integer from 1 to 100"),
    ({"max_branches": 0}, r"max_branches=0 is not allowed"),
    ({"max_wait": -1}, r"max_wait=-1 is not allowed"),
    ({"max_arrivals": True}, r"max_arrivals=True is not allowed"),
    ({"max_faults": -2}, r"max_faults=-2 is not allowed"),
    ({"persistent_faults": "yes"}, r"persistent_faults='yes' must be True or False"),
    ({"newest": ["DONE"]}, r"newest=\['DONE'\] has 'DONE'.*not a job status"),
    ({"statuses": ["SUCCEED"], "newest": ["RUNNING"]}, r"statuses=\['SUCCEED'\] does not allow"),
    ({"fault_codes": ["Nope"]}, r"fault_codes=\['Nope'\] has 'Nope', which the model"),
    (
        {"fault_codes": ["AccessDeniedException"]},
        r"'AccessDeniedException', which is not transient.*pass persistent_faults=True",
    ),
    (
        {"fault_codes": ["NotFoundException"], "persistent_faults": True},
        r"not answered by every operation on a branch",
    ),
    ({"region": "mars-1"}, r"region='mars-1'"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD, ids=[str(k) for k, _ in BAD])
def test_bad_arguments_are_named(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        amplify_worlds(**kwargs).validate()
    with pytest.raises(ValueError, match=message):
        generate_world(**kwargs)


def test_load_refuses_what_it_cannot_serve_exactly() -> None:
    world = generate_world(seed=1)
    with pytest.raises(ValueError, match=r"world=42 must be an AmplifyWorld"):
        fake_amplify().load(42)  # type: ignore[arg-type]
    fake = fake_amplify()
    fake.add_branch("d1abc", "main", jobs=1)
    with pytest.raises(ValueError, match=r"needs a fake that serves nothing yet.*d1abc/main"):
        fake.load(world)
    with pytest.raises(ValueError, match=r"in region 'us-east-1', the fake in 'eu-west-1'"):
        fake_amplify(region="eu-west-1", world=world)
    assert persistent_codes()[: len(transient_codes())] != ()


@pytest.mark.parametrize("mode", ["legacy", "standard"])
def test_transient_faults_are_absorbed_by_either_retry_mode(mode: str) -> None:
    import boto3
    from botocore.config import Config

    for code in transient_codes():
        with fake_amplify() as fake:
            history = fake.add_branch("d1abc", "main", jobs=3)
            fake.fail(code, times=retry_budget())
            client = boto3.client(
                "amplify",
                region_name="us-east-1",
                aws_access_key_id="a",
                aws_secret_access_key="b",
                config=Config(retries={"mode": mode}),
            )
            page = client.list_jobs(appId="d1abc", branchName="main")
            assert page["jobSummaries"] == history, code
            assert page["ResponseMetadata"]["RetryAttempts"] == retry_budget(), code

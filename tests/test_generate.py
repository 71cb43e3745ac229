"""generate_chain: the seeded path through the one generator."""

from __future__ import annotations

import collections
import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest

from pytest_amplify_jobs import (
    ListJobsChain,
    ListJobsError,
    _model,
    generate_chain,
    generate_response,
    generate_world,
    validate_job_history,
)
from pytest_amplify_jobs._coherence import job_kind
from pytest_amplify_jobs._generate import recorded_type
from tests.helpers import assert_chain_ok, assert_coherent_history, paginate_all


def test_same_seed_same_chain_and_other_seed_other_chain() -> None:
    a = generate_chain(jobs=30, seed=7)
    b = generate_chain(jobs=30, seed=7)
    assert a == b
    assert a.pages == b.pages
    assert generate_chain(jobs=30, seed=8).pages != a.pages


@pytest.mark.parametrize("seed", range(25))
def test_generated_chains_are_valid_and_coherent(seed: int) -> None:
    chain = generate_chain(jobs=seed * 3, seed=seed)
    assert_chain_ok(chain)
    assert_coherent_history(chain.jobs)
    assert len(chain.jobs) == seed * 3
    assert chain.app_id.startswith("d") and len(chain.app_id) == 14


@pytest.mark.parametrize("seed", range(10))
def test_unrealistic_chains_are_still_model_valid(seed: int) -> None:
    chain = generate_chain(jobs=12, page_size=4, seed=seed, realistic=False)
    assert_chain_ok(chain)
    assert len(chain.jobs) == 12


def test_pages_are_full_but_the_last() -> None:
    chain = generate_chain(jobs=23, page_size=5)
    assert [len(p["jobSummaries"]) for p in chain.pages] == [5, 5, 5, 5, 3]
    assert chain.page_size == 5
    assert "nextToken" not in chain.pages[-1]
    assert len(chain.tokens) == 4


def test_an_empty_history_is_one_page_with_no_jobs() -> None:
    chain = generate_chain(jobs=0)
    assert [p["jobSummaries"] for p in chain.pages] == [[]]
    assert paginate_all(chain) == []


def test_max_results_is_the_default_page_size_and_is_checked() -> None:
    chain = generate_chain(jobs=10, max_results=4)
    assert chain.page_size == 4
    assert chain.expected_params(0) == {
        "appId": chain.app_id,
        "branchName": chain.branch_name,
        "maxResults": 4,
    }
    assert paginate_all(chain, PageSize=4) == list(chain.jobs)


def test_expected_params_chain_the_tokens() -> None:
    chain = generate_chain(jobs=6, page_size=2)
    assert "nextToken" not in chain.expected_params(0)
    for i in (1, 2):
        assert chain.expected_params(i)["nextToken"] == chain.pages[i - 1]["nextToken"]
    with pytest.raises(ValueError, match=r"i=3 is not a call of this chain; allowed: 0\.\.2"):
        chain.expected_params(3)


@pytest.mark.parametrize("error_at", [0, 1, 2, 3])
def test_error_at_serves_only_the_pages_before_it(error_at: int) -> None:
    chain = generate_chain(jobs=9, page_size=3, error="InternalFailureException", error_at=error_at)
    assert len(chain.pages) == error_at
    assert chain.error_at == error_at
    assert chain.error == ListJobsError.of("InternalFailureException")
    assert chain.error.http_status == 500
    assert len(chain.jobs) == 3 * error_at
    assert all("nextToken" in p for p in chain.pages)
    assert_chain_ok(chain)


@pytest.mark.parametrize("seed", range(10))
def test_error_defaults_to_the_call_after_the_last_page(seed: int) -> None:
    chain = generate_chain(jobs=9, page_size=2, error="LimitExceededException", seed=seed)
    assert len(chain.pages) == 5 and chain.error_at == 5 and len(chain.jobs) == 9
    assert "nextToken" in chain.pages[-1]


def test_a_custom_error_message_is_kept() -> None:
    error = ListJobsError.of("BadRequestException", "nextToken expired")
    chain = generate_chain(jobs=2, error=error)
    assert chain.error is not None and chain.error.message == "nextToken expired"


def test_every_enum_value_and_error_code_appears() -> None:
    m = _model.model()
    statuses: collections.Counter[str] = collections.Counter()
    types: collections.Counter[str] = collections.Counter()
    url_types: collections.Counter[str] = collections.Counter()
    for seed in range(60):
        for job in generate_chain(jobs=15, seed=seed).jobs:
            statuses[job["status"]] += 1
            types[recorded_type(job)] += 1
            if "sourceUrlType" in job:
                url_types[job["sourceUrlType"]] += 1
    assert set(statuses) == set(m.statuses)
    assert set(types) == set(m.job_types)
    assert set(url_types) == set(m.source_url_types)
    assert statuses.most_common(1)[0][0] == "SUCCEED"
    for code, status in m.errors.items():
        chain = generate_chain(jobs=1, error=code)
        assert chain.error is not None and chain.error.http_status == status


def test_a_branch_history_is_of_one_app_kind() -> None:
    # 23 of 30 generate_chain(jobs=10) seeds put manual deploys beside a repository's builds;
    # an app is connected to a repository or deployed manually, never both (AWS API
    # reference, JobSummary.jobType).
    kinds: collections.Counter[bool] = collections.Counter()
    for seed in range(30):
        jobs = generate_chain(jobs=10, seed=seed).jobs
        found = {job_kind(job) for job in jobs}
        assert len(found) == 1, (seed, [recorded_type(job) for job in jobs])
        kinds[found.pop()] += 1
        validate_job_history(jobs)  # its rule one-kind
    assert kinds[True] and kinds[False] > kinds[True]  # one app in four is deployed manually
    for seed in range(10):  # job types of one kind decide it; of both kinds, each history is one
        assert {
            job_kind(j) for j in generate_chain(jobs=8, seed=seed, job_types=["MANUAL"]).jobs
        } == {True}
        mixed = generate_chain(jobs=8, seed=seed, job_types=["RELEASE", "MANUAL"]).jobs
        assert len({job_kind(j) for j in mixed}) == 1


def test_times_are_milliseconds_in_botocores_tzlocal() -> None:
    # The service sends milliseconds; botocore's parser hands them out as aware datetimes in
    # dateutil's tzlocal() (botocore.compat.get_tzinfo_options).
    from botocore.compat import get_tzinfo_options
    from hypothesis import Phase, find, settings

    from pytest_amplify_jobs.strategies import amplify_responses, job_histories

    tzlocal = get_tzinfo_options()[0]
    values: list[Any] = [generate_chain(jobs=40, seed=seed).pages for seed in range(3)]
    values += [generate_response(op, seed=2) for op in ("GetJob", "GetApp", "GetBranch")]
    world = generate_world(seed=2, max_apps=2, max_branches=3)
    values += [[b.jobs for b in world.branches], world.apps]
    quick = settings(database=None, max_examples=10, phases=[Phase.generate])  # no shrinking
    values.append(find(job_histories(min_size=5), lambda jobs: True, settings=quick))
    values.append(find(amplify_responses(operation="GetJob"), lambda r: True, settings=quick))
    times = list(_datetimes(values))
    assert len(times) > 100
    assert all(isinstance(t.tzinfo, tzlocal) for t in times)
    assert all(t.microsecond % 1000 == 0 for t in times)
    assert sum(t.microsecond != 0 for t in times) > len(times) // 2


def _datetimes(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _datetimes(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _datetimes(item)


_IN_A_ZONE = """
import datetime as dt, json
from dateutil.tz import tzlocal
from pytest_amplify_jobs import generate_chain, generate_world, validate_job_history
jobs = list(generate_chain(jobs=600, seed=4).jobs)
validate_job_history(jobs)
world = generate_world(seed=3, max_branches=3)
for branch in world.branches:
    validate_job_history(list(branch.jobs))
seen = []
for job in jobs:
    for key in ("commitTime", "startTime", "endTime"):
        if key in job:
            t = job[key]
            parsed = dt.datetime.fromtimestamp(t.timestamp(), tzlocal())  # as botocore parses
            assert (t.replace(tzinfo=None), t.utcoffset(), t.fold) == (
                parsed.replace(tzinfo=None), parsed.utcoffset(), parsed.fold), (t, parsed)
            seen.append(t.timestamp())
print(json.dumps(seen))
"""


def test_generation_is_the_same_whatever_the_machines_zone() -> None:
    # The same instants in every zone, coherent (summer time included: a build across the
    # clocks going back still ends after it starts), each as botocore's parser shows it.
    outputs = []
    for zone in ("UTC", "Asia/Kolkata", "America/New_York"):
        env = {**os.environ, "TZ": zone}
        done = subprocess.run(
            [sys.executable, "-c", _IN_A_ZONE], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, (zone, done.stderr[-2000:])
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == outputs[2]


def test_app_and_branch_can_be_fixed() -> None:
    chain = generate_chain(jobs=3, app_id="d123", branch_name="release/1.0", region="eu-west-1")
    assert (chain.app_id, chain.branch_name, chain.region) == ("d123", "release/1.0", "eu-west-1")
    assert all(
        ":eu-west-1:" in j["jobArn"] and ":apps/d123/branches/release/1.0/jobs/" in j["jobArn"]
        for j in chain.jobs
    )


def test_ten_thousand_jobs_paginate_exactly() -> None:
    chain = generate_chain(jobs=10_000, page_size=50)
    assert len(chain.pages) == 200
    assert_coherent_history(chain.jobs)
    assert paginate_all(chain, PageSize=50) == list(chain.jobs)


def test_repr_is_short_and_readable() -> None:
    chain = generate_chain(jobs=100, page_size=10)
    text = repr(chain)
    assert len(text) < 1200
    assert "100 jobs in 10 pages" in text and "#100 " in text


BAD_ARGS: list[tuple[dict[str, Any], str]] = [
    ({"jobs": -1}, r"jobs=-1 is not allowed; expected an integer from 0 to 100000"),
    ({"jobs": "5"}, r"jobs='5' is not allowed"),
    ({"jobs": True}, r"jobs=True is not allowed"),
    ({"page_size": 0}, r"page_size=0 is not allowed; expected an integer from 1 to 50"),
    ({"page_size": 51}, r"page_size=51 .* from 1 to 50"),
    ({"max_results": 51}, r"max_results=51 .* from 0 to 50"),
    ({"max_results": -1}, r"max_results=-1"),
    ({"page_size": 10, "max_results": 5}, r"page_size=10 is greater than max_results=5"),
    (
        {"error": "NoSuchThing"},
        r"error='NoSuchThing' is neither a modeled ListJobs error nor one AWS's front end sends; "
        r"allowed: BadRequestException",
    ),
    ({"error": 429}, r"error=429 must be a modeled error code"),
    (
        {"error_at": 1},
        r"error_at=1 is set but error is not; give error, one of: BadRequestException",
    ),
    ({"error": "BadRequestException", "error_at": -1}, r"error_at=-1 is not allowed"),
    (
        {"jobs": 4, "page_size": 2, "error": "BadRequestException", "error_at": 3},
        r"error_at=3 is beyond the chain: 4 jobs make 2 pages .* 0\.\.2",
    ),
    (
        {"app_id": "XYZ"},
        r"app_id='XYZ' is rejected by the model: 'XYZ' does not match d\[a-z0-9\]\+; expected 1 to 20 characters, matching d\[a-z0-9\]\+",
    ),
    ({"app_id": "d" * 21}, r"app_id=.* maximum 20"),
    ({"branch_name": ""}, r"branch_name='' is rejected by the model: .*minimum length 1"),
    ({"branch_name": "b" * 256}, r"branch_name=.* maximum 255"),
    ({"seed": "x"}, r"seed='x' must be an integer"),
    ({"realistic": "yes"}, r"realistic='yes' must be True or False"),
    ({"region": ""}, r"region='' must be a region name"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_ARGS, ids=[str(k) for k, _ in BAD_ARGS])
def test_bad_arguments_are_clear_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_chain(**kwargs)


def test_hand_built_chains_are_checked() -> None:
    good = generate_chain(jobs=4, page_size=2)
    pages = [dict(p) for p in good.pages]
    del pages[0]["nextToken"]
    pages[1]["jobSummaries"] = [{**pages[1]["jobSummaries"][0], "status": "DONE"}]
    chain = ListJobsChain(app_id="XYZ", branch_name=good.branch_name, pages=pages)
    lines = [str(v) for v in chain.violations()]
    assert any(line.startswith("appId: 'XYZ' does not match") for line in lines)
    assert any(
        line.startswith("pages[0].nextToken: missing, but another page follows") for line in lines
    )
    assert any(line.startswith("pages[1].jobSummaries[0].status: 'DONE'") for line in lines)
    with pytest.raises(ValueError, match="pages=\\(\\) is empty"):
        ListJobsChain(app_id="d1", branch_name="m", pages=[])


def test_a_token_botocore_cannot_send_is_reported() -> None:
    good = generate_chain(jobs=2, page_size=1)
    pages = [dict(p) for p in good.pages]
    pages[0]["nextToken"] = "None"
    chain = ListJobsChain(app_id=good.app_id, branch_name=good.branch_name, pages=pages)
    assert [str(v) for v in chain.violations()] == [
        "pages[0].nextToken: botocore's paginator reads this token as no token at all"
    ]


def test_generate_chain_takes_exactly_the_generate_options() -> None:
    import inspect

    from pytest_amplify_jobs._options import GenerateOptions

    parameters = inspect.signature(generate_chain).parameters
    assert tuple(parameters) == GenerateOptions.names()
    defaults = GenerateOptions()
    for name, parameter in parameters.items():
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        expected = getattr(defaults, name)
        assert parameter.default == expected, name

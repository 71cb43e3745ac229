"""Benchmarks: ratios against the baselines users would otherwise use, measured in one run.

    python benchmarks/run.py [--repeat N] [--quick]

Each row is a ratio of medians (ours / baseline) over several repeats in this one process, so
machine speed and noise cancel out. Not part of the test suite: no timing is ever asserted.
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs import _model


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm caches (model load, imports) outside the measurement
    times = []
    for _ in range(repeat):
        gc.collect()  # every run starts from the same heap, so GC pauses do not blur ratios
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def draw_many(strategy: Any, count: int) -> list[Any]:
    """Draw ``count`` examples through a real ``@given`` run (not ``.example()``)."""
    from hypothesis import HealthCheck, given, settings

    out: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=["generate"],
    )
    @given(strategy)
    def run(value: Any) -> None:
        out.append(value)

    run()
    return out


def hypothesis_guess(typed_dict: Any) -> Any:
    """What ``st.from_type`` builds for a TypedDict on its own: a strategy per field.

    With this plugin installed ``st.from_type(JobSummaryTypeDef)`` resolves to our strategy, so
    the baseline is rebuilt the way Hypothesis infers a TypedDict.
    """
    import typing

    from hypothesis import strategies as st

    hints = typing.get_type_hints(typed_dict)
    return st.fixed_dictionaries(
        {key: st.from_type(hints[key]) for key in sorted(typed_dict.__required_keys__)},
        optional={key: st.from_type(hints[key]) for key in sorted(typed_dict.__optional_keys__)},
    )


def share_valid(values: list[Any]) -> float:
    from pytest_amplify_jobs._validate import response_violations

    ok = sum(1 for v in values if not response_violations({"jobSummaries": [v]}))
    return ok / max(1, len(values))


def b1(repeat: int, examples: int) -> list[tuple[str, float, str, str]]:
    from mypy_boto3_amplify.type_defs import JobSummaryTypeDef

    from pytest_amplify_jobs.strategies import job_summaries

    ours = job_summaries()
    theirs = hypothesis_guess(JobSummaryTypeDef)
    t_ours = median_time(lambda: draw_many(ours, examples), repeat)
    t_theirs = median_time(lambda: draw_many(theirs, examples), repeat)
    valid_ours = share_valid(draw_many(ours, examples))
    valid_theirs = share_valid(draw_many(theirs, examples))
    return [
        (
            f"B1 job_summaries() / Hypothesis's own from_type(JobSummaryTypeDef), {examples} draws",
            t_ours / t_theirs,
            "<= 0.5",
            f"valid: ours {valid_ours:.0%}, from_type {valid_theirs:.0%}",
        )
    ]


def _paginate(client: Any, chain: Any, page_size: int) -> int:
    pages = client.get_paginator("list_jobs").paginate(
        appId=chain.app_id, branchName=chain.branch_name, PaginationConfig={"PageSize": page_size}
    )
    return sum(len(page["jobSummaries"]) for page in pages)


def _hand_written(client: Any, chain: Any, page_size: int) -> int:
    """What users write today: a Stubber queued with deep copies and explicit params."""
    from botocore.stub import Stubber

    stubber = Stubber(client)
    for i, page in enumerate(chain.pages):
        params = {**chain.expected_params(i), "maxResults": page_size}
        stubber.add_response("list_jobs", copy.deepcopy(page), params)
    with stubber:
        count = _paginate(client, chain, page_size)
    stubber.assert_no_pending_responses()
    return count


def b2_b3(repeat: int) -> list[tuple[str, float, str, str]]:
    from pytest_amplify_jobs import generate_chain, stub_list_jobs
    from pytest_amplify_jobs._stubbing import make_client

    client = make_client()
    chain = generate_chain(jobs=10_000, page_size=50)

    def ours() -> int:
        with stub_list_jobs(chain, client=client) as c:
            return _paginate(c, chain, 50)

    def whole(jobs: int) -> Callable[[], int]:
        def run() -> int:
            fresh = generate_chain(jobs=jobs, page_size=50)
            with stub_list_jobs(fresh, client=client) as c:
                return _paginate(c, fresh, 50)

        return run

    assert ours() == _hand_written(client, chain, 50) == 10_000
    t_floor = median_time(lambda: _hand_written(client, chain, 50), repeat)
    t_ours = median_time(ours, repeat)
    t_whole = median_time(whole(10_000), repeat)
    t_small = median_time(whole(1_000), repeat)
    return [
        (
            "B2 stub_list_jobs, 200 pages paginated / hand-written Stubber",
            t_ours / t_floor,
            "<= 1.05",
            f"{t_ours * 1000:.0f} ms / {t_floor * 1000:.0f} ms",
        ),
        (
            "B3 generate_chain(10_000) + stub + paginate / hand-written Stubber",
            t_whole / t_floor,
            "<= 1.5",
            f"{t_whole * 1000:.0f} ms / {t_floor * 1000:.0f} ms",
        ),
        (
            "B3 growth: 10_000 jobs / 1_000 jobs (generate + stub + paginate)",
            t_whole / t_small,
            "<= 11",
            f"{t_whole * 1000:.0f} ms / {t_small * 1000:.0f} ms",
        ),
    ]


def b_generate(repeat: int) -> list[tuple[str, float, str, str]]:
    from botocore.stub import Stubber

    from pytest_amplify_jobs import generate_chain
    from pytest_amplify_jobs._stubbing import make_client

    chain = generate_chain(jobs=10_000, page_size=50)
    client = make_client()
    method = _model.model().method_name

    def queue_raw() -> None:
        stubber = Stubber(client)
        for i, page in enumerate(chain.pages):
            stubber.add_response(method, copy.deepcopy(page), chain.expected_params(i))

    t_gen = median_time(lambda: generate_chain(jobs=10_000, page_size=50), repeat)
    t_queue = median_time(queue_raw, repeat)
    return [
        (
            "generate_chain(10_000 jobs) / a Stubber queueing its 200 pages",
            t_gen / t_queue,
            "well < 1",
            f"{t_gen * 1000:.0f} ms / {t_queue * 1000:.0f} ms",
        )
    ]


def b4(examples: int) -> list[tuple[str, float, str, str]]:
    from hypothesis import HealthCheck, given, settings

    from pytest_amplify_jobs import generate_chain, stub_list_jobs
    from pytest_amplify_jobs._stubbing import make_client
    from pytest_amplify_jobs.strategies import list_jobs_chains

    client = make_client()
    fixed = generate_chain(jobs=20, page_size=5)
    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=["generate"],
    )

    def body(chain: Any) -> None:
        with stub_list_jobs(chain, client=client) as c:
            _paginate(c, chain, chain.page_size)

    @config
    @given(list_jobs_chains(max_jobs=40))
    def generated(chain: Any) -> None:
        body(chain)

    @config
    @given(st_none())
    def fixed_chain(_: Any) -> None:
        body(fixed)

    t_gen = median_time(generated, 3)
    t_fixed = median_time(fixed_chain, 3)
    return [
        (
            "B4 @given stub+paginate, time: list_jobs_chains() / a fixed chain",
            t_gen / t_fixed,
            "info",
            f"{examples / t_gen:.0f}/s generated, {examples / t_fixed:.0f}/s fixed chain",
        )
    ]


def st_none() -> Any:
    from hypothesis import strategies as st

    return st.integers()


def b6(repeat: int) -> list[tuple[str, float, str, str]]:
    from pytest_amplify_jobs import fake_list_jobs, generate_chain, stub_list_jobs
    from pytest_amplify_jobs._stubbing import make_client

    client = make_client()
    chain = generate_chain(jobs=10_000, page_size=50)

    def stubbed() -> int:
        with stub_list_jobs(chain, client=client) as c:
            return _paginate(c, chain, 50)

    fake = fake_list_jobs()
    with fake:
        fake.add_branch(app_id=chain.app_id, branch_name=chain.branch_name, jobs=10_000)

        def faked() -> int:
            return _paginate(client, chain, 50)

        assert faked() == 10_000
        t_fake = median_time(faked, repeat)
    t_stub = median_time(stubbed, repeat)
    per_fake = t_fake / 200 * 1e6
    per_stub = t_stub / 200 * 1e6
    return [
        (
            "B6 fake service per page (wire JSON, parser) / stub_list_jobs per page",
            t_fake / t_stub,
            "info",
            f"{per_fake:.0f} us / {per_stub:.0f} us per page of 50",
        )
    ]


def _python_seconds(code: str, repeat: int) -> float:
    def run() -> None:
        subprocess.run([sys.executable, "-c", code], check=True)

    return median_time(run, repeat)


def _pytest_seconds(args: list[str], repeat: int, directory: str) -> float:
    def run() -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:randomly",
                "-p",
                "no:cacheprovider",
                *args,
            ],
            check=True,
            cwd=directory,
            capture_output=True,
        )

    return median_time(run, repeat)


def b5(repeat: int) -> list[tuple[str, float, str, str]]:
    import tempfile

    t_plugin = _python_seconds("import pytest_amplify_jobs.plugin", repeat)
    t_pytest = _python_seconds("import pytest", repeat)
    with tempfile.TemporaryDirectory() as directory:
        with open(f"{directory}/test_plain.py", "w") as f:
            f.write("def test_one():\n    assert True\n" * 1)
        t_with = _pytest_seconds([], repeat, directory)
        t_without = _pytest_seconds(["-p", "no:amplify_jobs"], repeat, directory)
    return [
        (
            "B5 import pytest_amplify_jobs.plugin / import pytest",
            t_plugin / t_pytest,
            "~1",
            f"{t_plugin * 1000:.0f} ms / {t_pytest * 1000:.0f} ms",
        ),
        (
            "B5 a suite not using the plugin: installed / disabled (-p no:amplify_jobs)",
            t_with / t_without,
            "~1",
            f"{t_with * 1000:.0f} ms / {t_without * 1000:.0f} ms",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repeats per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="fewer examples, for a smoke run")
    args = parser.parse_args(argv)
    examples = 100 if args.quick else 500
    rows = (
        b1(args.repeat, examples)
        + b2_b3(args.repeat)
        + b_generate(args.repeat)
        + b4(50 if args.quick else 200)
        + b5(args.repeat)
        + b6(args.repeat)
    )
    print(
        f"python {platform.python_version()}, {platform.machine()}, {_cpu()}, "
        f"{os.cpu_count()} cores; ratios of medians of {args.repeat} repeats"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  ratio  target    note")
    for name, ratio, target, note in rows:
        print(f"{name:<{width}}  {ratio:5.2f}  {target:<8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks: ratios against the baselines users would otherwise use, measured in one run.

    python benchmarks/run.py [--repeat N] [--quick]

Each row is a ratio of medians (ours / baseline) over several repeats in this one process, so
machine speed and noise cancel out. Not part of the test suite: no timing is ever asserted.
"""

from __future__ import annotations

import argparse
import copy
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from pytest_amplify_jobs import _model


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm caches (model load, imports) outside the measurement
    times = []
    for _ in range(repeat):
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


def share_valid(values: list[Any]) -> float:
    from pytest_amplify_jobs._validate import response_violations

    ok = sum(1 for v in values if not response_violations({"jobSummaries": [v]}))
    return ok / max(1, len(values))


def b1(repeat: int, examples: int) -> list[tuple[str, float, str, str]]:
    from hypothesis import strategies as st
    from mypy_boto3_amplify.type_defs import JobSummaryTypeDef

    from pytest_amplify_jobs.strategies import job_summaries

    ours = job_summaries()
    theirs = st.from_type(JobSummaryTypeDef)
    t_ours = median_time(lambda: draw_many(ours, examples), repeat)
    t_theirs = median_time(lambda: draw_many(theirs, examples), repeat)
    valid_ours = share_valid(draw_many(ours, examples))
    valid_theirs = share_valid(draw_many(theirs, examples))
    return [
        (
            f"B1 job_summaries() / st.from_type(JobSummaryTypeDef), {examples} draws",
            t_ours / t_theirs,
            "<= 0.5",
            f"valid: ours {valid_ours:.0%}, from_type {valid_theirs:.0%}",
        )
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
            "generate_chain(jobs=10_000, page_size=50) / Stubber queueing its 200 pages",
            t_gen / t_queue,
            "well < 1",
            f"{t_gen * 1000:.0f} ms / {t_queue * 1000:.0f} ms",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repeats per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="fewer examples, for a smoke run")
    args = parser.parse_args(argv)
    examples = 100 if args.quick else 500
    rows = b1(args.repeat, examples) + b_generate(args.repeat)
    print(
        f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or ''}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  ratio  target    note")
    for name, ratio, target, note in rows:
        print(f"{name:<{width}}  {ratio:5.2f}  {target:<8}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

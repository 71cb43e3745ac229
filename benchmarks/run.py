"""Benchmarks: pytest-amplify-jobs against what a user would write without it, in one run.

    python benchmarks/run.py                  # every row (about 15 minutes on 2 cores)
    python benchmarks/run.py --only B2,B7     # some rows
    python benchmarks/run.py --quick --repeat 1   # smoke run (CI): small workloads, < 60 s
    python benchmarks/run.py --only B7 --profile  # and cProfile the plugin side of B7

How it measures, so that a ratio means something:

- Ours and the baseline alternate inside every round (A B, then B A in the next round), so both
  see the same machine state; nothing is timed minutes apart. Every row prints min / median /
  max of each side and the ratio of the medians. ``--repeat`` is the number of rounds (at least
  9, except with ``--quick``); B5 makes at least 15 runs of each side.
- In-process rows time CPU (``time.process_time``), which other load on a shared machine
  disturbs far less than wall time; each call is warmed once and starts after ``gc.collect()``.
- Subprocess rows (B5, B7) read the child's CPU time and peak memory from ``os.wait4``: the
  kernel's accounting of the ``pytest`` process and of every process it reaped (pytest-xdist
  workers included), so interpreter start-up and shutdown are counted and nothing is injected
  into the child. Peak memory is ``ru_maxrss``, the high-water mark of resident memory: at
  ``-n 0`` the pytest process itself; under xdist, the largest of the controller and its
  workers (the kernel reports a maximum, not a sum). A process started from this script would
  inherit its high-water mark across ``exec``, so a small launcher (``LAUNCHER``) forks the
  child and reports its rusage. Wall time is measured around the launcher.
- Workloads are matched: both sides serve the same pages, the same number of jobs and pages
  per test, the same Hypothesis example shapes. Baselines are what a user writes by hand: a
  ``Stubber`` fed with ``add_response`` (no ``deepcopy``), a valid hand-written Hypothesis
  strategy (``from_regex``, ``sampled_from``, aware datetimes) beside Hypothesis's own guess.
- Hypothesis is seeded (``@seed``) with ``database=None``; its storage directory, the generated
  B7/B5 suites and every file a child writes live in one temporary directory removed at exit,
  so the working tree stays clean. AWS variables and files are hidden from every client.
- Only the public API is used: top-level ``pytest_amplify_jobs`` names, its ``strategies`` and
  its fixtures. Model facts (enums, limits) come from botocore.

The rows (targets from issue 17, CPU unless a row says wall):

- B1: 100 seeded ``@given`` draws of ``job_summaries()`` against Hypothesis's own inference for
  ``JobSummaryTypeDef`` (0 % valid) and against a careful user's valid strategy.
- B2: serving one 10,000-job chain (200 pages of 50) through ``stub_list_jobs`` and paginating
  it, against ``add_response`` of the very same pages on a ``Stubber``.
- B3: the same with ``generate_chain`` included on our side; and how our cost grows per 10x
  jobs from 1,000 to 100,000 (minima; linear growth is 10).
- B4: ``@given(list_jobs_chains())`` with stub + paginate in the body, against the same
  ``@given`` loop over fixed chains of exactly the shapes (jobs, page size) it generated.
- B5: what installing the plugin costs a suite that does not use it: the import time of its
  modules in a pytest run (``-X importtime``), and ``--collect-only`` CPU with the plugin
  installed against ``-p no:amplify_jobs``.
- B6: listing 1,000 jobs in pages of 50 from ``fake_amplify``, against a floor (the same
  pages as JSON encoded in advance, answered at ``before-send``: botocore's own request,
  event and parsing cost) and against moto listing 1,000 EventBridge Scheduler schedules.
- B7: the downstream suite, generated into the temporary directory: 2,000 tests, each
  ``list_jobs_stub.generate(jobs=50)`` then paginate, against the same suite written by hand
  (a client per test, an active ``Stubber``, 50 summaries from a helper, ``add_response``),
  one page per test and with page sizes drawn (1..50 in turn on the hand-written side: the
  plugin's uniform draw, on average), at ``-n 0`` and ``-n 2``. Its runs last 15-50 s each,
  so B7 makes ``--suite-repeat`` alternating rounds (default 3) instead of ``--repeat``: nine
  rounds of its six commands would take about 25 minutes on 2 cores, and each run already
  averages over 2,000 tests. ``--profile`` prints a cProfile of the plugin suite.
- B8 (issue 12): a page from the fake to an aiobotocore client against a botocore client.
- B9 (issue 13): one GetJob or StartJob call answered by the fake, against the same call
  answered by a hand-written ``Stubber`` (information). Issue 27: a row per operation family
  the fake serves (every operation of ``HANDLERS`` at run time, grouped by the resource of its
  URI), the fake's cost per call against botocore's floor for the same response (the bytes
  and headers the fake sent, captured once, answered at ``before-send``), and the list of the
  operations over 1.15. ``--profile`` adds a cProfile of the fake's stages per call.
- B10-B12 (issue 27, ``benchmarks/service_rows.py``, which says how): a start / poll / list
  suite against moto's ``mock_aws`` on CodeBuild (wall, peak traced memory; ``--suite-repeat``
  rounds, 300 tests each; and botocore's own floor for the same calls, what bounds the row),
  ``@given(amplify_worlds())`` driving a waiter against a fixed scripted fake (per example),
  and server mode (``fake.serve()``) against moto's server in
  requests per second from 4 client threads (target: at least 1.0).

Rows whose prerequisites are missing (mypy-boto3-amplify, moto, aiobotocore, pytest-xdist, an
operation the fake does not serve yet) are printed as skipped, with the reason; ``nox -s
bench`` runs every row in an environment with the ``bench`` extra (moto[server]). No timing is
ever asserted: the script prints ratios, and "pass"/"MISS" against the project's targets.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gc
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REGION = "us-east-1"
ALL_ROWS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12")


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Config:
    repeat: int
    quick: bool
    tmp: str
    suite_repeat: int = 3

    @property
    def draws(self) -> int:  # B1: Hypothesis examples per measurement
        return 20 if self.quick else 100

    @property
    def examples(self) -> int:  # B4: @given examples per measurement
        return 30 if self.quick else 200

    @property
    def growth_sizes(self) -> tuple[int, ...]:  # B3 growth
        return (1_000, 10_000) if self.quick else (1_000, 10_000, 100_000)

    @property
    def subprocess_runs(self) -> int:  # B5: runs of each side, alternating
        return self.repeat if self.quick else max(15, self.repeat)

    @property
    def suite_tests(self) -> int:  # B7
        return 100 if self.quick else 2_000

    @property
    def suite_workers(self) -> tuple[int, ...]:  # B7: pytest-xdist -n values
        return (0,) if self.quick else (0, 2)


# ------------------------------------------------------------------------------- measurement


def alternate(
    runs: dict[str, Callable[[], object]],
    repeat: int,
    *,
    around: dict[str, Callable[[], contextlib.AbstractContextManager[object]]] | None = None,
) -> dict[str, list[float]]:
    """CPU seconds of each callable, ``repeat`` rounds, all callables in every round.

    The order flips every round (A B C, C B A, ...), so no side always runs first. ``around``
    gives a context entered outside the timed region (a mock to switch on, for instance).
    """
    around = around or {}
    names = list(runs)
    for name in names:  # warm caches (model load, imports, regex compilation)
        with _around(around, name):
            runs[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(repeat):
        for name in names if index % 2 == 0 else names[::-1]:
            with _around(around, name):
                gc.collect()
                start = time.process_time()
                runs[name]()
                samples[name].append(time.process_time() - start)
    return samples


def _around(
    around: dict[str, Callable[[], contextlib.AbstractContextManager[object]]], name: str
) -> contextlib.AbstractContextManager[object]:
    return around[name]() if name in around else contextlib.nullcontext()


@dataclass(frozen=True)
class ChildRun:
    wall: float  # seconds
    cpu: float  # seconds, user + system, the child and the processes it reaped
    max_rss: float  # MiB, the largest resident set among them
    output: str


# Runs the measured command as its child and reports that child's rusage. A process forked
# from this (large) benchmark process inherits its memory high-water mark across exec, so the
# measured command must be forked from a small, freshly started process: this one.
LAUNCHER = """\
import json, os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump([usage.ru_utime + usage.ru_stime, usage.ru_maxrss], f)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(args: list[str], cwd: str, env: dict[str, str]) -> ChildRun:
    """Run one child process: its wall time, and its CPU time and peak memory (``wait4``)."""
    tmp = env["TMPDIR"]
    with tempfile.TemporaryFile(dir=tmp) as out, tempfile.TemporaryDirectory(dir=tmp) as box:
        report = os.path.join(box, "rusage.json")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, report, *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
        wall = time.perf_counter() - start
        out.seek(0)
        output = out.read().decode(errors="replace")
        if done.returncode != 0:
            tail = "\n".join(output.splitlines()[-30:])
            raise RuntimeError(f"{' '.join(args)} exited with {done.returncode}:\n{tail}")
        with open(report) as f:
            cpu, max_rss = json.load(f)
    rss_unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return ChildRun(wall=wall, cpu=cpu, max_rss=max_rss * rss_unit / 2**20, output=output)


def alternate_children(
    commands: dict[str, tuple[list[str], str]],
    runs: int,
    env: dict[str, str],
    *,
    warm: tuple[str, ...] | None = (),
) -> dict[str, list[ChildRun]]:
    """Like :func:`alternate`, for child processes: one warm-up run each (the command plus
    ``warm`` arguments; ``None``: no warm-up), then ``runs`` rounds."""
    names = list(commands)
    for name in names if warm is not None else ():  # page cache, bytecode caches
        args, cwd = commands[name]
        run_child([*args, *warm], cwd, env)
    samples: dict[str, list[ChildRun]] = {name: [] for name in names}
    for index in range(runs):
        for name in names if index % 2 == 0 else names[::-1]:
            samples[name].append(run_child(*commands[name], env))
    return samples


# ----------------------------------------------------------------------------------- the table


@dataclass
class Row:
    """One line of the table. Samples are seconds (shown in ``unit``) or MiB (unit "MiB")."""

    name: str
    ours: list[float] = field(default_factory=list)
    base: list[float] = field(default_factory=list)
    unit: str = "ms"
    target: float | None = None  # the value must be <= target; None: information only
    at_least: bool = False  # the value must be >= target instead (a rate: higher is better)
    value: float | None = None  # shown instead of the ratio of medians
    value_text: str = ""
    note: str = ""
    skipped: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is not None:
            return self.value
        if self.ours and self.base:
            return statistics.median(self.ours) / statistics.median(self.base)
        return None


def skipped(name: str, reason: str) -> Row:
    return Row(name, skipped=reason)


def _brief(error: BaseException, limit: int = 90) -> str:
    text = f"{type(error).__name__}: {error}".splitlines()[0]
    return text if len(text) <= limit else text[: limit - 3] + "..."


_SCALE = {"s": 1.0, "ms": 1e3, "us": 1e6, "MiB": 1.0, "rps": 1.0}


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _spread(samples: list[float], unit: str) -> str:
    if not samples:
        return "-"
    scale = _SCALE[unit]
    low, mid, high = min(samples), statistics.median(samples), max(samples)
    return f"{_number(low * scale)} / {_number(mid * scale)} / {_number(high * scale)} {unit}"


def render(rows: list[Row]) -> str:
    header = (
        "row",
        "ours min / median / max",
        "baseline min / median / max",
        "ratio",
        "target",
        "note",
    )
    lines: list[tuple[str, ...]] = []
    for row in rows:
        if row.skipped:
            lines.append((row.name, "-", "-", "-", "-", f"skipped: {row.skipped}"))
            continue
        target = "info" if row.target is None else _target(row)
        note = "; ".join(part for part in (verdict(row), row.note) if part)
        lines.append(
            (
                row.name,
                _spread(row.ours, row.unit),
                _spread(row.base, row.unit),
                _shown(row),
                target,
                note,
            )
        )
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(5)]
    out = []
    for line in [header, *lines]:
        cells = [f"{cell:<{widths[i]}}" for i, cell in enumerate(line[:5])]
        cells[3] = f"{line[3]:>{widths[3]}}"  # ratios line up on the right
        out.append("  ".join([*cells, line[5]]).rstrip())
    return "\n".join(out)


# ------------------------------------------------------------------------- clients and models


@functools.cache
def _session() -> Any:
    import botocore.session

    return botocore.session.Session()


def new_client(service: str = "amplify") -> Any:
    """A botocore client with fake credentials (AWS files and variables are hidden in main)
    that raises rather than reach the network when nothing answered a request."""
    client = _session().create_client(
        service,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_session_token="testing",
    )
    return no_network(client)


class NotAnswered(RuntimeError):
    """A request got as far as being sent: no stub, fake or floor answered it."""


class _NoNetwork:
    """Stands in for the client's HTTP session, the one place botocore sends from."""

    def send(self, request: Any) -> Any:
        raise NotAnswered(f"{request.method} {request.url} was not answered; nothing is sent")


def no_network(client: Any) -> Any:
    client._endpoint.http_session = _NoNetwork()
    return client


@functools.cache
def amplify_model() -> Any:
    return _session().get_service_model("amplify")


def list_all(client: Any, app_id: str, branch_name: str, page_size: int | None = None) -> int:
    """Paginate ListJobs as the code under test does; the number of jobs listed."""
    config = {"PageSize": page_size} if page_size else {}
    pages = client.get_paginator("list_jobs").paginate(
        appId=app_id, branchName=branch_name, PaginationConfig=config
    )
    return sum(len(page["jobSummaries"]) for page in pages)


def hand_written_stubber(
    client: Any, pages: Any, app_id: str, branch_name: str, page_size: int
) -> int:
    """What users write without the plugin: ``add_response`` per page, then paginate."""
    from botocore.stub import Stubber

    stubber = Stubber(client)
    token = None
    for page in pages:
        params = {"appId": app_id, "branchName": branch_name, "maxResults": page_size}
        if token is not None:
            params["nextToken"] = token
        stubber.add_response("list_jobs", page, params)
        token = page.get("nextToken")
    with stubber:
        count = list_all(client, app_id, branch_name, page_size)
    stubber.assert_no_pending_responses()
    return count


def hypothesis_settings(examples: int) -> Any:
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )


# ----------------------------------------------------------------------------------------- B1


def draw_many(strategy: Any, count: int, seed_value: int = 1) -> Callable[[], list[Any]]:
    """A function drawing ``count`` examples through a real, seeded ``@given`` run."""
    from hypothesis import given, seed

    out: list[Any] = []

    @seed(seed_value)
    @hypothesis_settings(count)
    @given(strategy)
    def run(value: Any) -> None:
        out.append(value)

    def draw() -> list[Any]:
        out.clear()
        run()
        return list(out)

    return draw


def from_type_guess() -> Any | None:
    """What ``st.from_type(JobSummaryTypeDef)`` builds without this plugin: a strategy per field.

    With the plugin installed ``from_type`` resolves to our strategy, so the baseline is rebuilt
    the way Hypothesis infers a TypedDict (``from_type`` of each field's type).
    """
    import typing

    from hypothesis import strategies as st

    try:
        from mypy_boto3_amplify.type_defs import JobSummaryTypeDef as typed
    except ImportError:
        try:
            from types_boto3_amplify.type_defs import JobSummaryTypeDef as typed
        except ImportError:
            return None
    hints = typing.get_type_hints(typed)
    return st.fixed_dictionaries(
        {key: st.from_type(hints[key]) for key in sorted(typed.__required_keys__)},
        optional={key: st.from_type(hints[key]) for key in sorted(typed.__optional_keys__)},
    )


def hand_written_summaries() -> Any:
    """A careful user's valid JobSummary strategy: regexes, the model's enums, aware datetimes."""
    from hypothesis import strategies as st

    members = amplify_model().shape_for("JobSummary").members
    finished = {"SUCCEED", "FAILED", "CANCELLED"}
    times = st.datetimes(
        min_value=dt.datetime(2018, 1, 1),
        max_value=dt.datetime(2030, 1, 1),
        timezones=st.just(dt.timezone.utc),
    )
    minutes = st.integers(0, 600).map(lambda m: dt.timedelta(minutes=m))

    @st.composite
    def summaries(draw: Any) -> dict[str, Any]:
        app_id = draw(st.from_regex(r"d[a-z0-9]{13}", fullmatch=True))
        job_id = draw(st.from_regex(r"[1-9][0-9]{0,5}", fullmatch=True))
        commit_time = draw(times)
        start = commit_time + draw(minutes)
        status = draw(st.sampled_from(members["status"].enum))
        job_type = draw(st.sampled_from(members["jobType"].enum))
        summary = {
            "jobArn": f"arn:aws:amplify:{REGION}:123456789012:apps/{app_id}"
            f"/branches/main/jobs/{int(job_id):010d}",
            "jobId": job_id,
            "commitId": draw(st.from_regex(r"[0-9a-f]{40}", fullmatch=True)),
            "commitMessage": draw(st.text(max_size=members["commitMessage"].metadata["max"])),
            "commitTime": commit_time,
            "startTime": start,
            "status": status,
            "jobType": job_type,
        }
        if status in finished:
            summary["endTime"] = start + draw(minutes)
        if job_type == "MANUAL":
            summary["commitId"] = "HEAD"
            summary["sourceUrl"] = draw(
                st.from_regex(
                    r"https://[a-z]{3,12}\.example\.com/[a-z0-9]{1,20}\.zip", fullmatch=True
                )
            )
            summary["sourceUrlType"] = draw(st.sampled_from(members["sourceUrlType"].enum))
        return summary

    return summaries()


def share_valid(values: list[Any]) -> float:
    from pytest_amplify_jobs import InvalidListJobsResponse, validate_list_jobs_response

    ok = 0
    for value in values:
        try:
            validate_list_jobs_response({"jobSummaries": [value]})
        except InvalidListJobsResponse:
            continue
        ok += 1
    return ok / max(1, len(values))


def b1(cfg: Config) -> list[Row]:
    from pytest_amplify_jobs.strategies import job_summaries

    n = cfg.draws
    runs = {"ours": draw_many(job_summaries(), n), "hand": draw_many(hand_written_summaries(), n)}
    guess = from_type_guess()
    if guess is not None:
        runs["from_type"] = draw_many(guess, n)
    valid = {name: share_valid(run()) for name, run in runs.items()}
    times = alternate(runs, cfg.repeat)
    rows = []
    if guess is None:
        rows.append(
            skipped(
                "B1 job_summaries() / from_type(JobSummaryTypeDef)",
                "neither mypy-boto3-amplify nor types-boto3-amplify is installed",
            )
        )
    else:
        rows.append(
            Row(
                f"B1 job_summaries() / from_type(JobSummaryTypeDef), {n} draws",
                times["ours"],
                times["from_type"],
                target=0.30,
                note=f"valid: ours {valid['ours']:.0%}, from_type {valid['from_type']:.0%}",
            )
        )
    rows.append(
        Row(
            f"B1 job_summaries() / valid hand-written strategy, {n} draws",
            times["ours"],
            times["hand"],
            target=0.08,
            note=f"valid: hand-written {valid['hand']:.0%}",
        )
    )
    return rows


# -------------------------------------------------------------------------------------- B2, B3


def b2_b3(cfg: Config, keys: set[str]) -> list[Row]:
    from pytest_amplify_jobs import generate_chain, stub_list_jobs

    # Model-complete on both sides: the hand-written Stubber validates its pages against the
    # model, and the pages the service sends (the default, departures) lack required members.
    chain = generate_chain(jobs=10_000, page_size=50, seed=0, model_complete=True)
    ours_client, base_client = new_client(), new_client()  # our probe stays off theirs

    def baseline() -> int:
        return hand_written_stubber(base_client, chain.pages, chain.app_id, chain.branch_name, 50)

    def stub_only() -> int:
        with stub_list_jobs(chain, client=ours_client) as client:
            return list_all(client, chain.app_id, chain.branch_name, 50)

    def whole(jobs: int) -> Callable[[], int]:
        def run() -> int:
            fresh = generate_chain(jobs=jobs, page_size=50, seed=0, model_complete=True)
            with stub_list_jobs(fresh, client=ours_client) as client:
                return list_all(client, fresh.app_id, fresh.branch_name, 50)

        return run

    assert stub_only() == baseline() == whole(10_000)() == 10_000
    rows = []
    if "B2" in keys:
        times = alternate({"ours": stub_only, "base": baseline}, cfg.repeat)
        rows.append(
            Row(
                "B2 stub_list_jobs(chain) + paginate / hand-written Stubber, 200 pages",
                times["ours"],
                times["base"],
                target=0.20,
                note="same 10,000-job pages on both sides, no deepcopy",
            )
        )
    if "B3" in keys:
        runs: dict[str, Callable[[], object]] = {"base": baseline}
        runs.update({str(jobs): whole(jobs) for jobs in cfg.growth_sizes})
        times = alternate(runs, cfg.repeat)
        rows.append(
            Row(
                "B3 generate_chain + stub + paginate / hand-written Stubber, 10,000 jobs",
                times["10000"],
                times["base"],
                target=0.70,
                note="baseline queues pages it already has",
            )
        )
        sizes = cfg.growth_sizes
        minima = [min(times[str(jobs)]) for jobs in sizes]
        steps = [later / earlier for earlier, later in itertools.pairwise(minima)]
        per_decade = (minima[-1] / minima[0]) ** (1 / (len(sizes) - 1))
        shown = ", ".join(
            f"{a:,}->{b:,}: {s:.2f}" for a, b, s in zip(sizes, sizes[1:], steps, strict=False)
        )
        rows.append(
            Row(
                f"B3 growth per 10x jobs, {sizes[0]:,} -> {sizes[-1]:,}, on minima",
                times[str(sizes[-1])],
                times[str(sizes[0])],
                target=10.5,
                value=per_decade,
                note=f"ours at {sizes[-1]:,} jobs vs ours at {sizes[0]:,} jobs; {shown}",
            )
        )
    return rows


# ----------------------------------------------------------------------------------------- B4


def b4(cfg: Config) -> list[Row]:
    from hypothesis import given, seed
    from hypothesis import strategies as st

    from pytest_amplify_jobs import generate_chain, stub_list_jobs
    from pytest_amplify_jobs.strategies import list_jobs_chains

    client = new_client()
    config = hypothesis_settings(cfg.examples)
    shapes: list[tuple[int, int]] = []

    def body(chain: Any) -> None:
        with stub_list_jobs(chain, client=client) as c:
            assert list_all(c, chain.app_id, chain.branch_name, chain.page_size) == len(chain.jobs)

    @seed(4)
    @config
    @given(list_jobs_chains(max_jobs=40))
    def generated(chain: Any) -> None:
        shapes.append((len(chain.jobs), chain.page_size))
        body(chain)

    generated()  # record the shapes this seed produces; every run produces the same ones
    recorded = list(shapes)
    # The baseline serves fixed chains of exactly those shapes, in the same order.
    fixed = [
        generate_chain(jobs=jobs, page_size=size, seed=i) for i, (jobs, size) in enumerate(recorded)
    ]
    position = iter(())

    @seed(4)
    @config
    @given(st.integers())
    def fixed_chains(_: int) -> None:
        body(next(position))

    def run_fixed() -> None:
        nonlocal position
        position = iter(fixed * 2)  # Hypothesis may run a few more examples on this side
        fixed_chains()

    def run_generated() -> None:
        shapes.clear()
        generated()
        assert shapes == recorded, "Hypothesis did not replay the same examples"

    times = alternate({"ours": run_generated, "base": run_fixed}, cfg.repeat)
    jobs = sum(j for j, _ in recorded) / max(1, len(recorded))
    pages = sum(max(1, -(-j // s)) for j, s in recorded) / max(1, len(recorded))
    return [
        Row(
            f"B4 @given(list_jobs_chains()) / fixed chains of the same shapes, {len(recorded)} ex.",
            times["ours"],
            times["base"],
            target=2.0,
            note=f"both: stub + paginate, {jobs:.1f} jobs / {pages:.1f} pages per example",
        )
    ]


# ----------------------------------------------------------------------------------------- B5


def child_env(cfg: Config) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    env["TMPDIR"] = cfg.tmp
    # Bytecode (and pytest's rewritten test modules) is cached, as in any project, but in the
    # temporary directory rather than beside the package's sources.
    env["PYTHONPYCACHEPREFIX"] = os.path.join(cfg.tmp, "pycache")
    return env


def pytest_args(*extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        *extra,
    ]


def write_files(directory: str, files: dict[str, str]) -> str:
    """Write ``files`` into ``directory``, leaving unchanged ones alone: a file rewritten with
    the same text would invalidate pytest's cache of its rewritten bytecode."""
    os.makedirs(directory, exist_ok=True)
    for name, text in files.items():
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError), open(path) as f:
            if f.read() == text:
                continue
        with open(path, "w") as f:
            f.write(text)
    return directory


def plain_suite(cfg: Config) -> str:
    """A suite that does not use the plugin: 10 files of 20 trivial tests."""
    files = {"pytest.ini": "[pytest]\n"}
    for n in range(10):
        files[f"test_plain_{n}.py"] = "".join(
            f"def test_{i}():\n    assert {i} + 1 == {i + 1}\n\n\n" for i in range(20)
        )
    return write_files(os.path.join(cfg.tmp, "b5-suite"), files)


def importtime_entries(importtime: str) -> list[tuple[int, str, int, int]]:
    """``(depth, module, self us, cumulative us)`` of each ``-X importtime`` line."""
    entries = []
    for line in importtime.splitlines():
        if not line.startswith("import time:") or line.count("|") < 2:
            continue
        own, cumulative, name = line.split("|", 2)
        own = own.removeprefix("import time:")
        if not cumulative.strip().isdigit():
            continue  # the header line
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        entries.append((depth, name.strip(), int(own), int(cumulative)))
    return entries


def plugin_import_us(importtime: str) -> float:
    """Microseconds a pytest run spends importing this plugin's modules.

    Sums the cumulative time of every ``pytest_amplify_jobs*`` import not nested in another one
    (lines list children before their parent, one level deeper). Modules that pytest and
    Hypothesis load from entry points (``importlib.import_module``) get no line of their own:
    :func:`entry_module_us` measures those.
    """
    entries = importtime_entries(importtime)
    total = 0
    for index, (depth, name, _, cumulative) in enumerate(entries):
        if not name.startswith("pytest_amplify_jobs"):
            continue
        nested, level = False, depth
        for later_depth, later_name, _, _ in entries[index + 1 :]:
            if later_depth < level:  # an ancestor
                level = later_depth
                if later_name.startswith("pytest_amplify_jobs"):
                    nested = True
                    break
        if not nested:
            total += cumulative
    return float(total)


def entry_modules() -> list[str]:
    """The package and the modules its pytest11 and hypothesis entry points load."""
    from importlib.metadata import entry_points

    found = ["pytest_amplify_jobs"]
    for group in ("pytest11", "hypothesis"):
        for entry in entry_points(group=group):
            if entry.module.split(".")[0] == "pytest_amplify_jobs":
                found.append(entry.module)
    return found


def entry_module_us(cfg: Config, env: dict[str, str]) -> float:
    """The own import time of :func:`entry_modules`, imported with ``import`` statements after
    pytest and Hypothesis (whose entry points are switched off for this one process)."""
    modules = entry_modules()
    code = "import pytest, hypothesis\n" + "".join(f"import {name}\n" for name in modules)
    with tempfile.TemporaryFile(dir=cfg.tmp) as err:
        subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            env={**env, "HYPOTHESIS_NO_PLUGINS": "1"},
            stdout=subprocess.DEVNULL,
            stderr=err,
            check=True,
        )
        err.seek(0)
        entries = importtime_entries(err.read().decode(errors="replace"))
    return float(sum(own for _, name, own, _ in entries if name in modules))


def b5(cfg: Config) -> list[Row]:
    suite = plain_suite(cfg)
    env = child_env(cfg)
    runs = cfg.subprocess_runs
    times = alternate_children(
        {
            "installed": (pytest_args("--collect-only"), suite),
            "disabled": (pytest_args("--collect-only", "-p", "no:amplify_jobs"), suite),
        },
        runs,
        env,
        warm=None if cfg.quick else (),
    )
    imports: list[float] = []
    traced = [sys.executable, "-X", "importtime", *pytest_args("--collect-only")[1:]]
    for _ in range(runs):
        with tempfile.TemporaryFile(dir=cfg.tmp) as err:
            subprocess.run(traced, cwd=suite, env=env, stdout=subprocess.DEVNULL, stderr=err)
            err.seek(0)
            imported = plugin_import_us(err.read().decode(errors="replace"))
        imports.append((imported + entry_module_us(cfg, env)) / 1e6)
    median_ms = statistics.median(imports) * 1e3
    wall_ratio = statistics.median(r.wall for r in times["installed"]) / statistics.median(
        r.wall for r in times["disabled"]
    )
    return [
        Row(
            "B5 import delta in a pytest run (-X importtime), plugin modules",
            imports,
            [],
            target=2.0,
            value=median_ms,
            value_text=f"+{median_ms:.2f} ms",
            note=f"{runs} runs of pytest --collect-only, entry-point modules added; target in ms",
        ),
        Row(
            "B5 collect-only, 200 plain tests: installed / -p no:amplify_jobs",
            [r.cpu for r in times["installed"]],
            [r.cpu for r in times["disabled"]],
            target=1.02,
            note=f"CPU of the child, {runs} alternating runs each; wall {wall_ratio:.2f}",
        ),
    ]


# ----------------------------------------------------------------------------------------- B6


class _Body:
    """The raw body botocore reads from a response (``AWSResponse.content`` streams it)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def wire_pages(history: list[dict[str, Any]], page_size: int) -> list[bytes]:
    """The JSON bodies Amplify sends for ``history`` (timestamps as epoch seconds)."""

    def wire(job: dict[str, Any]) -> dict[str, Any]:
        return {k: v.timestamp() if isinstance(v, dt.datetime) else v for k, v in job.items()}

    bodies = []
    chunks = [history[i : i + page_size] for i in range(0, len(history), page_size)]
    for index, chunk in enumerate(chunks):
        body: dict[str, Any] = {"jobSummaries": [wire(job) for job in chunk]}
        if index < len(chunks) - 1:
            body["nextToken"] = f"{index + 1:060d}"
        bodies.append(json.dumps(body).encode())
    return bodies


def floor_client(bodies: list[bytes]) -> Any:
    """A client answered at ``before-send`` from bodies encoded in advance: botocore's own cost
    (request building, events, parsing, datetimes), no service logic. The floor for any fake on
    the wire."""
    from botocore import UNSIGNED
    from botocore.awsrequest import AWSResponse

    client = new_client()

    def send(request: Any, **_: Any) -> Any:
        token = request.url.partition("nextToken=")[2].partition("&")[0]
        body = bodies[int(token) if token else 0]
        headers = {
            "date": "Mon, 01 Jan 2024 00:00:00 GMT",
            "content-type": "application/json",
            "content-length": str(len(body)),
            "connection": "keep-alive",
            "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
            "access-control-allow-origin": "*",
        }
        return AWSResponse(request.url, 200, headers, _Body(body))  # type: ignore[arg-type]

    client.meta.events.register("choose-signer.amplify", lambda **_: UNSIGNED)
    client.meta.events.register("before-send.amplify", send)
    return client


def moto_listing(items: int, page_size: int) -> tuple[Callable[[], int], Any] | str:
    """A paginated listing of ``items`` EventBridge Scheduler schedules in moto, or why not."""
    import botocore.session

    try:
        from moto import mock_aws
    except ImportError:
        return "moto is not installed (pip install moto to compare)"
    mock = mock_aws()
    mock.start()
    try:
        # moto hooks sessions created after it is imported: a session of its own.
        client = botocore.session.Session().create_client(
            "scheduler",
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        for i in range(items):
            client.create_schedule(
                Name=f"schedule-{i:05d}",
                ScheduleExpression="rate(1 hour)",
                FlexibleTimeWindow={"Mode": "OFF"},
                Target={
                    "Arn": f"arn:aws:lambda:{REGION}:123456789012:function:f{i}",
                    "RoleArn": f"arn:aws:iam::123456789012:role/r{i}",
                },
            )
    finally:
        mock.stop(remove_data=False)

    def listing() -> int:
        pages = client.get_paginator("list_schedules").paginate(
            PaginationConfig={"PageSize": page_size}
        )
        return sum(len(page["Schedules"]) for page in pages)

    @contextlib.contextmanager
    def active() -> Iterator[None]:
        mock.start(reset=False)
        try:
            yield
        finally:
            mock.stop(remove_data=False)

    return listing, active


def b6(cfg: Config) -> list[Row]:
    from pytest_amplify_jobs import fake_amplify

    jobs, page_size = 1_000, 50
    pages = jobs // page_size
    fake = fake_amplify(seed=0)
    fake_client = new_client()
    with fake:
        history = fake.add_branch(app_id="d1abcdefghijkl", branch_name="main", jobs=jobs)
    floor = floor_client(wire_pages(history, page_size))

    def served_by_fake() -> int:
        return list_all(fake_client, "d1abcdefghijkl", "main", page_size)

    def served_by_floor() -> int:
        return list_all(floor, "d1abcdefghijkl", "main", page_size)

    runs: dict[str, Callable[[], object]] = {"fake": served_by_fake, "floor": served_by_floor}
    around: dict[str, Callable[[], contextlib.AbstractContextManager[object]]] = {
        "fake": lambda: fake
    }
    moto = moto_listing(jobs, page_size)
    if not isinstance(moto, str):
        runs["moto"], around["moto"] = moto
    for name, run in runs.items():
        with _around(around, name):
            assert run() == jobs, name
    times = alternate(runs, cfg.repeat, around=around)
    per_page = {name: statistics.median(t) / pages * 1e6 for name, t in times.items()}
    rows = [
        Row(
            f"B6 fake_amplify / botocore-only floor, {jobs:,} jobs in {pages} pages",
            times["fake"],
            times["floor"],
            target=1.00,
            note=f"per page: fake {per_page['fake']:.0f} us, floor {per_page['floor']:.0f} us",
        )
    ]
    if isinstance(moto, str):
        rows.append(skipped("B6 fake_amplify / moto scheduler list_schedules", moto))
    else:
        rows.append(
            Row(
                f"B6 fake_amplify / moto scheduler list_schedules, {jobs:,} in {pages} pages",
                times["fake"],
                times["moto"],
                target=0.70,
                note=f"per page: fake {per_page['fake']:.0f} us, moto {per_page['moto']:.0f} us",
            )
        )
    return rows


# ----------------------------------------------------------------------------------------- B7

SUITE_HELPER = '''\
"""Shared by both suites: the code under test, listing every job of a branch."""


def list_all_jobs(client, app_id, branch_name, page_size=None):
    config = {"PageSize": page_size} if page_size else {}
    pages = client.get_paginator("list_jobs").paginate(
        appId=app_id, branchName=branch_name, PaginationConfig=config
    )
    return [job for page in pages for job in page["jobSummaries"]]
'''

# The hand-written side: the fixtures and helpers a user writes without the plugin. One
# botocore session for the run, a client and an active Stubber per test, 50 job summaries
# written by a helper, pages queued with add_response and their exact parameters.
HAND_CONFTEST = """\
import botocore.session
import pytest
from botocore.stub import Stubber

_SESSION = botocore.session.get_session()


@pytest.fixture
def amplify_client():
    return _SESSION.create_client(
        "amplify",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def amplify_stubber(amplify_client):
    with Stubber(amplify_client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()
"""

HAND_HELPERS = """\
import datetime as dt

APP_ID = "d1a2b3c4d5e6f7"
BRANCH = "main"
_START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


def make_jobs(count):
    jobs = []
    for job_id in range(count, 0, -1):
        start = _START + dt.timedelta(minutes=10 * job_id)
        jobs.append(
            {
                "jobArn": f"arn:aws:amplify:us-east-1:123456789012:apps/{APP_ID}"
                f"/branches/{BRANCH}/jobs/{job_id:010d}",
                "jobId": str(job_id),
                "commitId": f"{job_id:040x}",
                "commitMessage": f"Change number {job_id}",
                "commitTime": start - dt.timedelta(minutes=2),
                "startTime": start,
                "endTime": start + dt.timedelta(minutes=4),
                "status": "SUCCEED",
                "jobType": "WEB_HOOK",
            }
        )
    return jobs


def queue_pages(stubber, jobs, page_size=None):
    size = page_size or 50
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)] or [[]]
    for index, chunk in enumerate(chunks):
        response = {"jobSummaries": chunk}
        if index < len(chunks) - 1:
            response["nextToken"] = f"token-{index + 1}"
        params = {"appId": APP_ID, "branchName": BRANCH}
        if index:
            params["nextToken"] = f"token-{index}"
        if page_size:
            params["maxResults"] = page_size
        stubber.add_response("list_jobs", response, params)
"""

PLUGIN_ONE_PAGE = """
def test_{n}(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=50, page_size=50)
    jobs = list_all_jobs(list_jobs_stub.client, chain.app_id, chain.branch_name)
    assert jobs == list(chain.jobs)
"""

PLUGIN_DRAWN = """
def test_{n}(list_jobs_stub):
    chain = list_jobs_stub.generate(jobs=50)
    jobs = list_all_jobs(list_jobs_stub.client, chain.app_id, chain.branch_name, chain.page_size)
    assert jobs == list(chain.jobs)
"""

HAND_ONE_PAGE = """
def test_{n}(amplify_client, amplify_stubber):
    expected = make_jobs(50)
    queue_pages(amplify_stubber, expected)
    jobs = list_all_jobs(amplify_client, APP_ID, BRANCH)
    assert jobs == expected
"""

HAND_DRAWN = """
def test_{n}(amplify_client, amplify_stubber):
    expected = make_jobs(50)
    queue_pages(amplify_stubber, expected, page_size={size})
    jobs = list_all_jobs(amplify_client, APP_ID, BRANCH, {size})
    assert jobs == expected
"""

TESTS_PER_FILE = 100


def write_suite(
    directory: str, tests: int, template: str, header: str, extra: dict[str, str]
) -> str:
    files = {"pytest.ini": "[pytest]\n", "suite_code.py": SUITE_HELPER, **extra}
    for start in range(0, tests, TESTS_PER_FILE):
        body = "".join(
            # Page sizes 1..50 in turn: the mean of the plugin's uniform draw, exactly.
            template.format(n=f"{n:05d}", size=n % 50 + 1)
            for n in range(start, min(tests, start + TESTS_PER_FILE))
        )
        files[f"test_jobs_{start // TESTS_PER_FILE:03d}.py"] = header + body
    return write_files(directory, files)


def b7_suites(cfg: Config, drawn: bool) -> tuple[str, str]:
    kind = "drawn" if drawn else "one-page"
    tests = cfg.suite_tests
    plugin = write_suite(
        os.path.join(cfg.tmp, f"b7-plugin-{kind}"),
        tests,
        PLUGIN_DRAWN if drawn else PLUGIN_ONE_PAGE,
        "from suite_code import list_all_jobs\n\n",
        {},
    )
    hand = write_suite(
        os.path.join(cfg.tmp, f"b7-hand-{kind}"),
        tests,
        HAND_DRAWN if drawn else HAND_ONE_PAGE,
        "from helpers import APP_ID, BRANCH, make_jobs, queue_pages\n"
        "from suite_code import list_all_jobs\n\n",
        {"conftest.py": HAND_CONFTEST, "helpers.py": HAND_HELPERS},
    )
    return plugin, hand


def has_xdist() -> bool:
    import importlib.util

    return importlib.util.find_spec("xdist") is not None


def b7(cfg: Config) -> list[Row]:
    env = child_env(cfg)
    tests = cfg.suite_tests
    rows: list[Row] = []
    configs = [(False, workers) for workers in cfg.suite_workers] + [(True, 0)]
    for drawn, workers in configs:
        plugin, hand = b7_suites(cfg, drawn)
        what = f"B7 {tests:,} tests, {'drawn page sizes' if drawn else 'one page'}, -n {workers}"
        if workers and not has_xdist():
            rows.append(skipped(what, "pytest-xdist is not installed"))
            continue
        xdist = ["-n", str(workers)] if has_xdist() else []
        runs = alternate_children(
            {
                "plugin": (pytest_args(*xdist), plugin),
                "hand": (pytest_args(*xdist, "-p", "no:amplify_jobs"), hand),
            },
            cfg.suite_repeat,
            env,
            # Writes the bytecode of the rewritten test modules; a smoke run skips it.
            warm=None if cfg.quick else ("--collect-only",),
        )
        for name, samples in runs.items():
            last = samples[-1].output.strip().splitlines()[-1]
            if f"{tests} passed" not in last:
                raise RuntimeError(f"B7 {name} suite: expected {tests} passed, got {last!r}")
        ours, base = runs["plugin"], runs["hand"]
        wall = ([r.wall for r in ours], [r.wall for r in base])
        cpu = ([r.cpu for r in ours], [r.cpu for r in base])
        rss = ([r.max_rss for r in ours], [r.max_rss for r in base])
        per_test_wall = (statistics.median(wall[0]) - statistics.median(wall[1])) / tests * 1e3
        per_test_cpu = (statistics.median(cpu[0]) - statistics.median(cpu[1])) / tests * 1e3
        one_page_serial = not drawn and workers == 0
        rows.append(
            Row(
                f"{what}: wall",
                *wall,
                unit="s",
                target=1.15 if one_page_serial else None,
                note=f"{per_test_wall:+.2f} ms per test",
            )
        )
        rows.append(
            Row(
                f"{what}: CPU",
                *cpu,
                unit="s",
                target=1.4 if drawn else None,
                note=f"{per_test_cpu:+.2f} ms per test" + (", all processes" if workers else ""),
            )
        )
        if one_page_serial:
            rows.append(
                Row(
                    f"{what}: extra wall per test",
                    target=0.5,
                    value=per_test_wall,
                    value_text=f"{per_test_wall:+.2f} ms",
                    note="target in ms",
                )
            )
        rows.append(
            Row(
                f"{what}: peak RSS" + (" (largest process)" if workers else ""),
                *rss,
                unit="MiB",
                target=1.1 if one_page_serial else None,
            )
        )
    return rows


def profile_b7(cfg: Config) -> str:
    """cProfile of the plugin side of B7 (one page per test, -n 0): where its time goes."""
    import pstats
    import re

    plugin, _ = b7_suites(cfg, drawn=False)
    out = os.path.join(cfg.tmp, "b7.prof")
    xdist = ["-n", "0"] if has_xdist() else []
    args = [sys.executable, "-m", "cProfile", "-o", out, *pytest_args(*xdist)[1:]]
    run_child(args, plugin, child_env(cfg))
    sections = [
        ("tottime", (), "own time, any function"),
        ("cumulative", ("pytest_amplify_jobs",), "cumulative time, the plugin's functions"),
    ]
    text = []
    for order, restriction, title in sections:
        stream = _Capture()
        stats = pstats.Stats(out, stream=stream)  # type: ignore[arg-type]
        stats.sort_stats(order).print_stats(*restriction, 25)
        text.append(f"--- B7 plugin suite ({cfg.suite_tests:,} tests) under cProfile: {title} ---")
        # Paths from the package or site-packages on: short lines, still unambiguous.
        text.append(re.sub(r"\S*/(site-packages/|pytest_amplify_jobs/)", r"\1", stream.text()))
    return "\n".join(text)


class _Capture:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def text(self) -> str:
        lines = "".join(self.parts).splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        return "\n".join(line for line in lines[start:] if line.strip())


# ------------------------------------------------------------------------ B8 (issue 12): async


def b8(cfg: Config) -> list[Row]:
    import asyncio

    from pytest_amplify_jobs import fake_amplify

    name = "B8 fake per page: aiobotocore client / botocore client"
    try:
        from aiobotocore.session import get_session
    except ImportError:
        return [skipped(name, "aiobotocore is not installed (issue 12)")]
    jobs, page_size = 1_000, 50
    fake = fake_amplify(seed=0)
    sync_client = new_client()
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    try:
        async_client = loop.run_until_complete(
            stack.enter_async_context(
                get_session().create_client(
                    "amplify",
                    region_name=REGION,
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                )
            )
        )
        http_session = async_client._endpoint.http_session  # closed on exit
        stack.callback(setattr, async_client._endpoint, "http_session", http_session)
        no_network(async_client)

        async def list_async() -> int:
            paginator = async_client.get_paginator("list_jobs")
            count = 0
            async for page in paginator.paginate(
                appId="d1abcdefghijkl",
                branchName="main",
                PaginationConfig={"PageSize": page_size},
            ):
                count += len(page["jobSummaries"])
            return count

        def run_async() -> int:
            return loop.run_until_complete(list_async())

        def run_sync() -> int:
            return list_all(sync_client, "d1abcdefghijkl", "main", page_size)

        with fake:
            fake.add_branch(app_id="d1abcdefghijkl", branch_name="main", jobs=jobs)
            try:
                served = run_async()
            except Exception as error:
                reason = f"the fake does not serve aiobotocore clients yet ({_brief(error)})"
                return [skipped(name, reason)]
            if served != jobs:
                return [skipped(name, f"the fake served {served} of {jobs} jobs to aiobotocore")]
            try:
                times = alternate({"async": run_async, "sync": run_sync}, cfg.repeat)
            except Exception as error:
                return [skipped(name, f"failed while timing: {_brief(error)}")]
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()
    pages = jobs // page_size
    return [
        Row(
            f"{name}, {jobs:,} jobs",
            times["async"],
            times["sync"],
            note=f"per page: async {statistics.median(times['async']) / pages * 1e6:.0f} us, "
            f"sync {statistics.median(times['sync']) / pages * 1e6:.0f} us",
        )
    ]


# ------------------------------------------------------------ B9 (issue 13): GetJob, StartJob


def b9(cfg: Config) -> list[Row]:
    from botocore.stub import Stubber

    from pytest_amplify_jobs import fake_amplify

    app_id, branch, calls = "d1abcdefghijkl", "main", 100
    # Model-complete: the Stubber validates the hand-written answers against the model.
    fake = fake_amplify(seed=0, model_complete=True)
    with fake:
        history = fake.add_branch(app_id=app_id, branch_name=branch, jobs=20, finished=True)
    job = dict(history[0])
    started = {k: v for k, v in job.items() if k != "endTime"}
    operations = {
        "GetJob": (
            "get_job",
            {"appId": app_id, "branchName": branch, "jobId": job["jobId"]},
            {"job": {"summary": job, "steps": []}},
        ),
        "StartJob": (
            "start_job",
            {"appId": app_id, "branchName": branch, "jobType": "RELEASE"},
            {"jobSummary": {**started, "status": "PENDING"}},
        ),
    }
    rows = []
    for operation, (method, params, response) in operations.items():
        name = f"B9 {operation} per call: fake / hand-written Stubber"
        fake_client, stub_client = new_client(), new_client()

        def by_fake(
            method: str = method, params: dict[str, Any] = params, client: Any = fake_client
        ) -> None:
            call = getattr(client, method)
            for _ in range(calls):
                call(**params)

        def by_stubber(
            method: str = method,
            params: dict[str, Any] = params,
            response: Any = response,
            client: Any = stub_client,
        ) -> None:
            stubber = Stubber(client)
            call = getattr(client, method)
            with stubber:
                for _ in range(calls):
                    stubber.add_response(method, response, params)
                    call(**params)

        try:
            with fake:
                getattr(fake_client, method)(**params)
        except Exception as error:
            reason = f"the fake does not serve {operation} yet (issue 13): {_brief(error)}"
            rows.append(skipped(name, reason))
            continue
        try:
            times = alternate(
                {"fake": by_fake, "stubber": by_stubber}, cfg.repeat, around={"fake": lambda: fake}
            )
        except Exception as error:
            rows.append(skipped(name, f"failed while timing: {_brief(error)}"))
            continue
        rows.append(
            Row(
                f"{name}, {calls} calls",
                times["fake"],
                times["stubber"],
                note=f"per call: fake {statistics.median(times['fake']) / calls * 1e6:.0f} us",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------- main


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def service_rows() -> Any:
    """``benchmarks/service_rows.py`` (B9's floor rows, B10-B12), imported once Hypothesis's
    storage directory is set: it imports the package's strategies."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        import service_rows as module
    finally:
        sys.path.pop(0)
    return module


def header(cfg: Config) -> str:
    from importlib.metadata import version

    load = ""
    with contextlib.suppress(OSError):
        load = f", load {os.getloadavg()[0]:.2f}"
    versions = ", ".join(
        f"{name} {version(name)}"
        for name in ("pytest-amplify-jobs", "botocore", "hypothesis", "pytest")
    )
    rounds = f"{cfg.repeat} rounds (B7: {cfg.suite_repeat})" + (" --quick" if cfg.quick else "")
    return (
        f"python {platform.python_version()}, {platform.machine()}, {_cpu()}, "
        f"{os.cpu_count()} cores, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}{load}\n"
        f"{versions}; {rounds}, ours and baseline alternating in each; "
        "CPU time unless the row says wall; ratio = median ours / median baseline"
    )


ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- benchmarks: begin -->", "<!-- benchmarks: end -->"


def _shown(row: Row) -> str:
    """The row's ratio (or its own value text) as the tables show it."""
    ratio = row.ratio
    return row.value_text or ("-" if ratio is None else f"{ratio:.2f}")


def _target(row: Row) -> str:
    return f"{'>=' if row.at_least else '<='} {row.target:g}"


def verdict(row: Row) -> str:
    """ "pass", "MISS", or "" for a row without a target."""
    ratio = row.ratio
    if row.target is None or row.skipped:
        return ""
    met = ratio is not None and (ratio >= row.target if row.at_least else ratio <= row.target)
    return "pass" if met else "MISS"


def summary(head: str, rows: list[Row]) -> str:
    """The README's table: every row with a target, its ratio and verdict."""
    lines = [f"`{head.splitlines()[0]}`", "", "| row | ratio | target | |", "|---|---|---|---|"]
    for row in rows:
        if row.target is None or row.skipped:
            continue
        lines.append(f"| {row.name} | {_shown(row)} | {_target(row)} | {verdict(row)} |")
    return "\n".join(lines)


def _replace_between_markers(path: Path, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    begin, end = content.find(BEGIN), content.find(END)
    if begin < 0 or end < begin:
        raise SystemExit(f"--write-docs: {path} lacks the markers {BEGIN} ... {END}")
    path.write_text(
        content[: begin + len(BEGIN)] + "\n" + text + "\n" + content[end:], encoding="utf-8"
    )


def write_docs(head: str, rows: list[Row]) -> None:
    """Put this run's table into docs/performance.md and its summary into README.md."""
    _replace_between_markers(
        ROOT / "docs" / "performance.md", f"```text\n{head}\n{render(rows)}\n```"
    )
    _replace_between_markers(ROOT / "README.md", summary(head, rows))
    print("wrote docs/performance.md and README.md", file=sys.stderr)


def hide_aws_configuration(tmp: str) -> None:
    """No client here or in a child reads the machine's AWS files, profiles or endpoints."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ["AWS_CONFIG_FILE"] = os.path.join(tmp, "no-aws-config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(tmp, "no-aws-credentials")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=9, help="rounds per row (default 9; at least 9)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small workloads, any --repeat: a smoke run for CI"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ROWS",
        help=f"rows to run, comma separated or repeated ({', '.join(ALL_ROWS)})",
    )
    parser.add_argument(
        "--suite-repeat",
        type=int,
        default=3,
        metavar="N",
        help="rounds of the B7 suites, each run lasting 15-50 s (default 3; --quick: --repeat)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile of the plugin side of B7, and of the fake per call (B9)",
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="write the table into docs/performance.md and its summary into README.md "
        "(a full run only: no --only, no --quick)",
    )
    args = parser.parse_args(argv)
    if args.write_docs and (args.only or args.quick):
        parser.error(
            "--write-docs: the published tables come from one full run (drop --only/--quick)"
        )
    if args.repeat < 1 or (args.repeat < 9 and not args.quick):
        parser.error(f"--repeat {args.repeat}: use at least 9 rounds (or --quick for a smoke run)")
    if args.suite_repeat < 1:
        parser.error(f"--suite-repeat {args.suite_repeat}: use at least 1 round")
    only = {key.strip().upper() for value in args.only for key in value.split(",") if key.strip()}
    unknown = sorted(only - set(ALL_ROWS))
    if unknown:
        parser.error(f"--only {','.join(unknown)}: unknown row; choose from {', '.join(ALL_ROWS)}")
    args.rows = only or set(ALL_ROWS)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.dont_write_bytecode = True  # nothing of ours lands in the working tree
    tmp = tempfile.mkdtemp(prefix="amplify-jobs-bench-")
    # Before Hypothesis is imported (all its imports here are lazy): it reads this once.
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(tmp, "hypothesis")
    hide_aws_configuration(tmp)
    cfg = Config(
        repeat=args.repeat,
        quick=args.quick,
        tmp=tmp,
        suite_repeat=args.repeat if args.quick else args.suite_repeat,
    )
    started = time.perf_counter()
    kit = sys.modules[__name__]
    rows: list[Row] = []
    try:
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("B1", lambda: b1(cfg)),
            ("B2", lambda: b2_b3(cfg, args.rows & {"B2", "B3"})),
            ("B3", lambda: [] if "B2" in args.rows else b2_b3(cfg, {"B3"})),
            ("B4", lambda: b4(cfg)),
            ("B5", lambda: b5(cfg)),
            ("B6", lambda: b6(cfg)),
            ("B7", lambda: b7(cfg)),
            ("B8", lambda: b8(cfg)),
            ("B9", lambda: b9(cfg) + service_rows().b9_floor(cfg, kit)),
            ("B10", lambda: service_rows().b10_workflow(cfg, kit)),
            ("B11", lambda: service_rows().b11_worlds(cfg, kit)),
            ("B12", lambda: service_rows().b12_server(cfg, kit)),
        ]
        for key, step in steps:
            if key in args.rows:
                begun = time.perf_counter()
                rows += step()
                print(
                    f"{key} done in {time.perf_counter() - begun:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
        print(header(cfg))
        print(render(rows))
        print(f"total {time.perf_counter() - started:.0f} s")
        if args.write_docs:
            write_docs(header(cfg), rows)
        if args.profile and "B7" in args.rows:
            print(profile_b7(cfg))
        if args.profile and "B9" in args.rows:
            print(service_rows().profile_b9(kit))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

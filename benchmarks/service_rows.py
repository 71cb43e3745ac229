"""Rows B9-B12 of ``benchmarks/run.py`` (issue 27): the whole fake service against its floors.

- B9: every operation the fake serves (``HANDLERS`` at run time, grouped by the resource its
  URI names), one row per family: a botocore call answered by ``fake_amplify()`` in process
  against botocore's own floor for the very same response (the bytes and headers the fake
  sent for that call, captured once, answered at ``before-send``: request building, events,
  parsing; no service logic). Per call, CPU.
- B10: a start / poll / list workflow of N tests through ``fake_amplify()`` (a fresh seeded
  fake per test, as ``amplify_fake`` gives) against the same shape through moto's ``mock_aws``
  on CodeBuild (``start_build``, ``batch_get_builds`` polling, ``list_builds_for_project``);
  wall time, and peak memory under ``tracemalloc``. A third side, botocore's floor (the same
  calls answered at ``before-send`` with the bytes the fake sent, no fake), shows what bounds
  the row: the least any in-process fake of these calls can cost against moto.
- B11: ``@given(amplify_worlds())`` driving a waiter (GetJob until the watched job finishes)
  against the same waiter on a fixed scripted fake (``add_branch`` + ``advance``), per example.
- B12: requests per second through the fake's local endpoint (``fake.serve()``) against
  moto's ``ThreadedMotoServer``, both on 127.0.0.1 in this process, answering 4 client
  threads of a child process (a client in this process would be answered by the active fake
  in process, never reaching the socket).

``kit`` is ``benchmarks/run.py`` itself (its ``Row``, ``alternate``, ``new_client``...).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import logging
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

# The package's names, imported here only: issue 25 renames them (fake_amplify, AmplifyFake).
from pytest_amplify_jobs import AmplifyFake, fake_amplify
from pytest_amplify_jobs._fake.wire import HANDLERS
from pytest_amplify_jobs.strategies import amplify_worlds

REPO_APP, MANUAL_APP, BRANCH = "d1abcdefghijkl", "d2abcdefghijkl", "main"
FINISHED = frozenset({"SUCCEED", "FAILED", "CANCELLED"})
B9_TARGET = 1.15
ACCOUNT = "123456789012"  # moto's default account


def _brief(error: BaseException, limit: int = 110) -> str:
    text = f"{type(error).__name__}: {error}".splitlines()[0]
    return text if len(text) <= limit else text[: limit - 3] + "..."


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """Everything alive now moves to the permanent generation: the ``gc.collect()`` before
    each timed batch then costs a scan of the batch's own objects, not of the whole process
    (Hypothesis, moto, botocore models: 0.1-0.2 s each time otherwise)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _moto_missing() -> str | None:
    try:
        import moto  # noqa: F401
    except ImportError:
        return "moto is not installed (pip install -e '.[bench]', or nox -s bench)"
    return None


# ------------------------------------------------------------------------------ B9 families


def family_of(operation: str) -> str:
    """The resource an operation acts on: the literal segment of its URI whose singular the
    operation's name contains (``StopJob``: ``/apps/{appId}/branches/{branchName}/jobs/{jobId}
    /stop`` -> jobs), else its last literal segment. Apps and branches are one family."""
    uri = _model().operation_model(operation).http["requestUri"].split("?")[0]
    literals = [s for s in uri.split("/") if s and not s.startswith("{")]
    name = operation.lower()
    found = literals[-1] if literals else operation
    for segment in reversed(literals):
        singular = segment[:-2] if segment.endswith("hes") else segment.rstrip("s")
        if singular and singular in name and not name.startswith(segment):  # not a verb
            found = segment
            break
    return {"apps": "apps/branches", "branches": "apps/branches"}.get(found, found)


@functools.cache
def _model() -> Any:
    from botocore.session import Session

    return Session().get_service_model("amplify")


FAMILY_ORDER = ("jobs", "deployments", "apps/branches")


def families(operations: list[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for operation in operations:
        grouped.setdefault(family_of(operation), []).append(operation)
    order = [f for f in FAMILY_ORDER if f in grouped] + sorted(set(grouped) - set(FAMILY_ORDER))
    return {family: grouped[family] for family in order}


class Scene:
    """A fresh fake for one batch: a repository app (``main``: ``jobs`` finished jobs) and a
    manual app (``main``: 3 finished deploys), entered; calls go through ``client``."""

    def __init__(self, client: Any, jobs: int = 50) -> None:
        self.client = client
        self.job_count = jobs
        self.fake: AmplifyFake = fake_amplify(seed=0)
        self.stack = contextlib.ExitStack()

    def __enter__(self) -> Scene:
        self.stack.enter_context(self.fake)
        self.jobs = self.fake.add_branch(REPO_APP, BRANCH, jobs=self.job_count, finished=True)
        self.fake.add_app(MANUAL_APP, kind="manual")
        self.fake.add_branch(MANUAL_APP, BRANCH, jobs=3, finished=True)
        self.app_arn = next(a["appArn"] for a in self.fake.apps() if a["appId"] == REPO_APP)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def call(self, operation: str, **params: Any) -> Any:
        return getattr(self.client, _method(operation))(**params)

    def artifact_job(self) -> str:
        for job in self.jobs:
            listed = self.call(
                "ListArtifacts", appId=REPO_APP, branchName=BRANCH, jobId=job["jobId"]
            )
            if listed.get("artifacts"):
                return str(job["jobId"])
        raise LookupError("no job of the branch has artifacts")


def _method(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


Prepare = Callable[[Scene, int], list[dict[str, Any]]]
APP = {"appId": REPO_APP}
ON_BRANCH = {"appId": REPO_APP, "branchName": BRANCH}
SUBDOMAINS = [{"prefix": "www", "branchName": BRANCH}]


def _same(params: Callable[[Scene], dict[str, Any]]) -> Prepare:
    return lambda s, n: [params(s)] * n


def _stop_job(s: Scene, n: int) -> list[dict[str, Any]]:
    s.fake.auto_advance(to=None)  # started jobs stay queued until stopped
    ids = [
        s.call("StartJob", **ON_BRANCH, jobType="RELEASE")["jobSummary"]["jobId"] for _ in range(n)
    ]
    return [{**ON_BRANCH, "jobId": job_id} for job_id in ids]


def _manual_branches(s: Scene, n: int) -> list[str]:
    s.call("CreateDeployment", appId=MANUAL_APP, branchName=BRANCH)  # starts the file endpoint
    names = [f"b{i:02d}" for i in range(n)]
    for name in names:
        s.fake.add_branch(MANUAL_APP, name, jobs=0)
    return names


def _start_deployment(s: Scene, n: int) -> list[dict[str, Any]]:
    out = []
    for name in _manual_branches(s, n):
        job_id = s.call("CreateDeployment", appId=MANUAL_APP, branchName=name)["jobId"]
        out.append({"appId": MANUAL_APP, "branchName": name, "jobId": job_id})
    return out


def _after(_made: object, params: dict[str, Any]) -> dict[str, Any]:
    """``params``, once the resource a listing lists was made (the first argument)."""
    return params


def _branch(s: Scene, name: str) -> str:
    s.fake.add_branch(REPO_APP, name, jobs=0)
    return name


def _webhook(s: Scene) -> str:
    return str(s.call("CreateWebhook", **ON_BRANCH)["webhook"]["webhookId"])


def _domain(s: Scene, name: str = "bench.example.com") -> str:
    s.call("CreateDomainAssociation", **APP, domainName=name, subDomainSettings=SUBDOMAINS)
    return name


def _environment(s: Scene, name: str = "staging") -> str:
    s.call("CreateBackendEnvironment", **APP, environmentName=name)
    return name


def _warm(operation: str, params: Callable[[Scene], dict[str, Any]]) -> Prepare:
    """Idempotent calls that hand out a URL: one call first starts the fake's file endpoint."""

    def prepare(s: Scene, n: int) -> list[dict[str, Any]]:
        first = params(s)
        s.call(operation, **first)
        return [first] * n

    return prepare


# operation -> (scene, calls) -> the parameters of each call, made before the timed calls
RECIPES: dict[str, Prepare] = {
    "ListJobs": _same(lambda s: {**ON_BRANCH, "maxResults": 50}),
    "GetJob": _same(lambda s: {**ON_BRANCH, "jobId": s.jobs[0]["jobId"]}),
    "StartJob": _same(lambda s: {**ON_BRANCH, "jobType": "RELEASE"}),
    "StopJob": _stop_job,
    "DeleteJob": lambda s, n: [{**ON_BRANCH, "jobId": j["jobId"]} for j in s.jobs[:n]],
    "CreateDeployment": lambda s, n: [
        {"appId": MANUAL_APP, "branchName": b} for b in _manual_branches(s, n)
    ],
    "StartDeployment": _start_deployment,
    "GetApp": _same(lambda s: APP),
    "ListApps": _same(lambda s: {}),
    "GetBranch": _same(lambda s: ON_BRANCH),
    "ListBranches": _same(lambda s: APP),
    "CreateApp": _same(lambda s: {"name": "bench-app"}),
    "UpdateApp": _same(lambda s: {**APP, "description": "benchmark"}),
    "DeleteApp": lambda s, n: [
        {"appId": s.call("CreateApp", name=f"bench-{i}")["app"]["appId"]} for i in range(n)
    ],
    "CreateBranch": lambda s, n: [{**APP, "branchName": f"new-{i:02d}"} for i in range(n)],
    "UpdateBranch": _same(lambda s: {**ON_BRANCH, "description": "benchmark"}),
    "DeleteBranch": lambda s, n: [
        {**APP, "branchName": _branch(s, f"old-{i:02d}")} for i in range(n)
    ],
    "ListArtifacts": _same(lambda s: {**ON_BRANCH, "jobId": s.artifact_job()}),
    "GetArtifactUrl": _warm(
        "GetArtifactUrl",
        lambda s: {
            "artifactId": s.call("ListArtifacts", **ON_BRANCH, jobId=s.artifact_job())["artifacts"][
                0
            ]["artifactId"]
        },
    ),
    "GenerateAccessLogs": _warm(
        "GenerateAccessLogs", lambda s: {**APP, "domainName": "example.com"}
    ),
    "TagResource": _same(lambda s: {"resourceArn": s.app_arn, "tags": {"team": "bench"}}),
    "UntagResource": _same(lambda s: {"resourceArn": s.app_arn, "tagKeys": ["team"]}),
    "ListTagsForResource": _same(lambda s: {"resourceArn": s.app_arn}),
    "CreateWebhook": _same(lambda s: ON_BRANCH),
    "ListWebhooks": _same(lambda s: _after(_webhook(s), APP)),
    "GetWebhook": _same(lambda s: {"webhookId": _webhook(s)}),
    "UpdateWebhook": _same(lambda s: {"webhookId": _webhook(s), "description": "benchmark"}),
    "DeleteWebhook": lambda s, n: [{"webhookId": _webhook(s)} for _ in range(n)],
    "CreateDomainAssociation": lambda s, n: [
        {**APP, "domainName": f"bench{i}.example.com", "subDomainSettings": SUBDOMAINS}
        for i in range(n)
    ],
    "GetDomainAssociation": _same(lambda s: {**APP, "domainName": _domain(s)}),
    "UpdateDomainAssociation": _same(
        lambda s: {**APP, "domainName": _domain(s), "subDomainSettings": SUBDOMAINS}
    ),
    "DeleteDomainAssociation": lambda s, n: [
        {**APP, "domainName": _domain(s, f"bench{i}.example.com")} for i in range(n)
    ],
    "ListDomainAssociations": _same(lambda s: _after(_domain(s), APP)),
    "CreateBackendEnvironment": lambda s, n: [
        {**APP, "environmentName": f"env{i:02d}"} for i in range(n)
    ],
    "GetBackendEnvironment": _same(lambda s: {**APP, "environmentName": _environment(s)}),
    "DeleteBackendEnvironment": lambda s, n: [
        {**APP, "environmentName": _environment(s, f"env{i:02d}")} for i in range(n)
    ],
    "ListBackendEnvironments": _same(lambda s: _after(_environment(s), APP)),
}

# Required members of an operation without a recipe, by name (anything else: no row).
GENERIC = {
    "appId": lambda s: REPO_APP,
    "branchName": lambda s: BRANCH,
    "jobId": lambda s: s.jobs[0]["jobId"],
    "resourceArn": lambda s: s.app_arn,
    "domainName": lambda s: "example.com",
    "environmentName": lambda s: "staging",
}


def recipe(operation: str) -> Prepare | str:
    if operation in RECIPES:
        return RECIPES[operation]
    shape = _model().operation_model(operation).input_shape
    required = list(shape.required_members) if shape is not None else []
    unknown = [m for m in required if m not in GENERIC]
    if unknown:
        return f"no call recipe (required {', '.join(unknown)}): add one to RECIPES"
    return _same(lambda s: {m: GENERIC[m](s) for m in required})


class Floor:
    """A client answered at ``before-send`` with responses captured from the fake, in order."""

    def __init__(self, kit: Any) -> None:
        from botocore import UNSIGNED

        self.client = kit.new_client()
        self.kit = kit
        self.queue: Iterator[tuple[int, dict[str, str], bytes]] = iter(())
        self.client.meta.events.register("choose-signer.amplify", lambda **_: UNSIGNED)
        self.client.meta.events.register("before-send.amplify", self._send)

    def _send(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        status, headers, body = next(self.queue)
        return AWSResponse(request.url, status, headers, self.kit._Body(body))  # type: ignore[arg-type]


def _capture(client: Any) -> list[tuple[int, dict[str, str], bytes]]:
    captured: list[tuple[int, dict[str, str], bytes]] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        body = response_dict["body"]
        captured.append((response_dict["status_code"], dict(response_dict["headers"]), body))

    client.meta.events.register("before-parse.amplify", keep, unique_id="bench-capture")
    return captured


def fake_batch(
    kit: Any, client: Any, operation: str, prepare: Prepare, n: int
) -> tuple[float, list[dict[str, Any]]]:
    """CPU seconds of ``n`` calls answered by a fresh fake; the parameters they had."""
    call = getattr(client, _method(operation))
    with Scene(client, jobs=max(10, min(50, n + 10))) as scene:
        params = prepare(scene, n)
        scene.call("GetApp", **APP)  # routers attached, whatever the recipe called
        gc.collect()
        start = time.process_time()
        for p in params:
            call(**p)
        return time.process_time() - start, params


def floor_batch(
    floor: Floor, operation: str, params: list[dict[str, Any]], answers: list[Any]
) -> float:
    call = getattr(floor.client, _method(operation))
    floor.queue = iter(answers)
    gc.collect()
    start = time.process_time()
    for p in params:
        call(**p)
    return time.process_time() - start


def _per_round_mean(samples: dict[str, list[float]], rounds: int) -> list[float]:
    """Per round, the mean over the operations of their cost per call."""
    return [statistics.mean(times[i] for times in samples.values()) for i in range(rounds)]


def b9_floor(cfg: Any, kit: Any) -> list[Any]:
    with frozen_heap():
        return _b9_floor(cfg, kit)


def _b9_floor(cfg: Any, kit: Any) -> list[Any]:
    n = 5 if cfg.quick else 40
    served = [op for op in HANDLERS if op in _model().operation_names]
    fake_client, capture_client = kit.new_client(), kit.new_client()
    captured = _capture(capture_client)
    floor = Floor(kit)
    rows: list[Any] = []
    misses: list[str] = []
    for family, operations in families(served).items():
        # Each operation: its parameters and the fake's answers, captured once.
        plans: dict[str, tuple[Prepare, list[dict[str, Any]], list[Any]]] = {}
        left_out: list[str] = []
        for operation in operations:
            prepare = recipe(operation)
            if isinstance(prepare, str):
                left_out.append(f"{operation} ({prepare})")
                continue
            captured.clear()
            try:
                _, params = fake_batch(kit, capture_client, operation, prepare, n)
                answers = list(captured[-n:])
                floor_batch(floor, operation, params, answers)  # the floor parses them too
            except Exception as error:
                left_out.append(f"{operation} ({_brief(error, 80)})")
                continue
            plans[operation] = (prepare, params, answers)
        name = f"B9 {family} per call: fake / botocore floor"
        if not plans:
            rows.append(kit.skipped(name, "; ".join(left_out) or "nothing served"))
            continue
        ours: dict[str, list[float]] = {op: [] for op in plans}
        base: dict[str, list[float]] = {op: [] for op in plans}
        for index in range(cfg.repeat):
            for operation, (prepare, params, answers) in plans.items():
                sides = ["fake", "floor"] if index % 2 == 0 else ["floor", "fake"]
                for side in sides:
                    if side == "fake":
                        ours[operation].append(
                            fake_batch(kit, fake_client, operation, prepare, n)[0] / n
                        )
                    else:
                        base[operation].append(floor_batch(floor, operation, params, answers) / n)
        per_op = []
        for operation in plans:
            fake_us = statistics.median(ours[operation]) * 1e6
            floor_us = statistics.median(base[operation]) * 1e6
            ratio = fake_us / floor_us
            per_op.append(f"{operation} {ratio:.2f} ({fake_us:.0f}/{floor_us:.0f} us)")
            if ratio > B9_TARGET:
                misses.append(f"{operation} {ratio:.2f}")
        count = len(plans)
        note = "; ".join(per_op) + (f"; not measured: {', '.join(left_out)}" if left_out else "")
        rows.append(
            kit.Row(
                f"{name}, mean of {count} op{'s' * (count > 1)}, {n} calls each",
                _per_round_mean(ours, cfg.repeat),
                _per_round_mean(base, cfg.repeat),
                unit="us",
                target=B9_TARGET,
                note=note,
            )
        )
    shown = ", ".join(misses) if misses else "none"
    rows.append(
        kit.Row(
            f"B9 operations over {B9_TARGET:g} of the floor",
            value=float(len(misses)),
            value_text=f"{len(misses)} of {len(served)}",
            note=shown,
        )
    )
    return rows


def profile_b9(kit: Any, operations: tuple[str, ...] = ("ListJobs", "GetJob", "StartJob")) -> str:
    """Where the fake's time per call goes: cProfile cumulative times of its stages."""
    import cProfile
    import pstats

    stages = {
        "answer (all of the fake's HTTP side)": ("_fake/wire.py", "answer"),
        "  request read (remembered per request)": ("_fake/wire.py", "_read"),
        "    request parsing (_wire.parse_request)": ("_wire.py", "parse_request"),
        "    request validation (request_violations)": ("_validate.py", "request_violations"),
        "  JSON encoding (_wire.wire_body)": ("_wire.py", "wire_body"),
        "  headers (_wire.headers)": ("_wire.py", "headers"),
        "before-send (answer + the AWSResponse)": ("_fake/service.py", "on_before_send"),
        "botocore parse (parser.parse)": ("botocore/parsers.py", "parse"),
        "botocore request (serialize)": ("botocore/validate.py", "serialize_to_request"),
    }
    out = []
    client = kit.new_client()
    n = 200
    for operation in operations:
        prepare = RECIPES[operation]
        profiler = cProfile.Profile()
        with Scene(client) as scene:
            params = prepare(scene, n)
            call = getattr(client, _method(operation))
            call(**params[0]) if operation in ("ListJobs", "GetJob") else None
            profiler.enable()
            for p in params:
                call(**p)
            profiler.disable()
        stats = pstats.Stats(profiler)
        total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
        own_handler = 0.0
        lines = [
            f"--- B9 profile: {operation}, {n} calls through the fake, per call (cProfile's "
            "own overhead inflates every figure: compare shares) ---"
        ]
        for label, (path, func) in stages.items():
            cum = sum(
                v[3]
                for (file, _, name), v in stats.stats.items()  # type: ignore[attr-defined]
                if name == func and file.endswith(path)
            )
            lines.append(f"  {label:<46} {cum / n * 1e6:8.0f} us")
        handler = HANDLERS[operation]
        own_handler = sum(
            v[3]
            for (file, _, name), v in stats.stats.items()  # type: ignore[attr-defined]
            if name == handler.__name__
            and file.endswith(handler.__code__.co_filename.split("/")[-1])
        )
        lines.append(
            f"  {'  handler + store (' + handler.__name__ + ')':<46} {own_handler / n * 1e6:8.0f} us"
        )
        lines.append(f"  {'whole call (profiled, own time summed)':<46} {total / n * 1e6:8.0f} us")
        out.append("\n".join(lines))
    return "\n".join(out)


# ----------------------------------------------------------------------------------- B10


def _fake_test(client: Any, seed: int) -> int:
    """One test as ``amplify_fake`` gives it: start a job, poll it to its end, list the jobs."""
    with fake_amplify(seed=seed) as fake:
        fake.add_branch(REPO_APP, BRANCH, jobs=0)
        return _start_poll_list(client)


def _start_poll_list(client: Any) -> int:
    """The test's calls: start a job, poll it until it finishes, list the jobs."""
    job = client.start_job(**ON_BRANCH, jobType="RELEASE")["jobSummary"]
    calls, status = 1, job["status"]
    while status not in FINISHED and calls < 30:
        status = client.get_job(**ON_BRANCH, jobId=job["jobId"])["job"]["summary"]["status"]
        calls += 1
    listed = client.list_jobs(**ON_BRANCH)["jobSummaries"]
    assert status == "SUCCEED" and listed[0]["jobId"] == job["jobId"], (status, listed)
    return calls + 1


def _floor_test(floor: Floor, answers: list[tuple[int, dict[str, str], bytes]]) -> int:
    """The same calls answered with the very bytes a fake sent, at ``before-send``: botocore's
    own cost of the test, what no in-process fake can go below."""
    floor.queue = iter(answers)
    return _start_poll_list(floor.client)


def _moto_test(client: Any) -> int:
    from moto import mock_aws

    with mock_aws():
        client.create_project(
            name="bench",
            source={"type": "GITHUB", "location": "https://github.com/example/app.git"},
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "type": "LINUX_CONTAINER",
                "image": "aws/codebuild/standard:7.0",
                "computeType": "BUILD_GENERAL1_SMALL",
            },
            serviceRole=f"arn:aws:iam::{ACCOUNT}:role/bench",
        )
        build = client.start_build(projectName="bench")["build"]
        calls, status = 1, build["buildStatus"]
        while status == "IN_PROGRESS" and calls < 30:
            status = client.batch_get_builds(ids=[build["id"]])["builds"][0]["buildStatus"]
            calls += 1
        listed = client.list_builds_for_project(projectName="bench")["ids"]
        assert status == "SUCCEEDED" and listed == [build["id"]], (status, listed)
        return calls + 1


def _moto_client(kit: Any, service: str) -> Any:
    import botocore.session
    import moto  # noqa: F401  (moto hooks the sessions created after its import)

    client = botocore.session.Session().create_client(
        service,
        region_name=kit.REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return kit.no_network(client)


def b10_workflow(cfg: Any, kit: Any) -> list[Any]:
    with frozen_heap():
        return _b10_workflow(cfg, kit)


def _b10_workflow(cfg: Any, kit: Any) -> list[Any]:
    tests = 10 if cfg.quick else 300
    name = f"B10 {tests} tests start/poll/list: fake_amplify() / moto mock_aws CodeBuild"
    missing = _moto_missing()
    if missing:
        return [kit.skipped(name, missing)]
    fake_client, moto_client = kit.new_client(), _moto_client(kit, "codebuild")
    calls: dict[str, int] = {}
    capture_client, floor = kit.new_client(), Floor(kit)
    captured = _capture(capture_client)
    _fake_test(capture_client, 0)
    answers = list(captured)

    def ours() -> None:
        calls["ours"] = sum(_fake_test(fake_client, seed) for seed in range(tests))

    def moto() -> None:
        calls["moto"] = sum(_moto_test(moto_client) for _ in range(tests))

    def botocore_floor() -> None:
        calls["floor"] = sum(_floor_test(floor, answers) for _ in range(tests))

    runs = {"ours": ours, "moto": moto, "floor": botocore_floor}
    for run in runs.values():  # warm: imports, models, moto's backends
        run()
    rounds = cfg.repeat if cfg.quick else cfg.suite_repeat
    wall: dict[str, list[float]] = {side: [] for side in runs}
    for index in range(rounds):
        for side in list(runs) if index % 2 == 0 else list(runs)[::-1]:
            gc.collect()
            start = time.perf_counter()
            runs[side]()
            wall[side].append(time.perf_counter() - start)
    peak: dict[str, list[float]] = {side: [] for side in ("ours", "moto")}
    for side in peak:  # ours, then moto: one traced run each
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            runs[side]()
            peak[side].append((tracemalloc.get_traced_memory()[1] - before) / 2**20)
        finally:
            tracemalloc.stop()
    per_test = {side: statistics.median(t) / tests * 1e3 for side, t in wall.items()}
    return [
        kit.Row(
            f"{name}: wall",
            wall["ours"],
            wall["moto"],
            unit="s",
            target=0.15,
            note=f"per test: fake {per_test['ours']:.2f} ms ({calls['ours'] / tests:.1f} calls), "
            f"moto {per_test['moto']:.2f} ms ({calls['moto'] / tests:.1f} calls); "
            f"{rounds} rounds, client made once per side",
        ),
        kit.Row(
            f"{name}: botocore floor / moto",
            wall["floor"],
            wall["moto"],
            unit="s",
            note=f"the fake's {calls['floor'] / tests:.1f} calls per test answered at before-send "
            f"with the bytes it sent, no fake: {per_test['floor']:.2f} ms per test, the least "
            f"an in-process fake can cost; the fake adds {per_test['ours'] - per_test['floor']:.2f} "
            "ms (its setup, answers and exit)",
        ),
        kit.Row(
            f"{name}: peak traced memory",
            peak["ours"],
            peak["moto"],
            unit="MiB",
            note="tracemalloc peak above the start, one traced run each",
        ),
    ]


# ----------------------------------------------------------------------------------- B11


def _wait(client: Any, app_id: str, branch: str, job_id: str, bound: int) -> tuple[str, int]:
    """The code under test: poll GetJob until the job finishes (retries are botocore's)."""
    polls, status = 0, ""
    while status not in FINISHED and polls < bound:
        status = client.get_job(appId=app_id, branchName=branch, jobId=job_id)["job"]["summary"][
            "status"
        ]
        polls += 1
    return status, polls


def b11_worlds(cfg: Any, kit: Any) -> list[Any]:
    with frozen_heap():
        return _b11_worlds(cfg, kit)


def _b11_worlds(cfg: Any, kit: Any) -> list[Any]:
    from hypothesis import given, seed
    from hypothesis import strategies as st

    examples = 10 if cfg.quick else 200
    config = kit.hypothesis_settings(examples)
    client = kit.new_client()
    polls: dict[str, list[int]] = {"worlds": [], "scripted": []}

    @seed(11)
    @config
    @given(amplify_worlds(newest=["RUNNING"]))
    def by_worlds(world: Any) -> None:
        with fake_amplify(world=world):
            bound = world.finishes_after() + 12
            status, n = _wait(client, world.app_id, world.branch_name, world.job_id, bound)
            assert status == world.final_status(), (status, world)
        polls["worlds"].append(n)

    by_worlds()
    after = max(0, round(statistics.mean(polls["worlds"])) - 1)  # the same polls on average

    @seed(11)
    @config
    @given(st.integers())
    def scripted(_: int) -> None:
        with fake_amplify(seed=0) as fake:
            history = fake.add_branch(REPO_APP, BRANCH, jobs=3, newest=["RUNNING"])
            fake.advance(history[0], "SUCCEED", after_calls=after)
            status, n = _wait(client, REPO_APP, BRANCH, history[0]["jobId"], after + 12)
            assert status == "SUCCEED", status
        polls["scripted"].append(n)

    def run(side: str, test: Callable[[], None]) -> Callable[[], int]:
        def go() -> int:
            polls[side].clear()
            test()
            return len(polls[side])

        return go

    sides = {"worlds": run("worlds", by_worlds), "scripted": run("scripted", scripted)}
    counts = {side: go() for side, go in sides.items()}
    times = kit.alternate(sides, cfg.repeat)
    per = {side: [t / max(1, counts[side]) for t in times[side]] for side in sides}
    mean = {side: statistics.mean(polls[side]) for side in sides}
    return [
        kit.Row(
            f"B11 @given(amplify_worlds()) waiter / fixed scripted fake, per example, {examples} ex.",
            per["worlds"],
            per["scripted"],
            target=1.5,
            note=f"GetJob polls per example: worlds {mean['worlds']:.1f} (faults retried), "
            f"scripted {mean['scripted']:.1f} (advance after_calls={after})",
        )
    ]


# ----------------------------------------------------------------------------------- B12

# Runs in a child process: 4 threads, each with its own client on ``endpoint_url``, make
# ``calls`` requests each after a warm-up; prints the requests per second of the timed part.
CLIENTS = """\
import json, sys, threading, time
import botocore.session
from botocore.config import Config

service, url, method, params, threads, calls = sys.argv[1:7]
params, threads, calls = json.loads(params), int(threads), int(calls)
config = Config(retries={"mode": "standard", "max_attempts": 1}, max_pool_connections=2)
clients = [
    botocore.session.Session().create_client(
        service, region_name="us-east-1", endpoint_url=url, config=config,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    for _ in range(threads)
]
for client in clients:
    getattr(client, method)(**params)
ready = threading.Barrier(threads + 1)
errors = []

def work(client):
    ready.wait()
    call = getattr(client, method)
    for _ in range(calls):
        try:
            call(**params)
        except Exception as error:
            errors.append(repr(error))

workers = [threading.Thread(target=work, args=(c,)) for c in clients]
for w in workers:
    w.start()
ready.wait()
start = time.perf_counter()
for w in workers:
    w.join()
wall = time.perf_counter() - start
print(json.dumps({"rps": threads * calls / wall, "wall": wall, "errors": errors[:3]}))
"""


def _clients_run(
    kit: Any, cfg: Any, spec: tuple[str, str, str, dict[str, Any]], calls: int
) -> float:
    service, url, method, params = spec
    args = [
        sys.executable,
        "-c",
        CLIENTS,
        service,
        url,
        method,
        json.dumps(params),
        "4",
        str(calls),
    ]
    done = subprocess.run(
        args, env=kit.child_env(cfg), capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"client threads failed: {done.stderr.strip().splitlines()[-1:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["errors"]:
        raise RuntimeError(f"{service} {method}: {report['errors'][0]}")
    return float(report["rps"])


def b12_server(cfg: Any, kit: Any) -> list[Any]:
    calls = 15 if cfg.quick else 100
    items = 20
    name = "B12 server mode, 4 client threads: fake.serve() ListJobs / moto server listing, rps"
    missing = _moto_missing()
    if missing:
        return [kit.skipped(name, missing)]
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto_server.start()
    fake = fake_amplify(seed=0)
    try:
        host, port = moto_server.get_host_and_port()
        moto_url = f"http://{host}:{port}"
        setup = kit._session().create_client(
            "codebuild",
            region_name=kit.REGION,
            endpoint_url=moto_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        setup.create_project(
            name="bench",
            source={"type": "GITHUB", "location": "https://github.com/example/app.git"},
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "type": "LINUX_CONTAINER",
                "image": "aws/codebuild/standard:7.0",
                "computeType": "BUILD_GENERAL1_SMALL",
            },
            serviceRole=f"arn:aws:iam::{ACCOUNT}:role/bench",
        )
        for _ in range(items):
            setup.start_build(projectName="bench")
        with fake:
            fake.add_branch(REPO_APP, BRANCH, jobs=items, finished=True)
            fake_url = fake.serve()
            specs = {
                "fake": ("amplify", fake_url, "list_jobs", {**ON_BRANCH, "maxResults": items}),
                "moto": (
                    "codebuild",
                    moto_url,
                    "list_builds_for_project",
                    {"projectName": "bench"},
                ),
            }
            rps: dict[str, list[float]] = {side: [] for side in specs}
            for index in range(cfg.repeat):
                for side in list(specs) if index % 2 == 0 else list(specs)[::-1]:
                    rps[side].append(_clients_run(kit, cfg, specs[side], calls))
    finally:
        moto_server.stop()
    return [
        kit.Row(
            f"{name}, {4 * calls} requests",
            rps["fake"],
            rps["moto"],
            unit="rps",
            target=1.0,
            at_least=True,
            note=f"{items} job summaries vs {items} build ids per answer; servers in this "
            "process, client threads in a child; wall",
        )
    ]

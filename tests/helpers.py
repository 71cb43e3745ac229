"""Checks shared by the tests: strict validity, real botocore round trips, coherence rules."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import re
import socket
import threading
from collections.abc import Sequence
from typing import Any

import botocore.compat
from botocore.exceptions import ClientError, ParamValidationError
from botocore.stub import Stubber

from pytest_amplify_jobs import ListJobsChain, _model, stub_list_jobs, validate_list_jobs_response
from pytest_amplify_jobs._client import make_client
from pytest_amplify_jobs._departures import missing_departure
from pytest_amplify_jobs._generate import recorded_type

UTC = dt.timezone.utc
_CLIENT = None


def client() -> Any:
    """One client for the whole session: creating one per Hypothesis example is slow."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = make_client()
    return _CLIENT


def paginate_all(chain: ListJobsChain, **config: Any) -> list[dict[str, Any]]:
    """Every job a real botocore paginator returns for the chain, via stub_list_jobs."""
    with stub_list_jobs(chain, client=client()) as c:
        paginator = c.get_paginator("list_jobs")
        pages = paginator.paginate(
            appId=chain.app_id, branchName=chain.branch_name, PaginationConfig=config
        )
        return [job for page in pages for job in page["jobSummaries"]]


def assert_chain_ok(chain: ListJobsChain) -> None:
    """Strictly valid, accepted by a real Stubber, and a real paginator returns chain.jobs."""
    m = _model.model()
    for page in chain.pages:
        validate_list_jobs_response(page)
    assert chain.violations() == []
    # botocore's own Stubber validation, on a plain Stubber.
    plain = Stubber(client())
    for page in chain.pages:
        stubber_accepts(plain, "ListJobs", page)
    tokens = chain.tokens
    assert len(set(tokens)) == len(tokens)
    assert all(0 < len(t) <= m.token_max for t in tokens)
    if chain.error is None:
        assert m.output_token not in chain.pages[-1]
        assert paginate_all(chain) == list(chain.jobs)
    else:
        assert chain.error.http_status == m.errors[chain.error.code]
        try:
            paginate_all(chain)
        except ClientError as error:
            assert error.response["Error"]["Code"] == chain.error.code
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == chain.error.http_status
        else:
            raise AssertionError("the chain's error was not raised")


_MISSING = re.compile(r'Missing required parameter in (?P<path>\S+): "(?P<member>\w+)"')


def stubber_accepts(stubber: Stubber, operation: str, response: dict[str, Any]) -> None:
    """botocore's own ``Stubber.add_response`` accepts ``response``, or refuses it only for
    members the service is recorded to leave out (botocore requires what the model requires;
    the service does not send all of it: see ``departures()``)."""
    method = _model.operation(operation).name
    from botocore import xform_name

    try:
        stubber.add_response(xform_name(method), response)
    except ParamValidationError as error:
        report = str(error)
        lines = [line for line in report.splitlines()[1:] if line.strip()]
        assert lines, report
        for line in lines:
            match = _MISSING.search(line)
            assert match is not None, f"botocore refuses more than a departure: {line}"
            shape = (
                "JobSummary" if "jobSummar" in match["path"] or "summary" in match["path"] else None
            )
            shape = shape or {"app": "App", "branch": "Branch"}.get(match["path"].split("[")[0])
            assert shape is not None, line
            found, _ = missing_departure(shape, match["member"], operation)
            assert found is not None, f"not a recorded departure of {operation}: {line}"


_ARN = re.compile(
    r"arn:aws[a-z-]*:amplify:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):apps/(?P<app>d[a-z0-9]+)"
    r"/branches/(?P<branch>.+)/jobs/(?P<id>\d{10})"
)
Jobs = Sequence[Any]


def rule_sequential_ids(jobs: Jobs) -> None:
    """jobIds are n, n-1, ... newest first (a full history ends at 1)."""
    ids = [int(j["jobId"]) for j in jobs]
    assert ids == list(range(ids[0], ids[0] - len(ids), -1)), ids


def rule_real_arns(jobs: Jobs) -> None:
    """Every ARN is a real job ARN of the same app, branch, region and account."""
    owners = set()
    for job in jobs:
        match = _ARN.fullmatch(job["jobArn"])
        assert match, job["jobArn"]
        assert int(match["id"]) == int(job["jobId"])
        owners.add((match["app"], match["branch"], match["region"], match["account"]))
    assert len(owners) <= 1, owners


def rule_commits(jobs: Jobs) -> None:
    """40-hex SHAs; manual deploys have no commit (model-complete: HEAD) and a source URL;
    releases of HEAD say no message or type; retries rebuild the older commit."""
    m = _model.model()
    for index, job in enumerate(jobs):
        job_type = recorded_type(job)
        if job_type == m.manual_job_type:
            assert job.get("commitId", "HEAD") == "HEAD"
            if m.source_url_types:  # where the installed model has source URLs
                assert "sourceUrl" in job and job["sourceUrlType"] in m.source_url_types
        else:
            assert "sourceUrl" not in job
            assert re.fullmatch(r"[0-9a-f]{40}|HEAD", job["commitId"]), job["commitId"]
            if "jobType" not in job:  # the service's answer for a release of HEAD
                assert job["commitId"] == "HEAD" and "commitMessage" not in job
            if job_type == m.retry_job_type and index + 1 < len(jobs):
                # The older job's commit; an older job without one (a manual deploy) is HEAD.
                assert job["commitId"] == jobs[index + 1].get("commitId", "HEAD")


def rule_aware_tzlocal(jobs: Jobs) -> None:
    """Timestamps are as botocore hands them out: aware, in tzlocal(), whole milliseconds."""
    zone = botocore.compat.get_tzinfo_options()[0]
    for job in jobs:
        for key in ("commitTime", "startTime", "endTime"):
            if key in job:
                assert type(job[key].tzinfo) is zone, (key, job[key])
                assert job[key].microsecond % 1000 == 0, (key, job[key])


def rule_commit_before_start(jobs: Jobs) -> None:
    for job in jobs:
        assert job.get("commitTime", job["startTime"]) <= job["startTime"], job["jobId"]


def rule_end_time_when_finished(jobs: Jobs) -> None:
    """Finished jobs have endTime >= startTime; others have none."""
    m = _model.model()
    for job in jobs:
        if job["status"] in m.finished_statuses:
            assert "endTime" in job, f"finished job {job['jobId']} has no endTime"
            assert job["endTime"] >= job["startTime"], job["jobId"]
        else:
            assert "endTime" not in job, job["jobId"]


def rule_one_build_queued_newer(jobs: Jobs) -> None:
    """At most one job is building, and only jobs newer than it are queued."""
    m = _model.model()
    queued_allowed = True
    for job in jobs:
        status = job["status"]
        if status in m.queued_statuses:
            assert queued_allowed, f"queued job {job['jobId']} is older than a build or a finish"
        elif status in m.building_statuses:
            assert queued_allowed, f"job {job['jobId']} is a second build, or older than a finish"
            queued_allowed = False
        else:
            queued_allowed = False


def rule_older_started_earlier(jobs: Jobs) -> None:
    """Older jobs started earlier, and ended before the next one started."""
    for newer, older in itertools.pairwise(jobs):
        assert older["startTime"] < newer["startTime"], (older["jobId"], newer["jobId"])
        assert older.get("endTime", older["startTime"]) <= newer["startTime"]


COHERENCE_RULES = {
    rule.__name__.removeprefix("rule_"): rule
    for rule in (
        rule_sequential_ids,
        rule_real_arns,
        rule_commits,
        rule_aware_tzlocal,
        rule_commit_before_start,
        rule_end_time_when_finished,
        rule_one_build_queued_newer,
        rule_older_started_earlier,
    )
}


def assert_coherent_history(jobs: Jobs, *, full: bool = True) -> None:
    """Every coherence rule of a realistic branch history, newest first."""
    if not jobs:
        return
    for rule in COHERENCE_RULES.values():
        rule(jobs)
    if full:
        assert int(jobs[-1]["jobId"]) == 1


def run_aws_cli(*args: str) -> tuple[int, str]:
    """Run the AWS CLI in-process (as ``aws amplify ...``); return its exit code and stdout."""
    import contextlib
    import io

    from awscli.clidriver import create_clidriver

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = create_clidriver().main(["amplify", *args])
    return rc, out.getvalue()


def child_env() -> dict[str, str]:
    """The environment of an ``aws`` or Python child process served by ``fake.serve()``: dummy
    credentials (the CLI signs every request), no profile or config of the machine, no retry."""
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_MAX_ATTEMPTS="1",
    )
    return env


def profile_examples(count: int) -> int:
    """``count`` examples under the main suite's profiles, a tenth of them under ``release``
    (10 of Hypothesis's 100; tests/conftest.py): for the long state machines, which set their
    own count but search nothing the release sessions need."""
    from hypothesis import settings

    return max(1, count * settings.default.max_examples // 100)


def trickle(port: int, data: bytes, *, at_once: bytes = b"", every: float = 0.1) -> bytes:
    """Send ``at_once``, then ``data`` a byte every ``every`` seconds from another thread, while
    reading whatever the server answers until it closes the connection: what arrived."""
    stop = threading.Event()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(at_once)

        def send() -> None:
            for byte in data:
                if stop.wait(every):
                    return
                try:
                    sock.sendall(bytes([byte]))
                except OSError:  # the server closed the connection: stop sending
                    return

        sender = threading.Thread(target=send)
        sender.start()
        chunks = []
        try:
            with contextlib.suppress(ConnectionResetError):
                while chunk := sock.recv(65536):
                    chunks.append(chunk)
        finally:
            stop.set()
            sender.join()
    return b"".join(chunks)

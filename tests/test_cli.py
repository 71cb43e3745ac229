"""python -m pytest_amplify_jobs: JSON round trip, table, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest

from pytest_amplify_jobs import generate_chain
from pytest_amplify_jobs.__main__ import main


def _parse_times(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: dt.datetime.fromisoformat(v) if k.endswith("Time") else _parse_times(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_parse_times(v) for v in value]
    return value


def test_json_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "--jobs",
        "23",
        "--page-size",
        "5",
        "--seed",
        "4",
        "--error",
        "LimitExceededException",
        "--error-at",
        "3",
    ]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    chain = generate_chain(jobs=23, page_size=5, seed=4, error="LimitExceededException", error_at=3)
    assert data["jobs"] == len(chain.jobs) == 15
    assert len(data["pages"]) == len(chain.pages) == 3
    assert [p.get("nextToken") for p in data["pages"]] == list(chain.tokens)
    assert data["error"] == {
        "code": "LimitExceededException",
        "http_status": 429,
        "message": "A service quota of Amplify was exceeded by ListJobs.",
    }
    assert data["error_at"] == 3
    assert _parse_times(data["pages"]) == list(chain.pages)
    assert data["pages"][0]["jobSummaries"][0]["startTime"].endswith("+00:00")


def test_fixed_app_and_branch(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["--jobs", "1", "--app-id", "d42", "--branch-name", "main", "--region", "eu-west-1"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert (data["app_id"], data["branch_name"], data["region"]) == ("d42", "main", "eu-west-1")
    assert data["error"] is None and data["error_at"] is None


def test_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "--jobs",
                "5",
                "--page-size",
                "2",
                "--error",
                "BadRequestException",
                "--format",
                "table",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    chain = generate_chain(jobs=5, page_size=2, error="BadRequestException")
    assert out.startswith(f"app {chain.app_id}  branch {chain.branch_name}")
    assert "5 jobs in 3 pages of up to 2" in out
    assert out.count("\npage ") == 3
    for job in chain.jobs:
        assert f"  {job['jobId']:>6}  {job['status']:<12}" in out
    assert "call 3 fails: BadRequestException (HTTP 400)" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--page-size", "0"], "--page-size 0 is not allowed; expected an integer from 1 to 50"),
        (["--jobs", "x"], "argument --jobs: invalid int value: 'x'"),
        (["--jobs", "-2"], "--jobs -2 is not allowed"),
        (["--error", "Nope"], "--error 'Nope' is neither a modeled ListJobs error"),
        (
            ["--error-at", "1"],
            "--error-at 1 is set but error is not; give error, one of: BadRequestException",
        ),
        (
            [
                "--jobs",
                "2",
                "--page-size",
                "1",
                "--error",
                "BadRequestException",
                "--error-at",
                "5",
            ],
            "--error-at 5 is beyond the chain",
        ),
        (["--app-id", "XYZ"], "--app-id 'XYZ' is rejected by the model"),
        (["--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
        (["--unknown"], "unrecognized arguments: --unknown"),
    ],
)
def test_bad_arguments_print_usage_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m pytest_amplify_jobs")
    assert words in err


def test_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest_amplify_jobs", "--jobs", "3", "--page-size", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["pages"]) == 2
    bad = subprocess.run(
        [sys.executable, "-m", "pytest_amplify_jobs", "--page-size", "99"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "usage:" in bad.stderr


# --------------------------------------------------------------------- a good Unix tool


class _ClosedPipe:
    """A stdout whose reader went away (``| head``)."""

    encoding = "utf-8"

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self._fd


def test_a_closed_pipe_ends_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    import os

    fd = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT)
    try:
        monkeypatch.setattr(sys, "stdout", _ClosedPipe(fd))
        assert main(["--jobs", "5"]) == 141  # 128 + SIGPIPE, like any Unix tool
    finally:
        os.close(fd)
    assert capsys.readouterr().err == ""


def test_a_non_utf8_stdout_gets_escapes_and_valid_json() -> None:
    args = ["--jobs", "6", "--unrealistic", "--seed", "5"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest_amplify_jobs", *args],
        capture_output=True,
        env={**__import__("os").environ, "PYTHONIOENCODING": "ascii"},
        check=True,
    )
    text = done.stdout.decode("ascii")  # nothing but ASCII reached the stream
    data = json.loads(text)
    chain = generate_chain(jobs=6, realistic=False, seed=5)
    assert data["branch_name"] == chain.branch_name
    assert len(data["pages"]) == len(chain.pages)
    table = subprocess.run(
        [sys.executable, "-m", "pytest_amplify_jobs", *args, "--format", "table"],
        capture_output=True,
        env={**__import__("os").environ, "PYTHONIOENCODING": "ascii"},
        check=True,
    )
    table.stdout.decode("ascii")


@pytest.mark.parametrize("seed", range(8))
def test_the_table_never_writes_control_characters(
    seed: int, capsys: pytest.CaptureFixture[str]
) -> None:
    import unicodedata

    assert main(["--jobs", "12", "--unrealistic", "--seed", str(seed), "--format", "table"]) == 0
    out = capsys.readouterr().out
    controls = {ch for ch in out if unicodedata.category(ch)[0] == "C" and ch != "\n"}
    assert controls == set()


def test_the_table_escapes_what_would_move_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--jobs", "1", "--branch-name", "x\x1b[2J\u202ey", "--format", "table"]) == 0
    assert "branch x\\x1b[2J\\u202ey" in capsys.readouterr().out


def test_error_messages_quote_the_users_values_exactly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--jobs", "3", "--app-id", "d1 error=x"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--app-id 'd1 error=x'" in err  # the flag is named, the value left as typed


def test_every_generate_option_has_a_flag() -> None:
    from pytest_amplify_jobs._options import GenerateOptions
    from pytest_amplify_jobs.cli import _parser

    dests = {action.dest for action in _parser()._actions}
    assert set(GenerateOptions.names()) <= dests


def test_calls_serves_part_of_a_history(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--jobs", "30", "--page-size", "10", "--calls", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["pages"]) == 1 and data["jobs"] == 30
    assert "nextToken" in data["pages"][0]

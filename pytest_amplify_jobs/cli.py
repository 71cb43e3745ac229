"""The command line (``python -m pytest_amplify_jobs``, ``amplify-jobs``): export a generated chain as JSON or a readable table.

    python -m pytest_amplify_jobs --jobs 120 --page-size 50 --seed 3
    python -m pytest_amplify_jobs --jobs 7 --page-size 3 --error LimitExceededException \
        --error-at 2 --format table

JSON is ``{"pages": [...], "error": ..., ...}`` with ISO-8601 timestamps: fixtures for tools and
languages other than Python. Bad arguments print the usage and exit with status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import sys
import unicodedata
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytest_amplify_jobs._chain import ListJobsChain


def _as_flags(message: str) -> str:
    """``page_size=0 ...`` said with the flags (``--page-size 0 ...``). Names inside quoted
    values are left alone: the user's values are quoted exactly as given."""

    def flag(match: re.Match[str]) -> str:
        quoted = message[: match.start()].count("'") % 2 == 1
        return match[0] if quoted else "--" + match[1].replace("_", "-") + " "

    return _flag_pattern().sub(flag, message)


def _flag_pattern() -> re.Pattern[str]:
    from pytest_amplify_jobs._options import GenerateOptions

    names = sorted(GenerateOptions.names(), key=len, reverse=True)  # error_at before error
    return re.compile(r"\b(" + "|".join(names) + r")=")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_amplify_jobs",
        description="Generate a coherent, model-valid ListJobs chain (pages linked by tokens).",
    )
    parser.add_argument("--jobs", type=int, default=20, help="size of the branch history (20)")
    parser.add_argument(
        "--page-size", type=int, default=None, help="most jobs on one page, 1..50 (from the seed)"
    )
    parser.add_argument("--max-results", type=int, default=None, help="maxResults the caller sends")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same chain (0)")
    parser.add_argument(
        "--error",
        default=None,
        metavar="CODE",
        help="an error code: a modeled one, or one AWS's front end sends (ThrottlingException...)",
    )
    parser.add_argument(
        "--error-at", type=int, default=None, metavar="I", help="0-based call that fails"
    )
    parser.add_argument("--app-id", default=None)
    parser.add_argument("--branch-name", default=None)
    parser.add_argument("--region", default=None)
    parser.add_argument(
        "--unrealistic",
        action="store_false",
        dest="realistic",
        help="anything the model allows (realistic=False)",
    )
    parser.add_argument(
        "--calls", type=int, default=None, metavar="N", help="only the first N calls' pages"
    )
    parser.add_argument(
        "--statuses", nargs="+", default=None, metavar="STATUS", help="the statuses jobs may have"
    )
    parser.add_argument(
        "--newest",
        nargs="+",
        default=None,
        metavar="STATUS",
        help="statuses of the newest jobs, newest first (e.g. PENDING RUNNING)",
    )
    parser.add_argument(
        "--job-types", nargs="+", default=None, metavar="TYPE", help="the job types jobs may have"
    )
    parser.add_argument(
        "--model-complete",
        action="store_true",
        dest="model_complete",
        help="every member the model requires, none of the service's departures "
        "(model_complete=True)",
    )
    parser.add_argument("--format", choices=("json", "table"), default="json")
    return parser


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    return value


def chain_to_json(chain: ListJobsChain) -> dict[str, Any]:
    """The chain as JSON-ready data: the pages served (timestamps ISO-8601; only the first
    ``calls`` when the chain serves part of its history) and what a test asserts on."""
    error = chain.error
    served = chain.pages[: chain.queued_calls]
    return {
        "app_id": chain.app_id,
        "branch_name": chain.branch_name,
        "region": chain.region,
        "page_size": chain.page_size,
        "max_results": chain.max_results,
        "jobs": len(chain.jobs),
        "calls": chain.calls,
        "pages": _jsonable(list(served)),
        "error": None
        if error is None
        else {"code": error.code, "http_status": error.http_status, "message": error.message},
        "error_at": chain.error_at,
    }


def _printable(text: str) -> str:
    """``text`` with every control or format character (newlines, ESC, bidi marks...) escaped,
    so a value can never move the cursor, colour or rewrite the terminal."""
    return "".join(_escape(ch) if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def _escape(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def _short(text: str, width: int) -> str:
    text = _printable(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def write_table(chain: ListJobsChain, out: TextIO) -> None:
    """A readable summary: one block per page, one row per job."""
    out.write(
        f"app {_printable(chain.app_id)}  branch {_printable(chain.branch_name)}  "
        f"region {chain.region}\n"
        f"{len(chain.jobs)} jobs in {len(chain.pages)} pages of up to {chain.page_size}"
        f"{'' if chain.max_results is None else f', maxResults {chain.max_results}'}\n"
    )
    header = f"  {'job':>6}  {'status':<12}  {'type':<8}  {'commit':<8}  {'started (UTC)':<19}  {'took':>7}  message"
    for index, page in enumerate(chain.pages):
        token = page.get("nextToken")
        out.write(
            f"\npage {index + 1}" + (f"  nextToken {_short(token, 24)}" if token else "") + "\n"
        )
        out.write(header + "\n")
        for job in page["jobSummaries"]:
            took = ""
            if "endTime" in job:
                seconds = int((job["endTime"] - job["startTime"]).total_seconds())
                took = f"{seconds // 60}m{seconds % 60:02d}s"
            out.write(
                # The service leaves type, commit and message out of some jobs: "-".
                f"  {job['jobId']:>6}  {job['status']:<12}  {job.get('jobType', '-'):<8}  "
                f"{_short(job.get('commitId', '-'), 8):<8}  {job['startTime'].astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S}  "
                f"{took:>7}  {_short(job.get('commitMessage', '-'), 40)}\n"
            )
    if chain.error is not None:
        out.write(
            f"\ncall {chain.error_at} fails: {chain.error.code} "
            f"(HTTP {chain.error.http_status}) {chain.error.message}\n"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m pytest_amplify_jobs`` and ``amplify-jobs``."""
    from pytest_amplify_jobs._chain import generate_chain
    from pytest_amplify_jobs._options import GenerateOptions

    parser = _parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    # A terminal or pipe that is not UTF-8 gets escapes, never an UnicodeEncodeError.
    utf8 = (getattr(out, "encoding", None) or "").lower().replace("-", "") == "utf8"
    if not utf8 and hasattr(out, "reconfigure"):
        out.reconfigure(errors="backslashreplace")
    try:
        # One flag per generate option (GenerateOptions is the one list; a test keeps them equal).
        chain = generate_chain(**{name: getattr(args, name) for name in GenerateOptions.names()})
    except ValueError as error:
        # generate_chain names its parameters (page_size=0); say it with the flags (--page-size 0).
        parser.error(_as_flags(str(error)))
    text = io.StringIO()
    if args.format == "json":
        json.dump(chain_to_json(chain), text, indent=2, ensure_ascii=not utf8)
        text.write("\n")
    else:
        write_table(chain, text)
    try:
        out.write(text.getvalue())
        out.flush()
    except BrokenPipeError:
        # `| head` closed the pipe: end quietly, as Unix tools do (128 + SIGPIPE), and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        return 141
    return 0

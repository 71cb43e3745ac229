"""benchmarks/run.py's own arguments and its writing of the published tables (no row is run)."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from typing import Any

import pytest

RUN = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def run() -> Any:
    spec = importlib.util.spec_from_file_location("benchmarks_run", RUN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmarks_run"] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("benchmarks_run", None)


@pytest.mark.parametrize("argv", [["--write-docs", "--quick"], ["--write-docs", "--only", "B9"]])
def test_write_docs_refuses_a_partial_run(
    run: Any, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run.parse_args(argv)
    assert exit_info.value.code == 2
    assert "--write-docs: the published tables come from one full run" in capsys.readouterr().err


def test_the_summary_lists_rows_with_targets_and_their_verdicts(run: Any) -> None:
    rows = [
        run.Row("B0 met", ours=[1.0], base=[2.0], target=0.6),
        run.Row("B0 missed", ours=[3.0], base=[2.0], target=1.0),
        run.Row("B0 rate", ours=[3.0], base=[2.0], target=1.0, at_least=True),
        run.Row("B0 information", ours=[1.0], base=[1.0]),
        run.skipped("B0 skipped", "not installed"),
    ]
    text = run.summary("first line\nsecond line", rows)
    assert text.splitlines() == [
        "`first line`",
        "",
        "| row | ratio | target | |",
        "|---|---|---|---|",
        "| B0 met | 0.50 | <= 0.6 | pass |",
        "| B0 missed | 1.50 | <= 1 | MISS |",
        "| B0 rate | 1.50 | >= 1 | pass |",
    ]


def test_markers_are_replaced_and_their_absence_is_an_error(
    run: Any, tmp_path: pathlib.Path
) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"before\n{run.BEGIN}\nold\n{run.END}\nafter\n")
    run._replace_between_markers(page, "new")
    assert page.read_text() == f"before\n{run.BEGIN}\nnew\n{run.END}\nafter\n"
    page.write_text("no markers\n")
    with pytest.raises(SystemExit, match="lacks the markers"):
        run._replace_between_markers(page, "new")

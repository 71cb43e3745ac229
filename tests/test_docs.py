"""The documentation runs: every ```python block of docs/**/*.md and README.md, and the pictures drawn from the code's output.

How a block runs, by what it is and the HTML comment just before its fence:

- a block defining ``test_*`` functions is a pytest test file: written out and run through
  ``pytester`` (in process, ``--disable-socket`` as in a user's suite), every test must pass;
- any other block is executed in a fresh namespace; a top-level expression ending in
  ``# => <repr>`` must evaluate to that repr; a block starting with ``>>>`` is a doctest;
- ``<!-- docs: no-run (why) -->``: compiled for syntax only, the reason is shown on the page;
- ``<!-- docs: continue (why) -->``: executed in the namespace of the previous block of the page;
- ``<!-- docs: sockets -->``: sockets allowed, to 127.0.0.1 only;
- ``<!-- docs: async (why) -->``: a test file of async tests (aiobotocore, pytest-asyncio):
  compiled here, run where those are installed (``nox -s async`` runs ``test_async_example``);
- ``<!-- docs: fails (why) -->``: a test file whose run must fail with a Hypothesis
  "Falsifying example" (a page showing the bug a property finds);
- ``<!-- docs: output (why) -->`` before a ```text block: what the python block before it prints
  (a test file's pytest output, or the exception another block raises). Its lines must appear in
  that output in order; ``...`` in a line stands for any text.

Each block's id is its file and the line of its fence: ``docs/fake.md:12``.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import importlib
import importlib.util
import pathlib
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import hypothesis
import pytest

import pytest_amplify_jobs
import pytest_amplify_jobs.cli
import pytest_amplify_jobs.strategies

# pytester's in-process runs restore sys.modules afterwards: a module first imported inside one
# would be imported anew by the next, with classes that are no longer the ones the package's
# isinstance checks know. Import everything the blocks use before any run.
for _name in pytest_amplify_jobs.__all__:
    getattr(pytest_amplify_jobs, _name)
for _module in ("boto3", "botocore.session", "botocore.stub", "hypothesis"):
    importlib.import_module(_module)

# Hypothesis's default number of examples: what a reader of a page runs with, whatever the
# suite's profile (the release sessions' has 25).
_READER_EXAMPLES = 100
_FIND_ONLY = "docs-find-only"
hypothesis.settings.register_profile(
    _FIND_ONLY,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    database=None,
    deadline=None,
    max_examples=_READER_EXAMPLES,
    # The same examples in every run: whether the page's bug is found must not depend on the
    # random state earlier tests left in the process (found in 5 runs out of 6 otherwise).
    derandomize=True,
)
# A page that shows the shrunk falsifying example: found and shrunk as the reader's run does,
# derandomized (some 20 s: slow, so the release sessions leave it to the main suite).
_SHRUNK = "docs-shrunk"
hypothesis.settings.register_profile(
    _SHRUNK,
    hypothesis.settings.get_profile(_FIND_ONLY),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink],
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]

_FENCE = re.compile(r"^```python\s*$")
_TEXT_FENCE = re.compile(r"^```text\s*$")
_DIRECTIVE = re.compile(
    r"^<!--\s*docs:\s*(?P<kinds>[a-z-]+(?:\s*,\s*[a-z-]+)*)\s*(?P<why>\(.*\))?\s*-->$"
)
_KINDS = {"no-run", "continue", "sockets", "fails", "async", "output"}
_SHOWS = re.compile(r"#\s*=>\s*(?P<expected>.+?)\s*$")

# README blocks that do not run as written: each keyed by a line of the block, with why (compiled,
# not run). The README rewrite fixes or marks them (`<!-- docs: no-run (...) -->`) and empties this.
README_KNOWN: dict[str, str] = {}  # every README block runs as written


@dataclass(frozen=True)
class Block:
    path: pathlib.Path
    line: int  # of the opening fence, 1-based
    code: str
    kinds: frozenset[str] = field(default_factory=frozenset)
    previous: Block | None = None  # the block before it on the page (for `continue`)
    shows: str | None = None  # the ```text block after it marked `output`: what it prints

    @property
    def id(self) -> str:
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{where}:{self.line}"

    @property
    def is_test_file(self) -> bool:
        try:
            tree = ast.parse(self.code)
        except SyntaxError:
            return False
        return any(
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name.startswith("test")
            for node in tree.body
        )


def blocks_of(path: pathlib.Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        python, text = _FENCE.match(lines[index]), _TEXT_FENCE.match(lines[index])
        if not (python or text):
            index += 1
            continue
        start = index
        before = next((lines[i].strip() for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        directive = _DIRECTIVE.match(before)
        kinds = (
            frozenset(k.strip() for k in directive["kinds"].split(","))
            if directive
            else frozenset()
        )
        unknown = kinds - _KINDS
        if unknown:
            raise ValueError(f"{path}:{start + 1}: unknown docs directive {sorted(unknown)}")
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "```")
        body = "\n".join(lines[start + 1 : end]) + "\n"
        index = end + 1
        if text:
            if "output" in kinds:
                if not found or found[-1].shows is not None or "no-run" in found[-1].kinds:
                    raise ValueError(f"{path}:{start + 1}: 'output' follows no block that runs")
                found[-1] = replace(found[-1], shows=body)
            continue
        if "output" in kinds:
            raise ValueError(f"{path}:{start + 1}: 'output' is for a ```text block")
        found.append(
            Block(
                path=path,
                line=start + 1,
                code=body,
                kinds=kinds,
                previous=found[-1] if found else None,
            )
        )
    return found


def _check_shown(block: Block, output: str) -> None:
    """The lines of the page's output block appear in ``output`` in order (``...``: any text)."""
    assert block.shows is not None
    # Hypothesis versions word a falsifying example apart (newer ones: "Failing test case").
    remaining = output.replace("Failing test case:", "Falsifying example:").splitlines()
    for shown in block.shows.splitlines():
        if shown.strip() in ("", "..."):
            continue
        pattern = re.compile(".*".join(map(re.escape, shown.strip().split("..."))))
        where = next((i for i, line in enumerate(remaining) if pattern.search(line)), None)
        assert where is not None, (
            f"{block.id}: the page shows {shown.strip()!r}, which its run does not print:\n{output}"
        )
        remaining = remaining[where + 1 :]


def _params() -> list[Any]:
    params = []
    for path in PAGES:
        for block in blocks_of(path):
            marks: list[Any] = []
            if "fails" in block.kinds and block.shows is not None:
                marks.append(pytest.mark.slow)  # shrinks: see _SHRUNK
            if "sockets" in block.kinds:
                # allow_hosts alone: pytest-socket ignores it where enable_socket also applies.
                marks.append(pytest.mark.allow_hosts(["127.0.0.1"]))
            if path.name == "README.md" and path.parent == ROOT:
                for key, why in README_KNOWN.items():
                    if key in block.code:
                        marks.append(
                            pytest.mark.xfail(
                                reason=f"README does not run as written: {why}", run=False
                            )
                        )
            params.append(pytest.param(block, id=block.id, marks=marks))
    return params


def _exec(block: Block, namespace: dict[str, Any]) -> None:
    """Run a block statement by statement; check each ``expr  # => repr`` line."""
    if block.code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(
            block.code, namespace, block.id, str(block.path), block.line
        )
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        out: list[str] = []
        runner.run(test, out=out.append)
        assert runner.failures == 0, "".join(out)
        return
    lines = block.code.splitlines()
    tree = ast.parse(block.code, filename=block.id)
    for statement in tree.body:
        shown = _SHOWS.search(lines[(statement.end_lineno or statement.lineno) - 1])
        if isinstance(statement, ast.Expr) and shown:
            expression = ast.Expression(statement.value)
            value = eval(compile(expression, block.id, "eval"), namespace)
            assert repr(value) == shown["expected"], (
                f"{block.id}: line {block.line + statement.lineno} shows "
                f"{shown['expected']}, the code gives {value!r}"
            )
        else:
            exec(compile(ast.Module([statement], type_ignores=[]), block.id, "exec"), namespace)


def _namespace_for(block: Block) -> dict[str, Any]:
    if "continue" not in block.kinds:
        return {"__name__": "__docs__"}
    if block.previous is None:
        raise ValueError(f"{block.id}: 'continue' on the first block of its page")
    namespace = _namespace_for(block.previous)
    _exec(block.previous, namespace)
    return namespace


@pytest.mark.parametrize("block", _params())
def test_example(block: Block, pytester: pytest.Pytester) -> None:
    compile(block.code, block.id, "exec")  # every block, no-run ones included
    if "no-run" in block.kinds or "async" in block.kinds:
        return  # async blocks run in test_async_example
    if block.is_test_file or "fails" in block.kinds:
        name = re.sub(r"\W", "_", f"test_{block.path.stem}_{block.line}")
        pytester.makepyfile(**{name: block.code})
        args = ["-p", "no:randomly", "-p", "no:cacheprovider", "--disable-socket"]
        if "fails" in block.kinds:
            # Finding the bug is what the page claims; shrinking it (some 20 s) only when the
            # page shows the shrunk example.
            args.append(f"--hypothesis-profile={_SHRUNK if block.shows else _FIND_ONLY}")
        with _as_a_reader_runs_it():
            result = pytester.runpytest_inprocess(*args)
        if "fails" in block.kinds:
            out = result.stdout.str()
            assert result.ret == pytest.ExitCode.TESTS_FAILED, out
            # The property fails on a generated example (Hypothesis versions word it apart).
            assert "Falsifying example" in out or "AssertionError" in out, out
        else:
            outcomes = result.parseoutcomes()
            assert result.ret == pytest.ExitCode.OK and outcomes.get("passed", 0) >= 1, (
                f"{block.id}:\n{result.stdout.str()}"
            )
        if block.shows is not None:
            _check_shown(block, result.stdout.str())
        return
    with _as_a_reader_runs_it():
        if block.shows is None:
            _exec(block, _namespace_for(block))
            return
        # The page shows the exception the block ends with.
        with pytest.raises(Exception) as raised:
            _exec(block, _namespace_for(block))
        _check_shown(block, "".join(traceback.format_exception_only(raised.value)))


def test_an_output_block_is_what_the_block_before_it_prints(tmp_path: pathlib.Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```python\nraise ValueError('jobId=7 is not a job of main')\n```\n\n"
        "<!-- docs: output (the error) -->\n```text\nValueError: jobId=... is not a job\n```\n",
        encoding="utf-8",
    )
    (block,) = blocks_of(page)
    assert block.shows == "ValueError: jobId=... is not a job\n"
    with pytest.raises(ValueError) as raised:
        _exec(block, {})
    _check_shown(block, "".join(traceback.format_exception_only(raised.value)))
    with pytest.raises(AssertionError, match="which its run does not print"):
        _check_shown(replace(block, shows="ValueError: jobId=... is a job\n"), str(raised.value))
    page.write_text("<!-- docs: output (nothing before) -->\n```text\nx\n```\n", encoding="utf-8")
    with pytest.raises(ValueError, match="follows no block that runs"):
        blocks_of(page)


_ASYNC_BLOCKS = [b for page in PAGES for b in blocks_of(page) if "async" in b.kinds]


def test_async_blocks_are_test_files() -> None:
    assert _ASYNC_BLOCKS, "docs/async.md's example is marked <!-- docs: async (...) -->"
    assert all(block.is_test_file for block in _ASYNC_BLOCKS)


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in _ASYNC_BLOCKS])
def test_async_example(block: Block, pytester: pytest.Pytester) -> None:
    """Run where aiobotocore and pytest-asyncio are installed (the nox async sessions)."""
    pytest.importorskip("aiobotocore", reason="aiobotocore is tested in nox -s async")
    pytest.importorskip("pytest_asyncio", reason="pytest-asyncio is tested in nox -s async")
    name = re.sub(r"\W", "_", f"test_{block.path.stem}_{block.line}")
    pytester.makepyfile(**{name: block.code})
    result = pytester.runpytest_subprocess(
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "--disable-socket",
        "--allow-unix-socket",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
    )
    outcomes = result.parseoutcomes()
    assert result.ret == pytest.ExitCode.OK and outcomes.get("passed", 0) >= 1, (
        f"{block.id}:\n{result.stdout.str()}"
    )


def _where_a_call_is_answered(mode: str) -> tuple[str, str]:
    """Enter ``mode``, make one GetApp call, and say where it was answered: ``before-call`` or
    ``before-send``, and whether botocore's parser and retry handler ran (``needs-retry``)."""
    import boto3
    from botocore.stub import Stubber

    seen: list[str] = []
    app = pytest_amplify_jobs.generate_response("GetApp", {"appId": "d1abc"})

    def client() -> Any:
        made = boto3.client(
            "amplify",
            region_name="us-east-1",
            aws_access_key_id="testing",  # a Stubber's client is made outside any mode
            aws_secret_access_key="testing",
        )
        for event in ("before-send", "needs-retry"):
            made.meta.events.register_first(
                f"{event}.amplify", lambda event_name, **_: seen.append(event_name.split(".")[0])
            )
        return made

    with contextlib.ExitStack() as stack:
        if mode == "Stubber":
            made = client()
            stubber = stack.enter_context(Stubber(made))
            pytest_amplify_jobs.AmplifyStub(made, stubber).add_response("GetApp", app)
        elif mode == "intercept":
            stack.enter_context(pytest_amplify_jobs.AmplifyIntercept()).add_response("GetApp", app)
            made = client()
        else:
            stack.enter_context(pytest_amplify_jobs.fake_amplify()).add_app("d1abc")
            made = client()
        made.get_app(appId="d1abc")
    stops = "before-send" if "before-send" in seen else "before-call"
    return stops, "run" if "needs-retry" in seen else "bypassed"


@pytest.mark.parametrize("mode", ["Stubber", "intercept", "fake"])
def test_the_modes_picture_is_where_each_mode_answers(mode: str) -> None:
    """docs/modes.md's diagram and table say where each mode answers a call and what of botocore
    still runs: checked against what the code does."""
    page = (DOCS / "modes.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if line.startswith(f"| {mode} |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    stops, parser = _where_a_call_is_answered(mode)
    assert f"`{stops}`" in cells[2], (mode, stops, row)
    assert cells[3].startswith(parser), (mode, parser, row)
    # The diagram draws the same: the mode's edge leaves from the hook it answers at.
    edge = {
        "Stubber": "bc1 -->|Stubber mode|",
        "intercept": "bc2 -->|intercept mode|",
        "fake": "any -->|fake mode| bs",
    }
    assert edge[mode] in page


def test_the_api_reference_lists_exactly_the_public_names() -> None:
    text = (DOCS / "reference.md").read_text(encoding="utf-8")
    members = re.findall(r"^        - (\w+)$", text, flags=re.MULTILINE)
    assert members == list(pytest_amplify_jobs.__all__), (
        "docs/reference.md's members list is not the package's __all__"
    )


@contextlib.contextmanager
def _as_a_reader_runs_it() -> Iterator[None]:
    """The examples a reader of the page gets (with the release profile's 25, a page's find()
    found nothing at the lower bounds); the suite's settings are restored after (older
    Hypothesis has no profile-name getter)."""
    current = hypothesis.settings.default
    hypothesis.settings.register_profile("_docs_reader", current, max_examples=_READER_EXAMPLES)
    hypothesis.settings.load_profile("_docs_reader")
    try:
        yield
    finally:
        hypothesis.settings.register_profile("_docs_restored", current)
        hypothesis.settings.load_profile("_docs_restored")


def test_every_page_has_blocks_and_known_readme_entries_still_exist() -> None:
    assert all(
        blocks_of(page)
        for page in PAGES
        if page.parent == DOCS
        and page.name
        not in {"operations.md", "modes.md", "index.md", "reference.md", "performance.md"}
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    gone = [key for key in README_KNOWN if key not in readme]
    assert not gone, f"README_KNOWN entries no longer in README.md, remove them: {gone}"


def _published_run(path: pathlib.Path) -> str:
    text = path.read_text(encoding="utf-8")
    begin, end = "<!-- benchmarks: begin -->", "<!-- benchmarks: end -->"
    assert begin in text and end in text, f"{path.name} lacks the benchmark markers"
    return text[text.index(begin) + len(begin) : text.index(end)].strip()


def test_the_readme_is_a_front_door_and_its_benchmarks_are_one_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200, "the README is the front door: under 200 lines"
    summary, table = _published_run(ROOT / "README.md"), _published_run(DOCS / "performance.md")
    # Written together by benchmarks/run.py --write-docs: the same run's first line, and every
    # row of the README's summary is a row of the full table.
    first = table.removeprefix("```text").strip().splitlines()[0]
    assert summary.splitlines()[0] == f"`{first}`"
    assert "--quick" not in table and "2 cores" in first
    rows = [line.split(" | ")[0].removeprefix("| ") for line in summary.splitlines()[4:]]
    assert rows and all(f"\n{row}  " in table for row in rows)


def _load_gen_world() -> Any:
    spec = importlib.util.spec_from_file_location("docs_gen_world", DOCS / "gen_world.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_world_timeline_is_the_codes_current_output() -> None:
    gen_world = _load_gen_world()
    page = gen_world.PAGE.read_text(encoding="utf-8")
    assert page == gen_world.page_with(page, gen_world.fragment()), (
        "docs/worlds.md's timeline is stale: run python docs/gen_world.py"
    )


def test_the_departures_page_is_the_departures_table() -> None:
    from pytest_amplify_jobs import departures

    section = (DOCS / "departures.md").read_text(encoding="utf-8")
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [d.name for d in departures()]
    for row, departure in zip(rows, departures(), strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1] == f"`{departure.shape}`", row
        for member in departure.members:
            assert f"`{member}`" in cells[2], (departure.name, member)
        if departure.value is not None:
            assert f'"{departure.value}"' in cells[2], row


# The strict site build (`mkdocs build --strict`) takes 15 s or more: it is a step of .ci/run.

"""The house plan holds: layers without upward imports or circles, botocore internals in one place."""

from __future__ import annotations

import ast
import pathlib
import re

import pytest

from pytest_amplify_jobs import _botocore

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pytest_amplify_jobs"
PREFIX = "pytest_amplify_jobs"


def layers() -> dict[str, int]:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    block = re.search(r"```layers\n(.*?)```", text, re.S)
    assert block, "ARCHITECTURE.md has no ```layers block"
    out: dict[str, int] = {}
    for line in block.group(1).splitlines():
        match = re.match(r"L(\d+)\s+(.*)", line.strip())
        assert match, f"unreadable layer line: {line!r}"
        for name in match.group(2).split(","):
            out[name.strip()] = int(match.group(1))
    return out


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _in_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: pathlib.Path) -> set[str]:
    """Package modules ``path`` imports, anywhere but under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _in_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            base = node.module[len(PREFIX) + 1 :]
            for alias in node.names:
                if base == "":
                    found.add(alias.name)
                elif (
                    f"{base}.{alias.name}".replace(".", "/")
                    and (PACKAGE / base.replace(".", "/") / f"{alias.name}.py").exists()
                ):
                    found.add(f"{base}.{alias.name}")
                else:
                    found.add(base)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PREFIX + "."):
                    found.add(alias.name[len(PREFIX) + 1 :])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer() -> None:
    table = layers()
    missing = sorted(set(graph()) - set(table))
    stale = sorted(set(table) - set(graph()))
    assert not missing, f"modules missing from ARCHITECTURE.md's layers: {missing}"
    assert not stale, f"ARCHITECTURE.md names modules that do not exist: {stale}"


def test_no_upward_import() -> None:
    table = layers()
    upward = [
        f"{module} (L{table[module]}) imports {target} (L{table[target]})"
        for module, targets in graph().items()
        for target in sorted(targets)
        if target in table and module in table and table[target] > table[module]
    ]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def find_circle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target == node:
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_circle() -> None:
    edges = graph()
    # A package's __init__ re-exports its submodules; the submodules importing siblings through
    # the package path are edges to the submodules, not to the package.
    circle = find_circle(edges)
    assert circle is None, "import circle: " + " -> ".join(circle or [])


def test_the_checker_catches_a_circle_and_an_upward_import() -> None:
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b"}, "b": set()}) is None
    table = layers()
    assert table["_model"] < table["_chain"] < table["_stubbing"] < table["plugin"]


def test_botocore_internals_are_where_we_expect_them() -> None:
    assert _botocore.missing_internals() == []


@pytest.mark.parametrize(
    "internal", [".".join(p for p in item if p) for item in _botocore.INTERNALS]
)
def test_each_internal_is_named_for_a_loud_failure(
    internal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Take each internal away: missing_internals() must name it (a botocore that moved it)."""
    import importlib

    parts = internal.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:-1]:
            owner = getattr(owner, name)
        break
    if parts[-1] == "_queue":  # an instance attribute, set in Stubber.__init__
        from botocore.stub import Stubber

        original = Stubber.__init__

        def without_queue(self: Stubber, client: object) -> None:
            original(self, client)  # type: ignore[arg-type]
            del self._queue

        monkeypatch.setattr(Stubber, "__init__", without_queue)
    else:
        monkeypatch.delattr(owner, parts[-1])
    assert internal in _botocore.missing_internals()


PRIVATE_BOTOCORE = re.compile(
    r"\b(?:Stubber|BaseClient|Endpoint|botocore\.\w+|stubber|endpoint)\._[a-z]\w*"
)


def test_private_botocore_names_appear_only_in_the_botocore_module() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "_botocore.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = re.sub(r"``[^`]*``", "", line)  # names quoted in docs are not touches
            if PRIVATE_BOTOCORE.search(code) or re.search(
                r"getattr\([^)]*['\"]_(queue|add_response|make_api_call|needs_retry)['\"]", line
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "botocore internals outside _botocore.py:\n" + "\n".join(offenders)

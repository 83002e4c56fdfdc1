"""The layout rules of docs/architecture.md, checked on the source: no import circle, flows without I/O."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import rekseg

PACKAGE = Path(rekseg.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["rekseg", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Yield every module imported at run time (module level and inside functions), not under TYPE_CHECKING."""
    package = module if is_package else module.rpartition(".")[0]
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            # `from . import x` may import the submodule x.
            yield from (f"{target}.{alias.name}" for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))


def _graph() -> dict[str, set[str]]:
    sources = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in sources.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = set(_imports(tree, name, path.name == "__init__.py"))
        graph[name] = {target for target in found if target in sources and target != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def _package_edges_removed(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ re-exporting its own submodules is not a circle: the submodules never need the
    # package's namespace, only their siblings. Drop submodule -> parent-package edges.
    return {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}


def test_no_import_circle_at_run_time() -> None:
    """No chain of run-time imports among rekseg's modules leads back to where it started."""
    assert _cycle(_package_edges_removed(_graph())) is None


def test_cycle_finder_finds_a_cycle() -> None:
    """The checker above is not vacuous: it reports a circle when there is one."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_flows_do_no_io() -> None:
    """The sans-I/O flows (and the SQS listeners' Inbox) import neither botocore nor time, sockets or threads."""
    flows = sorted([*(PACKAGE / "_flows").rglob("*.py"), *PACKAGE.rglob("_flow.py"), *PACKAGE.rglob("_inbox.py")])
    assert flows, "rekseg/_flows/ holds the flows"
    forbidden = ("botocore", "aiobotocore", "time", "socket", "threading", "asyncio", "urllib3")
    for path in flows:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = set(_imports(tree, _module_name(path), path.name == "__init__.py"))
        bad = {name for name in imported if name.split(".")[0] in forbidden}
        assert not bad, f"{path.name} imports {sorted(bad)}"

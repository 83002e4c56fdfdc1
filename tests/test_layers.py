"""The floors of docs/architecture.md, checked on the source: the core imports only downward and does no I/O."""

from __future__ import annotations

import ast
from collections.abc import Mapping

from test_architecture import PACKAGE, _graph, _imports, _module_name, _package_edges_removed

# The core, lowest floor first (docs/architecture.md). A module may import its own floor or a lower one.
FLOORS: tuple[frozenset[str], ...] = (
    frozenset({"rekseg._enums", "rekseg._exceptions", "rekseg._timecode", "rekseg._validation", "rekseg._models"}),
    frozenset({"rekseg._wire"}),
    frozenset({"rekseg._analysis", "rekseg._results"}),
    frozenset({"rekseg._requests", "rekseg._policies"}),
)

FLOWS = "rekseg._flows"
"""The sans-I/O flows (paging, waiting, retrying): a package that sits on the floor above the core's."""

IO_MODULES = frozenset(
    {"botocore", "boto3", "aiobotocore", "aiohttp", "asyncio", "time", "socket", "http", "urllib", "subprocess"}
)
"""Top-level packages that mean I/O (or sleeping): the core and the flows import none of them."""


def _floor_of(module: str, floors: tuple[frozenset[str], ...]) -> int | None:
    for number, floor in enumerate(floors):
        if module in floor:
            return number
    if module == FLOWS or module.startswith(FLOWS + "."):
        return len(floors)
    return None


def _upward_imports(graph: Mapping[str, set[str]], floors: tuple[frozenset[str], ...]) -> list[str]:
    """Return ``"a -> b"`` for every import of a core module that reaches a higher floor or outside the core."""
    found = []
    for module, targets in sorted(graph.items()):
        floor = _floor_of(module, floors)
        if floor is None:
            continue
        for target in sorted(targets):
            other = _floor_of(target, floors)
            if other is None or other > floor:
                found.append(f"{module} -> {target}")
    return found


def _core_modules() -> dict[str, ast.Module]:
    trees = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        if _floor_of(name, FLOORS) is not None:
            trees[name] = ast.parse(path.read_text(encoding="utf-8"))
    return trees


def test_core_imports_only_downward() -> None:
    """Leaves, codecs, results, requests, policies and flows import only their own floor or a lower one."""
    assert _upward_imports(_package_edges_removed(_graph()), FLOORS) == []


def test_core_does_no_io() -> None:
    """No core module and no flow imports botocore, time, asyncio, sockets or HTTP at run time."""
    trees = _core_modules()
    assert set().union(*FLOORS) <= trees.keys()
    found = {
        f"{name} imports {target}"
        for name, tree in trees.items()
        for target in _imports(tree, name, is_package=False)
        if target.split(".")[0] in IO_MODULES
    }
    assert sorted(found) == []


def test_floor_check_finds_an_upward_import() -> None:
    """The floor check is not vacuous: a leaf importing a higher floor, or a driver, is reported."""
    floors = (frozenset({"leaf"}), frozenset({"wire"}))
    graph = {"leaf": {"wire"}, "wire": {"leaf", "driver"}, "driver": {"wire"}}
    assert _upward_imports(graph, floors) == ["leaf -> wire", "wire -> driver"]


def test_io_check_sees_imports_inside_functions() -> None:
    """The I/O check reads imports inside functions too, where a deferred ``import time`` would hide."""
    tree = ast.parse("def f():\n    import time\n    from botocore import session\n")
    assert {t.split(".")[0] for t in _imports(tree, "rekseg._x", is_package=False)} >= {"time", "botocore"}

"""reserve_app has no import cycle.

The graph is built from the source (the AST of every module under reserve_app/), not by
importing it: every `import x` / `from x import y` anywhere in a module counts, at module
level and inside functions or classes alike (a deferred import only hides a cycle from the
interpreter, not from a reader). `from package import name` counts as an import of the
submodule `package.name` when that submodule exists, else of the package itself.
Imports under `if TYPE_CHECKING:` are left out: they never run.

A package's `__init__` is a node of its own: importing `a.b.c` runs `a/__init__` and
`a/b/__init__` too, but those are not edges here (an `__init__` that imports its own
submodules would otherwise make every package a cycle); an `__init__`'s own imports are.
"""

from __future__ import annotations

import ast
from pathlib import Path

from reserve_app.settings import ROOT

PACKAGE = "reserve_app"


def module_files(root: Path) -> dict[str, Path]:
    files = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    files = module_files(root)
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base_parts = package.split(".")
                    base_parts = base_parts[:len(base_parts) - (node.level - 1)]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                           for alias in node.names]
            for target in targets:
                # `import a.b.c` names a.b.c; fall back to the longest prefix that is ours.
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan), each shown
    as one concrete cycle through it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def strongconnect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return [_one_cycle(graph, set(c)) for c in components]


def _one_cycle(graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """A shortest path from the component's first module back to itself."""
    start = min(members)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    return sorted(members)


def test_the_graph_sees_the_whole_package() -> None:
    graph = import_graph(ROOT)
    assert {"reserve_app.state.kit", "reserve_app.services.platform.live",
            "reserve_app.domain.errors"} <= set(graph)
    assert "reserve_app.services.accounts.auth" in graph["reserve_app.state.kit.runtime"]


def test_the_walk_counts_imports_inside_functions(tmp_path: Path) -> None:
    pkg = tmp_path / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("from . import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from reserve_app.sub.a import x\n")
    (pkg / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n")
    graph = import_graph(tmp_path)
    assert graph["reserve_app.sub.c"] == set()
    assert find_cycles(graph) == [["reserve_app.sub.a", "reserve_app.sub.b",
                                   "reserve_app.sub.a"]]


def test_reserve_app_has_no_import_cycle() -> None:
    cycles = find_cycles(import_graph(ROOT))
    assert cycles == [], "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_layers_below_state_never_import_it() -> None:
    """services, models and domain reach the Reflex layers only through hooks registered at
    start-up (e.g. services.live.add_listener, used by state.live_dispatcher)."""
    upper = ("reserve_app.state", "reserve_app.pages", "reserve_app.components",
             "reserve_app.reserve_app")
    lower = ("reserve_app.services", "reserve_app.models", "reserve_app.domain")
    graph = import_graph(ROOT)
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items() if m.startswith(lower)
                   for t in targets if t.startswith(upper))
    assert wrong == [], "\n".join(wrong)

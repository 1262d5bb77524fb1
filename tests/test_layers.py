"""The layers point one way: core modules never import front ends or eval code, and nothing imports in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from rag.resources import PROJECT_ROOT

PACKAGES = ("rag", "ui", "eval", "bench")
FRONT_ENDS = {"rag.cli", "rag.api", "rag.server"}  # the only rag modules that may import ui/ or eval/


def _module(path: Path) -> str:
    rel = path.relative_to(PROJECT_ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _graph() -> dict[str, set[str]]:
    """Every import (module level and inside functions) between the project's own modules."""
    files = [p for pkg in PACKAGES for p in (PROJECT_ROOT / pkg).rglob("*.py")]
    modules = {_module(p) for p in files}
    graph: dict[str, set[str]] = {}
    for path in files:
        name = _module(path)
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from rag import prompts` imports the submodule rag.prompts when there is one.
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]  # fmt: skip
            for t in targets:
                while t and t not in modules:
                    t = t.rpartition(".")[0]
                if t and t != name and not name.startswith(t + "."):  # a package's own parent is implicit
                    edges.add(t)
    return graph


def test_core_modules_import_neither_eval_nor_ui() -> None:
    bad = [
        f"{m} imports {t}"
        for m, targets in _graph().items()
        if m.startswith("rag") and m not in FRONT_ENDS
        for t in targets
        if t.split(".")[0] in ("eval", "ui", "bench", "tests")
    ]
    assert not bad, bad


def test_bench_and_eval_import_no_test_code() -> None:
    for pkg in ("bench", "eval", "rag", "ui"):
        for path in (PROJECT_ROOT / pkg).rglob("*.py"):
            text = path.read_text("utf-8")
            assert "from tests" not in text and "import tests" not in text, path


def test_no_import_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles

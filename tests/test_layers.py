"""The package's floor plan, checked from its own imports (every import, also inside functions).

The parts of clm (its sub-packages and the few loose modules) import one way
only, from the command line down to the state; no part imports one above it,
and no modules import each other in a circle, between parts or inside one.
SQL is written in clm/state/ only, and the command-line modules stay small.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import clm

PACKAGE = Path(clm.__file__).parent

# Lowest first: a part may import itself and the parts before it, never one after it.
LAYERS = [
    {"clm", "errors", "paths", "encoding", "templates", "languages", "system"},
    {"state"},
    {"downloads"},
    {"remote"},
    {"spec"},
    {"diagrams"},
    {"course"},
    {"plan"},
    {"deck"},
    {"workers"},
    {"execute"},
    {"session"},
    {"leaks"},
    {"tasks"},
    {"watch"},
    {"serve"},
    {"scaffold"},
    {"cli"},
    {"dodo", "__main__"},
]
LOOSE_ALLOWED = 3  # modules directly in clm/ besides __init__, __main__ and dodo
CLI_MODULE_LINES = 300
SQL = re.compile(
    r"^\s*(select\s.+\sfrom\s|insert\s+(or\s+\w+\s+)?into\s|update\s+\w+\s+set\s|"
    r"delete\s+from\s|create\s+(table|index)|begin(\s+immediate)?$|commit$|rollback$|pragma\s)",
    re.IGNORECASE | re.DOTALL,
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "scaffold" and path.name != "__init__.py":
            continue  # the files `clm init` copies into a new course, not modules of clm
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The clm module an imported name refers to (a module, or the module holding it)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # ``from clm.cli import inspect`` imports the module clm.cli.inspect; a name
            # that is no module comes from the package or module ``base`` itself.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        for name in names:
            target = _resolve(name) if name.startswith("clm") else None
            if target and target != module:
                found.add(target)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "clm"


def _layer(name: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if name in layer)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in ``graph`` as a list of its nodes, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_part_has_a_layer():
    assert {part(module) for module in MODULES} <= set().union(*LAYERS)


def test_parts_import_only_parts_below_them():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(part(target)) > _layer(part(module))
    )
    assert upward == []


def test_no_import_cycle_between_parts():
    parts: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        parts.setdefault(part(module), set()).update(
            part(target) for target in targets if part(target) != part(module)
        )
    assert _cycle(parts) is None


def test_no_import_cycle_inside_a_part():
    for name in {part(module) for module in MODULES}:
        inside = {
            module: {target for target in targets if part(target) == name}
            for module, targets in GRAPH.items()
            if part(module) == name
        }
        # A package's __init__ that only gathers its modules is not a cycle.
        cycle = _cycle(inside)
        assert cycle is None, f"{name}: {' -> '.join(cycle)}"


def test_sql_is_written_in_the_state_part_only():
    found = []
    for module, path in MODULES.items():
        if part(module) == "state":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and SQL.match(text):
                found.append(f"{module}:{node.lineno}: {text.strip()[:40]}")
    assert found == []


def test_few_modules_are_loose_in_the_package():
    loose = sorted(
        path.stem
        for path in PACKAGE.glob("*.py")
        if path.stem not in ("__init__", "__main__", "dodo")
    )
    assert len(loose) <= LOOSE_ALLOWED, loose


def test_command_line_modules_are_small():
    long = {
        path.name: lines
        for path in (PACKAGE / "cli").glob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > CLI_MODULE_LINES
    }
    assert long == {}


def test_the_checks_see_a_cycle_and_an_upward_import():
    """The checks themselves can fail: a planted cycle and a planted upward import."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert _layer(part("clm.state.db")) < _layer(part("clm.tasks.generator"))
    assert SQL.match("insert or replace into meta values (?, ?)")
    assert not SQL.match("delete every output clm wrote for a spec")

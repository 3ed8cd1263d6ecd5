"""State held by the process instead of passed: none outside the process's plumbing.

A module-level container that the module's own functions fill, a ``global``
statement, an ``import sqlite3`` outside clm/state/ and a second definition of
a state path all hide an input from every signature, and reach a worker only if
it was forked. What is left is listed below: the deliberate registries, each
with its reason (per process, keyed so that a forked child never uses its
parent's), and lists of today's others, empty now. A new one fails here, and so
does a listed one that is gone (take it off the list, so that it cannot come
back unnoticed).
"""

from __future__ import annotations

import ast
from pathlib import Path

import clm

PACKAGE = Path(clm.__file__).parent

# Registries that stay, and why.
DELIBERATE_REGISTRIES = {
    # The one connection registry: an open SQLite file per process (keyed by the
    # process id, so a forked child opens its own), not a value a worker inherits.
    ("state/db.py", "_connections"),
    # The kernel pools of a Dask worker's threads: Dask starts that process and runs
    # each notebook in a thread of its own, passing clm nothing to keep between tasks.
    # Keyed by thread (a kernel stays with the thread that booted it) and by process
    # (a forked child never uses its parent's kernels); clm's own workers are given
    # their pool (clm.session.worker.JobContext).
    ("execute/cluster.py", "_thread_pools"),
    ("execute/cluster.py", "_every_pool"),  # the same pools by process, to release spares
    # Playwright's sync API refuses a second driver in a thread: the draw.io renderers
    # of a thread share one, per thread and process (a forked child must not talk to
    # its parent's); each renderer is owned by whoever made it, and the last one to
    # close stops the driver.
    ("diagrams/drawio.py", "_drivers"),
    # The build locks this process holds: an flock belongs to an open file, which fork
    # duplicates. Keyed by process, a forked child neither takes its parent's lock for
    # its own nor releases it, and closes its copies (forget_inherited).
    ("state/lock.py", "_held"),
}
# (module, name) of the registries that exist today.
KNOWN_REGISTRIES: set[tuple[str, str]] = set()
# (module, names) of today's `global` statements.
KNOWN_GLOBALS: set[tuple[str, str]] = set()
# Modules outside clm/state/ that import sqlite3 today.
KNOWN_SQLITE_IMPORTS: set[str] = set()
# The files of the state folder: named by clm.state.workspace, and nowhere else.
STATE_FILE_NAMES = ("state.sqlite", "cache.sqlite", "tasks.lock")
# Modules outside clm/state/ that spell a path under .clm/ themselves today.
KNOWN_CLM_FOLDER_SPELLINGS: set[str] = set()

MUTATING_METHODS = {
    "append",
    "add",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "clear",
    "extend",
    "insert",
    "remove",
    "discard",
}
MUTABLE_CALLS = {
    "dict",
    "list",
    "set",
    "defaultdict",
    "OrderedDict",
    "WeakSet",
    "WeakValueDictionary",
    "local",  # threading.local(): one registry per thread
}


def _sources() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "scaffold" and path.name != "__init__.py":
            continue  # files `clm init` copies into a course, not modules of clm
        found[path.relative_to(PACKAGE).as_posix()] = ast.parse(path.read_text(), str(path))
    return found


def _mutable_value(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp):
        return True
    if isinstance(value, ast.Call):
        called = value.func
        name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        return name in MUTABLE_CALLS
    return False


def _module_containers(tree: ast.Module) -> set[str]:
    """Names the module binds, at its top level, to a new mutable container."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and _mutable_value(node.value):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names |= {node.target.id} if _mutable_value(node.value) else set()
    return names


def _filled_in_functions(tree: ast.Module, names: set[str]) -> set[str]:
    """Those of ``names`` that a function of the module changes (an item set or a
    mutating method called): a registry, not a constant table."""
    filled = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                targets = (
                    node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
                )
                for t in targets:
                    for item in t.elts if isinstance(t, ast.Tuple) else [t]:
                        holder = (
                            item.value if isinstance(item, ast.Subscript | ast.Attribute) else None
                        )
                        if isinstance(holder, ast.Name) and holder.id in names:
                            filled.add(holder.id)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                mutates = node.func.attr in MUTATING_METHODS
                if mutates and isinstance(owner, ast.Name) and owner.id in names:
                    filled.add(owner.id)
    return filled


def registries(sources: dict[str, ast.Module]) -> set[tuple[str, str]]:
    found = set()
    for module, tree in sources.items():
        containers = _module_containers(tree)
        found |= {(module, name) for name in _filled_in_functions(tree, containers)}
    return found


def globals_declared(sources: dict[str, ast.Module]) -> set[tuple[str, str]]:
    return {
        (module, name)
        for module, tree in sources.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Global)
        for name in node.names
    }


def sqlite_imports(sources: dict[str, ast.Module]) -> set[str]:
    found = set()
    for module, tree in sources.items():
        if module.startswith("state/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported = {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported = {node.module or ""}
            else:
                continue
            if "sqlite3" in imported:
                found.add(module)
    return found


def _strings(tree: ast.Module) -> list[str]:
    """The string constants of a module's code (docstrings and other bare strings left out)."""
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare
    ]


def state_path_definitions(sources: dict[str, ast.Module]) -> dict[str, list[str]]:
    """The modules naming each file of the state folder in their code."""
    defined: dict[str, list[str]] = {}
    for module, tree in sources.items():
        strings = _strings(tree)
        for name in STATE_FILE_NAMES:
            if any(name in string for string in strings):
                defined.setdefault(name, []).append(module)
    return defined


def clm_folder_spellings(sources: dict[str, ast.Module]) -> set[str]:
    """Modules outside clm/state/ with a string naming .clm/ or a path below it."""
    return {
        module
        for module, tree in sources.items()
        if not module.startswith("state/")
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value == ".clm" or node.value.startswith(".clm/"))
    }


SOURCES = _sources()
# The process's own plumbing lives here: the session of its build, its worker's
# lifetime. Process-wide state is allowed in these folders, and nowhere else.
PLUMBING = ("session/", "workers/")


def _outside_plumbing(found: set[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(module, name) for module, name in found if not module.startswith(PLUMBING)}


def new_registries(sources: dict[str, ast.Module]) -> set[tuple[str, str]]:
    """Registries outside the plumbing that are neither listed nor deliberate."""
    return _outside_plumbing(registries(sources)) - KNOWN_REGISTRIES - DELIBERATE_REGISTRIES


def new_globals(sources: dict[str, ast.Module]) -> set[tuple[str, str]]:
    return _outside_plumbing(globals_declared(sources)) - KNOWN_GLOBALS


def test_no_new_module_level_registry():
    found = _outside_plumbing(registries(SOURCES))
    assert new_registries(SOURCES) == set(), "pass this state, do not keep it in the module"
    assert found >= DELIBERATE_REGISTRIES
    assert KNOWN_REGISTRIES - found == set(), "gone: take it off KNOWN_REGISTRIES"


def test_no_new_global_statement():
    found = _outside_plumbing(globals_declared(SOURCES))
    assert new_globals(SOURCES) == set(), "pass this state, do not rebind a module global"
    assert KNOWN_GLOBALS - found == set(), "gone: take it off KNOWN_GLOBALS"


def test_a_new_registry_or_global_fails_outside_the_plumbing_only():
    module = ast.parse(
        "_seen = {}\n"
        "_count = 0\n"
        "def note(key):\n"
        "    global _count\n"
        "    _count += 1\n"
        "    _seen[key] = _count\n"
    )
    sources = {**SOURCES, "execute/added.py": module, "workers/added.py": module}
    assert new_registries(sources) == {("execute/added.py", "_seen")}
    assert new_globals(sources) == {("execute/added.py", "_count")}


def test_sqlite_is_imported_in_the_state_part_only():
    found = sqlite_imports(SOURCES)
    assert found - KNOWN_SQLITE_IMPORTS == set()
    assert KNOWN_SQLITE_IMPORTS - found == set(), "gone: take it off KNOWN_SQLITE_IMPORTS"


def test_each_state_path_is_defined_once():
    defined = state_path_definitions(SOURCES)
    assert defined == {name: ["state/workspace.py"] for name in STATE_FILE_NAMES}


def test_paths_under_the_state_folder_are_spelled_in_the_state_part_only():
    found = clm_folder_spellings(SOURCES)
    assert found - KNOWN_CLM_FOLDER_SPELLINGS == set(), "ask clm.state for the path"
    assert KNOWN_CLM_FOLDER_SPELLINGS - found == set(), "gone: take it off the list"


def test_the_checks_see_what_they_look_for():
    module = ast.parse(
        "import sqlite3\n"
        "import threading\n"
        "_seen = {}\n"
        "_per_thread = threading.local()\n"
        "TABLE = {'a': 1}\n"
        "_count = 0\n"
        "STATE_PATH = '.clm/state.sqlite'\n"
        "'a docstring-like string naming cache.sqlite'\n"
        "def note(key):\n"
        "    global _count\n"
        "    _count += 1\n"
        "    _seen[key] = TABLE['a']\n"
        "    _per_thread.key = key\n"
    )
    sources = {"cli/fake.py": module, "state/fake.py": module}
    assert registries(sources) == {
        (module, name) for module in sources for name in ("_seen", "_per_thread")
    }
    assert globals_declared(sources) == {("cli/fake.py", "_count"), ("state/fake.py", "_count")}
    assert sqlite_imports(sources) == {"cli/fake.py"}
    assert state_path_definitions(sources) == {"state.sqlite": ["cli/fake.py", "state/fake.py"]}
    assert clm_folder_spellings(sources) == {"cli/fake.py"}

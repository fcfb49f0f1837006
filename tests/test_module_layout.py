"""The shape of the code: the core imports no app, and no modules import each other in a ring.

Read from the source (every import statement, those inside functions too), so
an import hidden in a function to dodge a cycle at load time still counts.
Migrations and tests are left out: they are not part of the running code's shape.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = "moonflow"
APPS = ("advisers", "clients", "portfolios", "interactions", "followups", "transfers", "demo")
PACKAGES = (CORE, *APPS)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        base = ROOT / package
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports (a package's name stands for its __init__)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            candidates = [f"{stem}.{alias.name}" for alias in node.names] + [stem]
        else:
            continue
        for candidate in candidates:
            # The longest known module the name denotes (a name imported from a module
            # is that module).
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _rings(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, rings = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                # A package and its own __init__'s submodules importing each other is
                # how a package re-exports: only rings across modules count.
                if len(group) > 1:
                    rings.append(sorted(group))
    return rings


def test_the_core_imports_no_app():
    graph = _graph()
    leaks = sorted(
        f"{module} → {target}"
        for module, targets in graph.items()
        if module.split(".")[0] == CORE
        for target in targets
        if target.split(".")[0] in APPS
    )
    assert not leaks, f"moonflow/ must not import an app: {leaks}"


def test_apps_depend_one_way():
    """Interactions read clients (visibility, selectors), never the reverse: the client page
    takes its interactions panel from an interactions view."""
    graph = _graph()
    back = sorted(f"{module} → {target}" for module, targets in graph.items()
                  if module.split(".")[0] == "clients"
                  for target in targets if target.split(".")[0] == "interactions")
    assert not back, f"clients/ must not import interactions/: {back}"


def test_no_modules_import_each_other_in_a_ring():
    rings = _rings(_graph())
    assert not rings, f"Import cycles: {rings}"


def test_the_checks_see_a_ring_and_a_leak():
    """The detector itself: a ring of three is found, a chain is not."""
    assert _rings({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _rings({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    graph = _graph()
    assert "clients.models" in graph["clients.lists"] or any(
        t.startswith("clients.") for t in graph["clients.lists"]
    )

"""The layers of DESIGN.md as a contract over the import graph; ``make lint`` runs it.

The graph is read from the source with ``ast`` (nothing is imported), every import
counted, also those inside functions; imports under ``if TYPE_CHECKING:`` are counted
too, except that a domain package may name the service layer's types that way.

- Imports point down only: command line -> assembly -> HTTP interfaces -> what those
  share -> service -> domain -> foundation.
- The interfaces (``cli``, ``api``, ``web``) never import each other: ``server`` mounts
  the API and the pages on one app, and the command line serves that.
- Foundation (``store``, ``model``, ``config``, ``errors``) imports foundation only.
- No import cycles: neither between modules nor between the packages of one layer.
- Every module is placed in a layer: a new package is added to ``LAYERS``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "casegraph"

DOMAIN = (
    "access", "audit", "cases", "documents", "export", "federation", "graph", "ingest",
    "leads", "reports", "resolve", "search", "subjects",
)  # fmt: skip
# top to bottom; a group is a top-level module or package of casegraph ("" is the
# package's own __init__: the version)
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("command line", ("cli",)),
    ("assembly", ("server",)),
    ("HTTP interfaces", ("api", "web")),
    ("HTTP shared", ("http",)),
    ("service", ("service", "services", "demo", "demo_case")),
    ("domain", DOMAIN),
    ("foundation", ("config", "errors", "model", "store", "")),
)
INDEPENDENT = frozenset({"cli", "api", "web"})  # interfaces never import each other
RANK = {group: rank for rank, (_, groups) in enumerate(LAYERS) for group in groups}
LAYER = {group: name for name, groups in LAYERS for group in groups}


@dataclass(frozen=True)
class Import:
    importer: str  # module: casegraph.store.graph_store
    imported: str  # the module it names (a name imported from a package: the package)
    path: Path
    line: int
    typing_only: bool  # under ``if TYPE_CHECKING:``


def modules(src: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(src.rglob("*.py")):
        parts = ("casegraph", *path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, known: Mapping[str, Path]
) -> list[str]:
    """The modules an import names: ``from package import name`` names the module
    ``package.name`` when there is one, else ``package``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: from the module's package, one level up per extra dot
        package = known[module].name == "__init__.py"
        parts = module.split(".") if package else module.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    named = (f"{base}.{alias.name}" for alias in node.names)
    return list(dict.fromkeys(name if name in known else base for name in named))


def imports(src: Path) -> list[Import]:
    known = modules(src)
    found: list[Import] = []

    def resolve(name: str) -> str | None:
        while name not in known and "." in name:
            name = name.rsplit(".", 1)[0]
        return name if name in known else None

    def visit(node: ast.AST, module: str, path: Path, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child.test):
                for inner in child.body:
                    visit_one(inner, module, path, True)
                for inner in child.orelse:
                    visit_one(inner, module, path, typing_only)
            else:
                visit_one(child, module, path, typing_only)

    def visit_one(node: ast.AST, module: str, path: Path, typing_only: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _targets(node, module, known):
                target = resolve(name)
                if target is not None and target != module:
                    found.append(Import(module, target, path, node.lineno, typing_only))
        else:
            visit(node, module, path, typing_only)

    for module, path in known.items():
        visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), module, path, False)
    return found


def group(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _where(imp: Import, src: Path) -> str:
    return f"{imp.path.relative_to(src.parent)}:{imp.line}"


def _label(name: str) -> str:
    return f"casegraph.{name}" if name else "casegraph"


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One shortest cycle through each strongly connected part of ``graph``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    parts: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part: set[str] = set()
            while True:
                top = stack.pop()
                on_stack.discard(top)
                part.add(top)
                if top == node:
                    break
            if len(part) > 1:
                parts.append(part)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    found = []
    for part in parts:
        start = min(part)
        paths = {start: [start]}
        queue = [start]
        while queue:  # breadth first, inside the part, back to the start
            node = queue.pop(0)
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.append([*paths[node], start])
                    queue = []
                    break
                if nxt in part and nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    queue.append(nxt)
    return sorted(found)


def violations(src: Path = SRC) -> list[str]:
    problems = [
        f"{path.relative_to(src.parent)}: {_label(group(module))} is in no layer: "
        "place it in LAYERS (tests/test_layers.py) and in DESIGN.md"
        for module, path in modules(src).items()
        if group(module) not in RANK
    ]
    graph: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, set[str]] = defaultdict(set)
    for imp in imports(src):
        a, b = group(imp.importer), group(imp.imported)
        if a not in RANK or b not in RANK:
            continue
        if not imp.typing_only:
            graph[imp.importer].add(imp.imported)
            if a != b:
                groups[a].add(b)
        if a == b:
            continue
        what = f"{_where(imp, src)}: {_label(a)} ({LAYER[a]}) imports {imp.imported}"
        if a in INDEPENDENT and b in INDEPENDENT:
            problems.append(f"{what}: the interfaces never import each other")
        elif RANK[b] < RANK[a]:
            type_only_ok = LAYER[a] == "domain" and LAYER[b] == "service" and imp.typing_only
            if not type_only_ok:
                problems.append(f"{what} ({LAYER[b]}): imports point down only")
    for cycle in cycles(graph):
        problems.append("import cycle: " + " -> ".join(cycle))
    for cycle in cycles(groups):
        problems.append("cycle between packages: " + " -> ".join(map(_label, cycle)))
    return problems


def test_the_layers_hold() -> None:
    problems = violations()
    assert not problems, "the layers of DESIGN.md are broken:\n" + "\n".join(problems)


def test_the_contract_sees_each_kind_of_violation(tmp_path: Path) -> None:
    files = {
        "__init__.py": "",
        "store/__init__.py": "",
        "store/index.py": "from casegraph.search import text\n",
        "search/__init__.py": "from . import text\n",
        "search/text.py": "import casegraph.resolve.standardise\n",
        "resolve/__init__.py": "",
        "resolve/standardise.py": "from casegraph.search.text import tokens\n",
        "api/__init__.py": "",
        "api/app.py": "def create():\n    from casegraph.web import app\n",
        "web/__init__.py": "",
        "web/app.py": "",
        "service.py": "from casegraph import search\n",
        "cases/__init__.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from casegraph.service import Session\n"
        ),
        "graph/__init__.py": "from casegraph.service import Session\n",
        "cli/__init__.py": "from casegraph.cli import graph\n",
        "cli/graph.py": "from casegraph.cli import app\n",
        "gadgets.py": "",
    }
    for name, text in files.items():
        path = tmp_path / "casegraph" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = "\n".join(violations(tmp_path / "casegraph"))
    expected = [
        "casegraph/gadgets.py: casegraph.gadgets is in no layer",
        "casegraph/store/index.py:1: casegraph.store (foundation) imports casegraph.search.text "
        "(domain): imports point down only",
        "casegraph/api/app.py:2: casegraph.api (HTTP interfaces) imports casegraph.web.app: "
        "the interfaces never import each other",
        "casegraph/graph/__init__.py:1: casegraph.graph (domain) imports casegraph.service "
        "(service): imports point down only",
        "import cycle: casegraph.cli -> casegraph.cli.graph -> casegraph.cli",
        "import cycle: casegraph.resolve.standardise -> casegraph.search.text -> "
        "casegraph.resolve.standardise",
        "cycle between packages: casegraph.resolve -> casegraph.search -> casegraph.resolve",
    ]
    for line in expected:
        assert line in found
    assert "casegraph/cases" not in found  # a domain names the service's types: allowed
    assert len(found.splitlines()) == len(expected)

"""The package's layers point one way, with no import cycles, read from the source's imports.

Bottom to top: configuration, errors, vocabulary, formats, the version cache and the clock; ``graph``
(data to published store); ``query`` (answering SPARQL); ``service`` (what the site says,
framework-free); ``web`` (the Flask app); ``server`` and ``cli``. A module may import from
its own layer and those below it, never from above; Flask only in ``web`` and on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kosru_kg

PACKAGE = Path(kosru_kg.__file__).resolve().parent
LAYERS = {  # first part of the module name under kosru_kg -> layer
    "__init__": 0, "catalogs": 0, "config": 0, "errors": 0, "vocab": 0, "formats": 0, "version_cache": 0, "clock": 0,
    "graph": 1, "query": 2, "service": 3, "web": 4, "server": 5, "cli": 5, "__main__": 5,
}
FRAMEWORKS = {"flask", "granian", "click", "jinja2"}  # allowed only in web and on top (click: the CLI only)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def imports(path: Path) -> tuple[set[str], set[str]]:
    """The package's modules and the outside top-level packages that ``path`` imports (lazily too)."""
    own, outside = set(), set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base for alias in node.names]
        else:
            continue
        for name in names:
            (own if name.split(".")[0] == "kosru_kg" else outside).add(name if name.startswith("kosru_kg") else name.split(".")[0])
    return own, outside


MODULES = {module_name(path): imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def layer(name: str) -> int:
    first = name.split(".")[1] if "." in name else "__init__"
    return LAYERS[first]


def test_every_module_belongs_to_a_layer():
    assert all(layer(name) is not None for name in MODULES)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_from_a_layer_above_it(name):
    own, _ = MODULES[name]
    above = sorted(target for target in own if layer(target) > layer(name))
    assert not above, f"{name} (layer {layer(name)}) imports from above: {above}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_frameworks_only_in_the_web_layer_and_above(name):
    _, outside = MODULES[name]
    if layer(name) < LAYERS["web"]:
        assert not outside & FRAMEWORKS, f"{name} imports {sorted(outside & FRAMEWORKS)}"


def test_no_import_cycles():
    graph = {name: {t for t in own if t in MODULES and t != name} for name, (own, _) in MODULES.items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    assert not cycles, f"import cycles: {cycles}"


def test_only_vocab_spells_the_default_base():
    """Resource IRIs follow KOSRU_BASE_IRI: no source, template or question spells the default base
    (the ontology's namespace, a fixed vocabulary IRI, is not the base)."""
    from kosru_kg.vocab import DEFAULT_BASE, ONTOLOGY_IRI  # noqa: PLC0415

    project = PACKAGE.parents[1]
    files = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html"), *(project / "queries").glob("*.rq")]
    spelled = [str(path.relative_to(project)) for path in files
               if path != PACKAGE / "vocab.py" and DEFAULT_BASE in path.read_text(encoding="utf-8").replace(ONTOLOGY_IRI, "")]
    assert spelled == []

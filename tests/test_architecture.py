"""ssot-lint's own layers, as an import-linter layers contract states them: a few named layers, each
importing only the layers below it.

Checked with ssot-lint's own fact extraction: every import that runs (not under TYPE_CHECKING) from
one of our modules to another must stay in its layer or go down. A module belongs to the layer of
the longest prefix that names it (`ssot_lint.fixes.loop` is a command, the rest of `ssot_lint.fixes`
is not).
"""

from __future__ import annotations

from typing import Dict, Iterator, Tuple

import pytest

from helpers import REPO
from ssot_lint.analysis.graph import absolute_module
from ssot_lint.facts.extract import extract_facts
from ssot_lint.facts.model import BindingKind

# Top to bottom. What each layer owns is in its package's docstring.
LAYERS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    # entry: check's fast path, then cli; the pytest plugin, another way in
    ("cli", ("ssot_lint.__main__", "ssot_lint.entry", "ssot_lint.cli", "ssot_lint.pytest_plugin")),
    ("commands", ("ssot_lint.commands", "ssot_lint.fixes.loop")),  # report, history, init, ...; check --fix
    ("engine", ("ssot_lint.engine",)),  # one run: build the project, run the rules, suppress, reuse
    ("rules", ("ssot_lint.rules", "ssot_lint.rule")),  # the rules, and what a rule and a violation are
    ("runtime", ("ssot_lint.runtime",)),  # verify's claims, the probe in the project's interpreter, verdicts
    ("fixes", ("ssot_lint.fixes",)),  # the edits a rule attaches, and their application with LibCST
    ("analysis", ("ssot_lint.analysis",)),  # the graph, resolution, canonicals and the queries rules ask
    ("files", ("ssot_lint.files",)),  # discovery, the text search, the cache, the parallel reader
    ("facts", ("ssot_lint.facts",)),  # what one file says, and its two readers
    ("base", ("ssot_lint.config", "ssot_lint.atomic", "ssot_lint.parallel", "ssot_lint")),
)

# Within `facts`, the LibCST reader is only imported when CPython cannot parse a file (it costs 0.2 s).
LAZY = {("ssot_lint.facts.extract", "ssot_lint.facts.read_cst")}


def layer_of(module: str) -> Tuple[int, str]:
    best: Tuple[int, int, str] = (-1, 0, "")
    for index, (name, members) in enumerate(LAYERS):
        for member in members:
            if (module == member or module.startswith(member + ".")) and len(member) > best[0]:
                best = (len(member), index, name)
    if best[0] < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS")
    return best[1], best[2]


def our_modules() -> Iterator[Tuple[str, object, bool]]:
    for root, package in ((REPO / "ssot_lint", "ssot_lint"), (REPO / "rules", "ssot_lint.rules")):
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            yield ".".join((package, *(parts[:-1] if is_package else parts))), path, is_package


def imports_of(module: str, path, is_package: bool) -> Iterator[Tuple[str, object]]:
    """The ssot_lint modules a module imports at runtime, with the binding that imports each."""
    facts = extract_facts(path.read_bytes())
    assert facts.parse_error is None
    for binding in facts.bindings:
        if not binding.is_import or binding.context.type_checking:
            continue
        target = binding.module if binding.kind is BindingKind.IMPORT_MODULE else \
            absolute_module(module, is_package, binding.level, binding.module)
        if target and (target == "ssot_lint" or target.startswith("ssot_lint.")):
            yield target, binding


@pytest.mark.parametrize("module, path, is_package", list(our_modules()), ids=lambda v: str(v))
def test_imports_only_go_down(module, path, is_package):
    here, here_name = layer_of(module)
    for target, binding in imports_of(module, path, is_package):
        there, there_name = layer_of(target)
        if (module, target) in LAZY:
            assert binding.context.in_function, "the LibCST reader is imported lazily, inside the function using it"
            continue
        assert there >= here, (f"{path.name}:{binding.span.line}: {module} ({here_name}) imports {target} "
                               f"({there_name}), a layer above it")


def test_the_layers_are_few_and_every_module_has_one():
    modules = [module for module, _, _ in our_modules()]
    used: Dict[str, int] = {}
    for module in modules:
        name = layer_of(module)[1]
        used[name] = used.get(name, 0) + 1
    assert set(used) == {name for name, _ in LAYERS}, "a layer with no module in it"
    assert len(LAYERS) <= 10

"""The pipeline's stages depend only downward (cli -> output -> engine -> rules -> ... -> config).

Checked with ssot-lint's own fact extraction: every import that runs (not under
TYPE_CHECKING) from one of our modules to another must go to a lower layer.
Modules in one layer separated by `|` must not import each other.
"""

from __future__ import annotations

import pytest

from helpers import REPO
from ssot_lint.facts import BindingKind, extract_facts
from ssot_lint.graph import absolute_module

# The one deliberate upward import: LibCST reads what the running Python cannot, and is imported
# only then (importing it costs 0.2 s).
ALLOWED_UPWARD = {("ssot_lint.facts", "ssot_lint.facts_cst")}

LAYERS = [
    "ssot_lint.__main__",
    "ssot_lint.cli",
    "ssot_lint.history | ssot_lint.autofix",
    "ssot_lint.output | ssot_lint.report",
    "ssot_lint.engine",
    "ssot_lint.reuse",
    "ssot_lint.prefilter | ssot_lint.rules | ssot_lint.shim_graph | ssot_lint.starter | ssot_lint.baseline"
    " | ssot_lint.fixer",
    "ssot_lint.survey",
    "ssot_lint.rule",
    "ssot_lint.fix",
    "ssot_lint.project",
    "ssot_lint.resolve",
    "ssot_lint.graph",
    "ssot_lint.sources",
    "ssot_lint.cache | ssot_lint.textscan",
    "ssot_lint.discovery | ssot_lint.facts_cst",
    "ssot_lint.facts",
    "ssot_lint.config",
    "ssot_lint.atomic | ssot_lint.parallel",
    "ssot_lint",
]


def layer_of(module: str):
    for index, layer in enumerate(LAYERS):
        for member in layer.split(" | "):
            if module == member or (member == "ssot_lint.rules" and module.startswith("ssot_lint.rules.")):
                return index, member
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def our_modules():
    for path in sorted((REPO / "ssot_lint").glob("*.py")):
        name = "ssot_lint" if path.stem == "__init__" else f"ssot_lint.{path.stem}"
        yield name, path, path.stem == "__init__"
    for path in sorted((REPO / "rules").glob("*.py")):
        name = "ssot_lint.rules" if path.stem == "__init__" else f"ssot_lint.rules.{path.stem}"
        yield name, path, path.stem == "__init__"


@pytest.mark.parametrize("module, path, is_package", list(our_modules()), ids=lambda v: str(v))
def test_imports_only_go_down(module, path, is_package):
    facts = extract_facts(path.read_bytes())
    assert facts.parse_error is None
    here, here_member = layer_of(module)
    for binding in facts.bindings:
        if not binding.is_import or binding.context.type_checking:
            continue
        target = binding.module if binding.kind is BindingKind.IMPORT_MODULE else \
            absolute_module(module, is_package, binding.level, binding.module)
        if not target or not (target == "ssot_lint" or target.startswith("ssot_lint.")):
            continue
        there, there_member = layer_of(target)
        if there_member == here_member:
            continue  # within one layer (a rule module importing the rules package is not done, but allowed)
        if (module, target) in ALLOWED_UPWARD:
            assert binding.context.in_function, "the fallback is imported lazily, inside the function using it"
            continue
        assert there > here, f"{path.name}:{binding.span.line} imports {target}: an upward or sideways import"


def test_every_module_has_a_layer():
    for module, _, _ in our_modules():
        layer_of(module)

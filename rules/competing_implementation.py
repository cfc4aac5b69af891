from __future__ import annotations

from typing import Iterator, List

from ssot_lint.facts.model import BindingKind
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class CompetingImplementation(Rule):
    """
    ## What it does
    Finds a class or function named like a canonical symbol (its exact name, or
    one of its `lookalikes` patterns) defined outside the canonical module: a
    second implementation. That includes fallback classes in `except ImportError`
    branches and test doubles. It also finds the canonical's name bound to a
    different object (`from x import Other as ExecutionEngineFactory`).

    Pytest test classes (`Test...`) are not implementations, and classes and
    functions that stand in for the canonical by subclassing or calling it are
    reported as wrappers (SSOT004), as are the imports of them.

    ## Why is this bad?
    Two implementations drift apart: bugs fixed in one stay in the other, and
    which one a caller gets depends on its import path, or on whether an import
    happened to fail at start-up.

    ## Example
    ```python
    try:
        from app.factory import EngineFactory
    except ImportError:
        class EngineFactory:  # a fallback that silently replaces the real one
            ...
    ```

    ## How to fix
    Delete the second implementation and import the canonical symbol. For test
    doubles, use a shared fixture under a path listed in `allow`.

    ## Fix safety
    No automatic fix: which implementation's behaviour the callers need, and what the
    second one adds, is for a person to decide.
    """

    code = "SSOT001"
    name = "competing-implementation"
    summary = "A second implementation of a canonical symbol"

    VALID = (
        Example("from app.factory import EngineFactory\n\nfactory_type = EngineFactory\n"),
        Example("import unittest\n\n\nclass TestEngineFactory(unittest.TestCase):\n    pass\n"),
        Example("class MessageHandlerFactory:\n    pass\n"),
    )
    INVALID = (
        Example("class EngineFactory:\n    pass\n", lines=(1,),
                messages=(
                    "class EngineFactory is a second implementation of EngineFactory; import EngineFactory "
                    "from app.factory instead",
                )),
        Example("def RequestEngineFactory():\n    return None\n", lines=(1,),
                messages=(
                    "function RequestEngineFactory is a second implementation of EngineFactory; import "
                    "EngineFactory from app.factory instead",
                )),
        Example(
            "try:\n    from app.gone import EngineFactory\nexcept ImportError:\n"
            "    class EngineFactory:\n        pass\n",
            lines=(4,),
            messages=(
                "class EngineFactory is a second implementation of EngineFactory (an except ImportError "
                "fallback); import EngineFactory from app.factory instead",
            ),
        ),
        Example(
            "from app.engine import Engine as EngineFactory\n",
            lines=(1,),
            messages=(
                "the name EngineFactory is bound to app.engine.Engine, not to the canonical "
                "app.factory:EngineFactory; import EngineFactory from app.factory instead",
            ),
        ),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            wrappers = project.wrappers(canonical)
            for info in project.modules_outside(canonical):
                advice = f"import {canonical.name} from {canonical.home} instead"
                for cls in info.rule_facts.classes:
                    if not canonical.looks_like(cls.name) or cls.name.startswith("Test"):
                        continue
                    if (info.name, cls.qualname, cls.span.line) in wrappers:
                        continue
                    where = " (an except ImportError fallback)" if cls.context.in_import_fallback else ""
                    yield self.violation(
                        info, cls.span,
                        f"class {cls.qualname} is a second implementation of {canonical.name}{where}; {advice}",
                        subject=Subject(Finding.SECOND_CLASS, cls.qualname), canonical=canonical,
                    )
                for function in info.rule_facts.functions:
                    if function.is_method or not canonical.looks_like(function.name) or \
                            (info.name, function.qualname, function.span.line) in wrappers:
                        continue
                    yield self.violation(
                        info, function.span,
                        f"function {function.qualname} is a second implementation of {canonical.name}; {advice}",
                        subject=Subject(Finding.SECOND_FUNCTION, function.qualname), canonical=canonical,
                    )
                for binding in _imports_and_aliases_named(info, canonical.name):
                    resolution = project.resolve_binding(info, binding)
                    target = resolution.target
                    if resolution.kind is not TargetKind.DEFINITION or target is None \
                            or canonical.is_canonical(resolution) or resolution.definition in wrappers:
                        continue  # (the import of a wrapper is SSOT004's)
                    target_info = project.module(target[0])
                    if target_info is not None and canonical.allows(target_info.file.relpath):
                        continue
                    yield self.violation(
                        info, binding.span,
                        f"the name {canonical.name} is bound to {target[0]}.{target[1]}, "
                        f"not to the canonical {canonical.symbol}; {advice}",
                        subject=Subject(Finding.NAME_BOUND_ELSEWHERE, f"{binding.name} -> {target[0]}.{target[1]}"),
                        canonical=canonical,
                    )


def _imports_and_aliases_named(info, name: str) -> List:
    """The imports and aliases binding `name` in any scope of a module, in source order."""
    return [b for b in info.structure.bindings
            if b.name == name and b.kind in (BindingKind.IMPORT_FROM, BindingKind.ALIAS)]

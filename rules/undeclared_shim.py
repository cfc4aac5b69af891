from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class UndeclaredShim(Rule):
    """
    ## What it does
    Finds a module, not listed in the symbol's `shims`, that re-exports a
    canonical symbol: it lists it in `__all__`, or other modules import it from
    there. A package `__init__` that re-exports it counts too.

    ## Why is this bad?
    A new compatibility layer is growing. Every module that re-exports the
    canonical becomes another path to it, and the migration report cannot track
    a shim nobody declared.

    ## Example
    ```python
    # app/services/exports.py
    from app.factory import EngineFactory

    __all__ = ["EngineFactory"]
    ```

    ## How to fix
    Point the importers at the canonical module and remove the re-export; or,
    while the migration is under way, list the module under `shims` so that
    `ssot-lint report` tracks it.

    ## Fix safety
    No automatic fix: removing a re-export breaks the modules that import through
    it until they are pointed at the canonical module (SSOT002's fix does that, one
    import at a time), and declaring the module a shim is a decision for the team.
    """

    code = "SSOT003"
    name = "undeclared-shim"
    summary = "A module that re-exports a canonical symbol and is not a declared shim"

    VALID = (
        Example("from app.factory import EngineFactory\n\nfactory = EngineFactory\n"),
    )
    INVALID = (
        Example('from app.factory import EngineFactory\n\n__all__ = ["EngineFactory"]\n', lines=(1,),
                messages=(
                    "app.service re-exports EngineFactory (listed in __all__) but is not a declared shim; "
                    "import it from app.factory and remove the re-export, or add the module to `shims`",
                )),
        Example("from app.factory import EngineFactory\n", lines=(1,),
                files={"app/consumer.py": "from app.service import EngineFactory\n"},
                messages=(
                    "app.service re-exports EngineFactory (imported from here by 1 module) but is not a "
                    "declared shim; import it from app.factory and remove the re-export, or add the module to "
                    "`shims`",
                )),
        Example("from app.factory import *\n", lines=(1,),
                files={"app/consumer.py": "from app.service import EngineFactory\n"},
                messages=(
                    "app.service re-exports EngineFactory (imported from here by 1 module) but is not a "
                    "declared shim; also SSOT002: star import from module app.factory brings in "
                    "EngineFactory; import it from app.factory and remove the re-export, or add the module to "
                    "`shims`",
                )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            for module, (binding, importers) in sorted(project.undeclared_shims(canonical).items()):
                info = project.module(module)
                users = f"imported from here by {len(importers)} module{'s' if len(importers) != 1 else ''}" \
                    if importers else "listed in __all__"
                yield self.violation(
                    info, binding.span,
                    f"{module} re-exports {canonical.name} ({users}) but is not a declared shim; "
                    f"import it from {canonical.home} and remove the re-export, or add the module to `shims`",
                    subject=Subject(Finding.UNDECLARED_SHIM, canonical.name), canonical=canonical,
                    chain=(module, canonical.module),
                )

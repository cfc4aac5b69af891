from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class ImportCycle(Rule):
    """
    ## What it does
    Finds an import cycle that goes through a canonical symbol's module, counting
    only imports that run at import time (module level, not under
    `TYPE_CHECKING`). It is reported at the canonical module's import that starts
    the cycle.

    ## Why is this bad?
    In a cycle, which module finishes first depends on which one something else
    imports first: a name can be missing while its module is half-initialised,
    and start-up order races appear only in production.

    ## Example
    ```python
    # app/factory.py
    from app import registry  # app/registry.py imports app.factory
    ```

    ## How to fix
    Break the cycle: import inside the function that needs it, under
    `TYPE_CHECKING` for annotations, or move what both modules share into a
    third module.

    ## Fix safety
    No automatic fix: where to break a cycle depends on what each module needs at
    import time.
    """

    code = "SSOT010"
    name = "import-cycle"
    summary = "A canonical symbol's module sits in an import cycle"

    VALID = (
        Example("from app.factory import EngineFactory\n", path="app/registry.py"),
    )
    INVALID = (
        Example(
            "from app.engine import Engine\nfrom app import registry\n\n\nclass EngineFactory:\n"
            "    def create(self):\n        return Engine()\n",
            path="app/factory.py", lines=(2,),
            files={"app/registry.py": "import app.factory\n"},
            messages=(
                "app.factory is in an import cycle: app.factory -> app.registry -> app.factory; import "
                "inside the function that needs it, or move the shared code to a module both import",
            ),
        ),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            module = canonical.module
            for binding, cycle in project.import_cycles(module):
                yield self.violation(
                    project.module(module), binding.span,
                    f"{module} is in an import cycle: {' -> '.join(cycle)}; import inside the function that "
                    f"needs it, or move the shared code to a module both import",
                    subject=Subject(Finding.IMPORT_CYCLE, " -> ".join(cycle)), canonical=canonical, chain=tuple(cycle),
                )

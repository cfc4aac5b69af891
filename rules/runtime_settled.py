from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Phase, Rule, Severity, Subject, Violation
from ssot_lint.rules.dynamic_shim import DEPRECATION_SHIM
from ssot_lint.runtime.verdicts import Outcome, Verification


class RuntimeSettled(Rule):
    """
    ## What it does
    Run by `ssot-lint verify`, which imports the project in its own interpreter: says what a name that
    cannot be resolved statically (SSOT011: a module-level `__getattr__` hands it out) is once the code
    runs: the canonical object, another one, or nothing.

    ## Why is this bad?
    Such an import is a migration step nobody can see: the canonical behind a deprecation warning, a
    second implementation, or an import that fails when it runs.

    ## Example
    ```python
    from app.compat import EngineFactory  # app.compat's __getattr__ returns app.factory's
    ```

    ## How to fix
    Import the canonical symbol from its canonical module.

    ## Fix safety
    No automatic fix: what the module hands out was seen in one run; `check` reports the import (SSOT011).
    """

    code = "SSOT203"
    name = "runtime-settled"
    phase = Phase.RUNTIME
    severity = Severity.WARNING  # it says what the code does; the import itself is SSOT011's
    summary = "What a name handed out at runtime (SSOT011) turned out to be when the code ran"

    VALID = (Example("from app.factory import EngineFactory\n", files={"app/compat.py": DEPRECATION_SHIM}),)
    INVALID = (
        Example("from app.compat import EngineFactory\n", lines=(1,), files={"app/compat.py": DEPRECATION_SHIM},
                messages=("EngineFactory from app.compat, handed out at runtime, is the canonical "
                          "app.factory:EngineFactory; import EngineFactory from app.factory",)),
        Example("from app.compat import EngineFactory\n", lines=(1,),
                files={"app/compat.py": "def __getattr__(name):\n    raise AttributeError(name)\n"},
                messages=("EngineFactory from app.compat, handed out at runtime, is nothing: the import fails "
                          "when it runs; import EngineFactory from app.factory",)),
    )

    def check_runtime(self, project: Project, verification: Verification) -> Iterator[Violation]:
        for verdict in verification.verdicts:
            if verdict.outcome is not Outcome.SETTLED:
                continue
            claim, canonical = verdict.claim, verdict.claim.canonical
            what = "nothing: the import fails when it runs" if verdict.runtime == "nothing" else \
                verdict.runtime if verdict.is_canonical else f"{verdict.runtime}, not the canonical"
            yield self.violation_at(
                claim.path, claim.span,
                f"{claim.name} from {claim.query.module}, handed out at runtime, is {what}; import "
                f"{canonical.name} from {canonical.home}",
                subject=Subject(Finding.RUNTIME_SETTLED, f"{claim.query.module}:{claim.name}"), canonical=canonical)

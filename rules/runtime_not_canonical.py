from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Phase, Rule, Subject, Violation
from ssot_lint.runtime.verdicts import Outcome, Verification


class RuntimeNotCanonical(Rule):
    """
    ## What it does
    Run by `ssot-lint verify`, which imports the project in its own interpreter: finds a name the static
    analysis resolved to the canonical symbol that, once the code has run, is another object. Something
    rebinds it where no import shows it: a module that assigns `app.factory.EngineFactory = Fake` on
    import, a plugin registry, a test helper imported for its side effects.

    ## Why is this bad?
    Every import of the name looks like the source of truth and is not: the code that runs is not the code
    readers and ssot-lint see, and which one a caller gets depends on import order.

    ## Example
    ```python
    import app.patch  # sets app.factory.EngineFactory = FakeFactory
    from app.factory import EngineFactory  # FakeFactory at runtime
    ```

    ## How to fix
    Remove the rebinding, or make it explicit where it is needed (a fixture that patches for one test).

    ## Fix safety
    No automatic fix: what rebinds the name is code that runs, not an import to rewrite.
    """

    code = "SSOT201"
    name = "runtime-not-canonical"
    phase = Phase.RUNTIME
    summary = "A name the static analysis resolved to the canonical is another object when the code runs"

    VALID = (Example("from app.factory import EngineFactory\n"),)
    INVALID = (
        Example("import app.patch  # noqa: F401\nfrom app.factory import EngineFactory\n", lines=(2,),
                files={"app/patch.py": "import app.factory\n\n\nclass FakeFactory:\n    pass\n\n\n"
                                       "app.factory.EngineFactory = FakeFactory\n"},
                messages=("EngineFactory from app.factory is app.patch.FakeFactory at runtime, not the canonical "
                          "app.factory:EngineFactory the static analysis resolved it to; find what rebinds it",)),
    )

    def check_runtime(self, project: Project, verification: Verification) -> Iterator[Violation]:
        for verdict in verification.verdicts:
            if verdict.outcome is not Outcome.NOT_CANONICAL:
                continue
            claim = verdict.claim
            yield self.violation_at(
                claim.path, claim.span,
                f"{claim.name} from {claim.query.module} is {verdict.runtime} at runtime, not the canonical "
                f"{claim.canonical.symbol} the static analysis resolved it to; find what rebinds it",
                subject=Subject(Finding.RUNTIME_NOT_CANONICAL, f"{claim.query.module}:{claim.name}"),
                canonical=claim.canonical)

from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Phase, Rule, Subject, Violation
from ssot_lint.runtime.verdicts import Outcome, Verification


class RuntimeCanonical(Rule):
    """
    ## What it does
    Run by `ssot-lint verify`, which imports the project in its own interpreter: finds a name the static
    analysis resolved to something other than the canonical symbol (a value computed at import, a second
    class, nothing) that, once the code has run, is the canonical object: it got there by a path no import
    shows (`importlib.import_module(...)`, `getattr`, a registry).

    ## Why is this bad?
    The canonical is reached where neither readers nor ssot-lint can see it: its importers are not counted
    in the migration, and a change to the path breaks them silently.

    ## Example
    ```python
    import importlib

    EngineFactory = importlib.import_module("app.factory").EngineFactory
    ```

    ## How to fix
    Import the canonical symbol from its canonical module.

    ## Fix safety
    No automatic fix: the expression that reaches the canonical may do more than import it.
    """

    code = "SSOT202"
    name = "runtime-canonical"
    phase = Phase.RUNTIME
    summary = "A name the static analysis did not resolve to the canonical is the canonical when the code runs"

    VALID = (Example("class EngineFactory:\n    pass\n"),)
    INVALID = (
        Example("import importlib\n\nEngineFactory = importlib.import_module('app.factory').EngineFactory\n",
                lines=(3,),
                messages=("EngineFactory in app.service is the canonical app.factory:EngineFactory at runtime, "
                          "though the static analysis resolved it to a value assigned in app.service; import "
                          "EngineFactory from app.factory",)),
    )

    def check_runtime(self, project: Project, verification: Verification) -> Iterator[Violation]:
        for verdict in verification.verdicts:
            if verdict.outcome is not Outcome.IS_CANONICAL:
                continue
            claim, canonical = verdict.claim, verdict.claim.canonical
            where = "in" if claim.query.module == claim.importer else "from"
            yield self.violation_at(
                claim.path, claim.span,
                f"{claim.name} {where} {claim.query.module} is {verdict.runtime} at runtime, though the static "
                f"analysis resolved it to {claim.static_answer}; import {canonical.name} from {canonical.home}",
                subject=Subject(Finding.RUNTIME_CANONICAL, f"{claim.query.module}:{claim.name}"),
                canonical=canonical)

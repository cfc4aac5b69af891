from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.facts.model import Span
from ssot_lint.rule import Example, Finding, Phase, Rule, Subject, Violation
from ssot_lint.runtime.verdicts import Verification


class ImportFailed(Rule):
    """
    ## What it does
    Run by `ssot-lint verify`, which imports the project in its own interpreter: reports a module that
    could not be imported (it raised, ran past the time limit, or ended the interpreter), so that the
    claims made in it, or about the canonical symbol when it is the canonical's module, went unverified;
    and, where a module that did import reads a tracked name from one that did not (in a function), that
    import. The rest of the project is still verified.

    ## Why is this bad?
    What the module binds at runtime is unknown: the verification is not complete. Often the interpreter
    lacks a dependency of the project (`--python` chooses another), or the module runs code on import.

    ## Example
    ```python
    import missing_dependency  # ModuleNotFoundError when imported
    from app.factory import EngineFactory
    ```

    ## How to fix
    Make the module importable in the interpreter `verify` runs (`--python`), or guard what it runs on
    import behind `if __name__ == "__main__":`.

    ## Fix safety
    No automatic fix: why an import fails is the project's to decide.
    """

    code = "SSOT204"
    name = "import-failed"
    phase = Phase.RUNTIME
    summary = "A module `verify` had to import failed to, so what it binds went unverified"

    VALID = (Example("from app.factory import EngineFactory\n"),)
    INVALID = (
        Example("import missing_dependency\nfrom app.factory import EngineFactory\n", lines=(1,),
                messages=("app.service could not be imported: ModuleNotFoundError: No module named "
                          "'missing_dependency'; make it importable by the interpreter verify runs (--python)",)),
        Example("import missing_dependency\n\nEngineFactory = missing_dependency.EngineFactory\n", lines=(1,),
                messages=("app.service could not be imported: ModuleNotFoundError: No module named "
                          "'missing_dependency'; 1 claim about tracked names in it went unverified; make it "
                          "importable by the interpreter verify runs (--python)",)),
        # The module imports; the one it reads from in a function does not.
        Example("def make():\n    from app.broken import EngineFactory\n    return EngineFactory()\n", lines=(2,),
                files={"app/broken.py": "import missing_dependency\n\nfrom app.factory import EngineFactory\n"},
                messages=("app.broken, which this reads EngineFactory from, could not be imported: "
                          "ModuleNotFoundError: No module named 'missing_dependency' (app/broken.py:1); what it "
                          "binds went unverified; make it importable by the interpreter verify runs (--python)",)),
        Example("from app.engine import Engine\n\n\nclass EngineFactory(Engin):\n    pass\n", lines=(4,),
                path="app/factory.py",
                files={"app/service.py": "from app.factory import EngineFactory\n"},
                messages=("the canonical module app.factory could not be imported: NameError: name 'Engin' is "
                          "not defined; nothing about app.factory:EngineFactory could be verified; make it "
                          "importable by the interpreter verify runs (--python)",)),
    )

    def check_runtime(self, project: Project, verification: Verification) -> Iterator[Violation]:
        for failure in verification.failures:
            if failure.read_by is not None:
                what = f"{failure.module}, which this reads {failure.read_by.name} from,"
                lost = "what it binds went unverified"
            elif failure.canonical is not None:
                what = f"the canonical module {failure.module}"
                lost = f"nothing about {failure.canonical.symbol} could be verified"
            else:
                what = failure.module
                lost = f"{failure.claims} claim{'s' if failure.claims != 1 else ''} about tracked names in it " \
                       f"went unverified" if failure.claims else ""
            error = failure.error.text if failure.error.path == failure.path else str(failure.error)  # (its line)
            yield self.violation_at(
                failure.path, Span(failure.line, 1, failure.line, 1),
                f"{what} could not be imported: {error}{lost and '; '}{lost}; make it importable by the "
                f"interpreter verify runs (--python)",
                subject=Subject(Finding.IMPORT_FAILED, failure.module), canonical=failure.canonical)

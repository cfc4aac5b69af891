from __future__ import annotations

from typing import Iterator, Mapping, Set, Tuple

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Phase, Rule, Subject, Violation
from ssot_lint.rules import all_rules


class UnusedNoqa(Rule):
    """
    ## What it does
    Finds `# noqa: SSOTxxx` codes that suppress nothing on their line (ruff's
    RUF100 idea). Blanket `# noqa` comments, other tools' codes and the codes of
    the runtime rules (SSOT2xx, which only `ssot-lint verify` runs) are left alone.

    ## Why is this bad?
    A stale suppression hides the next real violation on that line, and tells
    readers there is a problem where there is none.

    ## Example
    ```python
    from app.factory import EngineFactory  # noqa: SSOT002
    ```

    ## How to fix
    Remove the code from the comment (or the whole comment).

    ## Fix safety
    No automatic fix yet: removing a code from a comment is safe, but the comment's
    other text is for a person to keep or drop.
    """

    code = "SSOT100"
    name = "unused-noqa"
    summary = "A `# noqa: SSOTxxx` code that suppresses nothing"

    VALID = (
        Example("from app.legacy import EngineFactory  # noqa: SSOT002\n"),
        Example("import os  # noqa: F401\n"),
        Example("from app.factory import EngineFactory  # noqa\n"),
        Example("from app.factory import EngineFactory  # noqa: SSOT201\n"),  # for `ssot-lint verify`
    )
    INVALID = (
        Example("from app.factory import EngineFactory  # noqa: SSOT002\n", lines=(1,),
                messages=(
                    "unused noqa: SSOT002 suppresses nothing on this line; remove it",
                )),
        Example("from app.legacy import EngineFactory  # noqa: SSOT002, SSOT005\n", lines=(1,),
                messages=(
                    "unused noqa: SSOT005 suppresses nothing on this line; remove it",
                )),
    )

    phase = Phase.SUPPRESSIONS  # it reads what the noqa comments suppressed

    def check_suppressions(self, project: Project, used: Mapping[Tuple[str, int], Set[str]]) -> Iterator[Violation]:
        runtime = {rule.code for rule in all_rules() if rule.phase is Phase.RUNTIME}  # not run by `check`
        for info in project.checked_modules:
            for comment in info.rule_facts.noqa:
                if comment.codes is None:
                    continue
                suppressed = used.get((info.file.relpath, comment.line), set())
                unused = [c for c in comment.codes if c.startswith("SSOT") and c not in suppressed and c not in runtime]
                if unused:
                    yield self.violation(
                        info, comment.span,
                        f"unused noqa: {', '.join(unused)} suppress{'es' if len(unused) == 1 else ''} nothing "
                        f"on this line; remove {'it' if len(unused) == 1 else 'them'}",
                        subject=Subject(Finding.UNUSED_NOQA, ",".join(unused)),
                    )

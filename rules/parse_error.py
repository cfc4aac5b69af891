from __future__ import annotations

from typing import Iterator

from ssot_lint.facts.model import Span
from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class ParseError(Rule):
    """
    ## What it does
    Reports a Python file that cannot be read or parsed, and whose text names
    something the configuration tracks (a canonical, lookalike or product name,
    a canonical or shim module): a file that names none of them cannot hide a
    bypass, and is left to the linters that check syntax.

    ## Why is this bad?
    ssot-lint cannot see the imports and definitions of a file it cannot parse,
    so a bypass of a canonical symbol there would go unnoticed. The rest of the
    project is still linted.

    ## Example
    ```python
    from app.factory import EngineFactory

    print "engine ready"
    ```

    ## How to fix
    Fix the syntax (this often is Python 2 code), or exclude the file with
    `exclude` in `[tool.ssot-lint]`.

    ## Fix safety
    No automatic fix: only a person can say what the code was meant to be.
    """

    code = "SSOT000"
    name = "parse-error"
    summary = "A file naming something tracked that cannot be read or parsed"

    VALID = (
        Example("from app.factory import EngineFactory\n\nprint('engine ready')\n"),
        Example('print "nothing tracked here"\n'),  # names nothing tracked: left to other linters
    )
    INVALID = (
        # (errors whose CPython wording has not changed since 3.9: the message quotes the parser)
        Example("from app.factory import EngineFactory\n\n    engine = EngineFactory()\n", lines=(3,),
                messages=(
                    "cannot parse: unexpected indent",
                )),
        Example("from app.factory import EngineFactory\n\nif True:\n\tengine = 1\n        other = 2\n",
                lines=(5,),
                messages=(
                    "cannot parse: inconsistent use of tabs and spaces in indentation",
                )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for source, error in project.unparsed_checked():
            if not project.mentions_configured_name(source.relpath):
                continue  # it cannot hide a bypass: other linters report its syntax
            span = Span(error.line, error.column, error.line, error.column)
            message = error.message if error.message.startswith("cannot read") else f"cannot parse: {error.message}"
            yield self.violation_at(source.relpath, span, message, subject=Subject(Finding.PARSE_ERROR))

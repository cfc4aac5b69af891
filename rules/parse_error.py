from __future__ import annotations

from typing import Iterator

from ssot_lint.facts import Span
from ssot_lint.rule import Example, Rule, Violation


class ParseError(Rule):
    """
    ## What it does
    Reports a Python file that cannot be read or parsed.

    ## Why is this bad?
    ssot-lint cannot see the imports and definitions of a file it cannot parse,
    so a bypass of a canonical symbol there would go unnoticed. The rest of the
    project is still linted.

    ## Example
    ```python
    print "engine ready"
    ```

    ## How to fix
    Fix the syntax (this often is Python 2 code), or exclude the file with
    `exclude` in `[tool.ssot-lint]`.
    """

    code = "SSOT000"
    name = "parse-error"
    summary = "A file that cannot be read or parsed"

    VALID = (Example("print('engine ready')\n"),)
    INVALID = (
        Example('print "engine ready"\n', lines=(1,)),
        Example("def start(:\n    pass\n", lines=(1,)),
    )

    def check(self, project) -> Iterator[Violation]:
        for source, facts in project.graph.unparsed:
            error = facts.parse_error
            span = Span(error.line, error.column, error.line, error.column)
            yield self.violation_at(source.relpath, span, f"cannot parse: {error.message}", subject="parse")

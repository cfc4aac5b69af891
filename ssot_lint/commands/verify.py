"""What `ssot-lint verify` prints: the runtime rules' violations as `check` prints its own (any
`--output-format`), and, in the concise format, a footer saying what was verified and with which
interpreter."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Tuple

from ssot_lint.commands.check_output import OutputFormat, render
from ssot_lint.rule import Violation
from ssot_lint.runtime.verdicts import Outcome, Verification


@dataclass(frozen=True)
class VerifyResult:
    """What `render` needs of a verification (as of a check)."""

    violations: Tuple[Violation, ...]
    files_analysed: int
    suppressed: int = 0


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def footer(violations: Tuple[Violation, ...], verification: Verification, root: Path) -> str:
    outcomes = Counter(v.outcome for v in verification.verdicts)
    disagree = outcomes[Outcome.NOT_CANONICAL] + outcomes[Outcome.IS_CANONICAL]
    python = verification.python
    shown = os.path.relpath(python, root) if python.startswith(str(root) + os.sep) else python
    what = (f"{_plural(len(verification.verdicts), 'claim')} about tracked names in "
            f"{_plural(verification.modules, 'module')}, imported with {shown}: {outcomes[Outcome.AGREES]} agree, "
            f"{disagree} disagree, {outcomes[Outcome.SETTLED]} settled, {outcomes[Outcome.NOT_ASKED]} unverified.")
    if not violations:
        return f"All claims verified! {what}"
    files = len({v.path for v in violations})
    return f"Found {_plural(len(violations), 'violation')} in {_plural(files, 'file')}. {what}" + \
        _failure_causes(verification)


def _failure_causes(verification: Verification) -> str:
    """Where many modules failed to import, the commonest causes (often a few packages the interpreter
    lacks), so that the first fix is plain."""
    failed = [f for f in verification.failures if f.read_by is None]
    if len(failed) < 5:
        return ""
    causes = Counter(f.error.text for f in failed).most_common(3)
    return (f"\n{len(failed)} modules could not be imported; the commonest causes: "
            + "; ".join(f"{text} ({count})" for text, count in causes) + ".")


def render_verification(output_format: OutputFormat, violations: Tuple[Violation, ...],
                        verification: Verification, root: Path, quiet: bool) -> str:
    lines = render(output_format, VerifyResult(violations, verification.modules), root, quiet=True)
    if output_format in (OutputFormat.concise, OutputFormat.text) and not quiet:
        lines += footer(violations, verification, root) + "\n"
    return lines

"""fixtures_repo's violations, compared exactly with the reviewed golden file.

To accept a deliberate change: `SSOT_LINT_UPDATE_GOLDEN=1 pytest tests/test_golden.py`,
then review the diff of fixtures_repo/expected_violations.txt like any other change.
"""

from __future__ import annotations

import os
import re

from helpers import FIXTURES_REPO
from ssot_lint.config import load_config
from ssot_lint.engine.run import run_check

GOLDEN = FIXTURES_REPO / "expected_violations.txt"


def current_lines():
    result = run_check(load_config(FIXTURES_REPO / "pyproject.toml"), jobs=1)
    return [f"{v.path}:{v.line}:{v.column}: {v.code} {v.message}" for v in result.violations], result


def test_fixtures_repo_gives_exactly_the_golden_violations():
    lines, _ = current_lines()
    if os.environ.get("SSOT_LINT_UPDATE_GOLDEN"):
        GOLDEN.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert lines == GOLDEN.read_text(encoding="utf-8").splitlines()


def test_golden_agrees_with_the_hand_written_pattern_table():
    """PATTERNS.md was written with the fixtures, before the engine ran on them: an independent check."""
    table = set()
    for row in (FIXTURES_REPO / "PATTERNS.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `([^`]+):(\d+)` \| (SSOT\d+) \|", row)
        if match:
            table.add((match.group(1), int(match.group(2)), match.group(3)))
    _, result = current_lines()
    assert {(v.path, v.line, v.code) for v in result.violations} == table


def test_every_rule_fires_on_fixtures_repo():
    """Every rule `check` runs (the runtime rules are `verify`'s: test_verify.py)."""
    from ssot_lint.rule import Phase
    from ssot_lint.rules import all_rules

    _, result = current_lines()
    assert {v.code for v in result.violations} == {r.code for r in all_rules() if r.phase is not Phase.RUNTIME}


def test_fingerprints_are_unique():
    _, result = current_lines()
    fingerprints = [v.fingerprint for v in result.violations]
    assert len(set(fingerprints)) == len(fingerprints)

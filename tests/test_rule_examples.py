"""Every rule's VALID and INVALID examples (its documentation) run as tests, Fixit-style."""

from __future__ import annotations

import pytest

from helpers import check_tree, example_files
from ssot_lint.rules import all_rules

CASES = [
    pytest.param(rule, example, valid, id=f"{rule.code}-{'valid' if valid else 'invalid'}-{index}")
    for rule in all_rules()
    for valid, examples in ((True, rule.VALID), (False, rule.INVALID))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize("rule, example, valid", CASES)
def test_rule_example(tmp_path, rule, example, valid):
    result = check_tree(tmp_path, example_files(example))
    lines = sorted(v.line for v in result.violations if v.code == rule.code and v.path == example.path)
    if valid:
        assert lines == [], f"{rule.code} fired on a VALID example: {result.violations}"
    else:
        assert lines == sorted(example.lines), [v for v in result.violations if v.code == rule.code]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_documented_in_one_shape(rule):
    doc = rule.documentation()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
        assert heading in doc, f"{rule.code} lacks {heading!r}"
    assert rule.code.startswith("SSOT") and rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary and not rule.summary.endswith(".")
    assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID examples"

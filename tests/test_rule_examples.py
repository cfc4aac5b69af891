"""Every rule's VALID and INVALID examples (its documentation) run as tests, Fixit-style."""

from __future__ import annotations

import pytest

from helpers import check_tree, example_files, make_config, verify_tree, write_tree
from ssot_lint.fixes.loop import run_fix
from ssot_lint.engine.run import run_check
from ssot_lint.rule import Phase
from ssot_lint.rules import all_rules

CASES = [
    pytest.param(rule, example, valid, id=f"{rule.code}-{'valid' if valid else 'invalid'}-{index}")
    for rule in all_rules()
    for valid, examples in ((True, rule.VALID), (False, rule.INVALID))
    for index, example in enumerate(examples)
]


@pytest.mark.parametrize("rule, example, valid", CASES)
def test_rule_example(tmp_path, rule, example, valid):
    """A runtime rule's examples are verified (`ssot-lint verify`: a real import); the others checked."""
    if rule.phase is Phase.RUNTIME:
        violations, _ = verify_tree(tmp_path, example_files(example))
    else:
        violations = check_tree(tmp_path, example_files(example)).violations
    # (a finding of the rule folded into another rule's at the same site counts: it fired there)
    found = sorted((v.line, v.message) for v in violations if rule.code in (v.code, *v.also) and v.path == example.path)
    lines = [line for line, _ in found]
    if valid:
        assert lines == [], f"{rule.code} fired on a VALID example: {violations}"
    else:
        assert lines == sorted(example.lines), [v for v in violations if v.code == rule.code]
        assert [message for _, message in found] == list(example.messages)  # (Fixit's MESSAGE)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_is_documented_in_one_shape(rule):
    doc = rule.documentation()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## How to fix", "## Fix safety"):
        assert heading in doc, f"{rule.code} lacks {heading!r}"
    assert rule.code.startswith("SSOT") and rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary and not rule.summary.endswith(".")
    assert rule.VALID and rule.INVALID, f"{rule.code} needs VALID and INVALID examples"
    assert all(len(e.messages) == len(e.lines) for e in rule.INVALID), \
        f"{rule.code}: an INVALID example without its messages"


FIX_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-fix-{index}")
    for rule in all_rules()
    for index, example in enumerate(rule.INVALID)
    if example.fixed is not None
]


@pytest.mark.parametrize("rule, example", FIX_CASES)
def test_rule_fix_example(tmp_path, rule, example):
    """Fixit's expected_replacement: the rule's fix (alone, unsafe ones included) gives exactly `fixed`;
    a second run changes nothing, and no fixable violation of the rule is left."""
    write_tree(tmp_path, example_files(example))
    config = make_config(tmp_path)
    outcome = run_fix(config, select=[rule.code], jobs=1, unsafe=True)
    assert (tmp_path / example.path).read_text(encoding="utf-8") == example.fixed
    again = run_fix(config, select=[rule.code], jobs=1, unsafe=True)
    assert again.changed == {}
    left = run_check(config, select=[rule.code], jobs=1).violations
    assert not [v for v in left if v.fix is not None and v.path == example.path], again.not_fixed
    if example.fixed != example.code:
        assert outcome.fixed >= 1 and example.path in outcome.changed


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.fixable], ids=lambda r: r.code)
def test_fixable_rule_shows_its_fixes(rule):
    """Each INVALID example of a fixable rule pins what its fix does (`fixed`, the code itself where there is
    no fix), and one at least shows a fix."""
    assert all(e.fixed is not None for e in rule.INVALID), f"{rule.code}: an INVALID example without `fixed`"
    assert [e for e in rule.INVALID if e.fixed != e.code], f"{rule.code} is fixable but no INVALID example shows a fix"


def test_a_rule_declared_fixable_with_a_bool_fails_where_it_is_written():
    from ssot_lint.rule import Rule

    with pytest.raises(TypeError, match=r"rule Mine: `fixable` must be Applicability.SAFE.*not True"):
        class Mine(Rule):  # noqa: F841 (never registered)
            code, name, summary = "SSOT999", "mine", "a rule"
            fixable = True


def test_a_rule_of_the_suppressions_phase_sees_what_noqa_comments_suppressed(tmp_path):
    """A rule declared `Phase.SUPPRESSIONS` is run by the engine after suppression, with no special case: a
    second such rule, written here, gets the same `used` map as SSOT100."""
    from helpers import project_of
    from ssot_lint.engine.run import find_violations
    from ssot_lint.rule import EXAMPLE_FILES, Phase, Rule

    seen = []

    class Counting(Rule):
        code, name, summary = "SSOT998", "counting", "counts what the noqa comments suppressed"
        phase = Phase.SUPPRESSIONS

        def check_suppressions(self, project, used):
            seen.append(dict(used))
            return iter(())

    project = project_of(tmp_path, {**EXAMPLE_FILES,
                                    "app/user.py": "from app.legacy import EngineFactory  # noqa: SSOT002\n"})
    kept, suppressed = find_violations(project, [*all_rules(), Counting])
    assert suppressed == 1 and not [v for v in kept if v.path == "app/user.py"]
    assert seen == [{("app/user.py", 1): {"SSOT002"}}]

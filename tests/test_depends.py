"""Answers kept across analyses with the modules they read (analysis/depends.py), and the resident analysis
that keeps them (engine/workspace.py): what a change forgets, and what it keeps.

Exactness itself (every step equal to a fresh check) is the property test of test_workspace.py; these tests
show that the resident analysis is incremental, and where its bookkeeping draws the line."""

from __future__ import annotations

from helpers import make_config, write_tree
from ssot_lint.analysis.depends import UNSET, DependentAnswers
from ssot_lint.analysis.resolve import ORDER, Resolution
from ssot_lint.engine.run import run_check
from ssot_lint.engine.workspace import Workspace


def compute(answers, key, reads, value, inner=()):
    """Remember `value` under `key`, having read `reads` and asked the `inner` answers."""
    answers.begin()
    for module in reads:
        answers.read(module)
    for other in inner:
        answers.get(other)
    answers.keep(key, value)


def test_forgetting_a_module_drops_exactly_the_answers_that_read_it():
    answers = DependentAnswers(tracking=True)
    compute(answers, "a", ["m1"], 1)
    compute(answers, "b", ["m2"], 2)
    compute(answers, "c", ["m3"], 3, inner=["a"])  # asked `a`: it read m1 too
    assert answers.forget(["m1"]) == 2
    assert answers.lookup("a") is UNSET and answers.lookup("c") is UNSET
    assert answers.lookup("b") == 2
    assert answers.forget(["m1"]) == 0


def test_an_answer_computed_inside_another_counts_for_it():
    answers = DependentAnswers(tracking=True)
    answers.begin()
    answers.read("outer")
    compute(answers, "inner", ["deep"], 1)
    answers.keep("outer answer", 2)
    answers.forget(["deep"])
    assert answers.lookup("outer answer") is UNSET


def test_an_abandoned_answer_still_counts_for_the_one_outside_it():
    answers = DependentAnswers(tracking=True)
    answers.begin()
    answers.begin()
    answers.read("deep")
    answers.abandon()
    answers.keep("outer", 1)
    answers.forget(["deep"])
    assert "outer" not in answers


def test_per_module_answers_read_their_module():
    answers = DependentAnswers(tracking=True)
    calls = []
    assert answers.per_module("sites", "pkg.a", None, lambda: calls.append(1) or "first") == "first"
    assert answers.per_module("sites", "pkg.a", None, lambda: calls.append(1) or "again") == "first"
    answers.forget(["pkg.a"])
    assert answers.per_module("sites", "pkg.a", None, lambda: "new") == "new"
    assert calls == [1]


def test_without_tracking_answers_are_remembered_with_no_bookkeeping():
    answers = DependentAnswers()
    compute(answers, "a", ["m1"], 1)
    assert answers.forget(["m1"]) == 0 and answers.lookup("a") == 1


def test_one_of_gives_one_object_per_value():
    answers = DependentAnswers(tracking=True)
    first = ("tokens", frozenset({"A"}))
    assert answers.one_of(("tokens", frozenset({"A"}))) is answers.one_of(first)


TREE = {
    "app/__init__.py": "",
    "app/factory.py": "class EngineFactory:\n    pass\n",
    "app/compat.py": "from app.factory import EngineFactory\n",
    "app/service.py": "from app.compat import EngineFactory\n",
    "app/other.py": "from app.factory import EngineFactory\n",
    "app/cycle_a.py": "from app.cycle_b import EngineFactory\n",  # bound in a cycle: unresolved
    "app/cycle_b.py": "from app.cycle_a import EngineFactory\n",
}


def workspace_on(tmp_path):
    write_tree(tmp_path, TREE)
    config = make_config(tmp_path, {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.compat"]}],
                                    "respect-gitignore": False})
    return config, Workspace(config, jobs=1, watched=True)


def test_an_edit_keeps_the_modules_and_answers_it_does_not_touch(tmp_path):
    config, workspace = workspace_on(tmp_path)
    workspace.analyse()
    resident = workspace._resident
    kept_info = resident.modules["app/other.py"]
    answers = resident.answers
    about_other = [key for key in answers.remembered if "app.other" in repr(key)]
    assert about_other

    workspace.set_buffer("app/service.py", b"from app.compat import EngineFactory\n\n\ndef edited():\n    return 1\n")
    result = workspace.analyse()
    assert result.analysed
    assert workspace._resident.modules["app/other.py"] is kept_info  # not loaded again
    assert all(key in answers for key in about_other)  # not asked again
    assert [key for key in answers.remembered if key[:2] == ("import sites", "app.service")]  # asked again
    overlay = {"app/service.py": b"from app.compat import EngineFactory\n\n\ndef edited():\n    return 1\n"}
    assert [(v.code, v.path, v.line) for v in result.violations] == \
        [(v.code, v.path, v.line) for v in run_check(config, jobs=1, overlay=overlay).violations]


def test_an_edit_forgets_what_read_the_module_and_what_met_a_cycle(tmp_path):
    config, workspace = workspace_on(tmp_path)
    workspace.analyse()
    answers = workspace._resident.answers
    assert answers._readers.get(ORDER)  # the cycle between cycle_a and cycle_b was met
    before = dict(answers.remembered)
    touched = {key for key in answers._readers["app.compat"] | answers._readers[ORDER] if key in before}
    untouched = {key for key in before if key not in touched and key[:2] != ("binding", "app.compat")}
    assert touched and untouched
    workspace.set_buffer("app/compat.py", b"from app.factory import EngineFactory\n\n\ndef edited():\n    return 1\n")
    assert workspace.analyse().analysed
    # What read app.compat or met the cycle was forgotten, and asked again (new answers); the rest stood.
    resolutions = [key for key in touched if isinstance(before[key], Resolution)]
    assert resolutions and all(answers.remembered.get(key) is not before[key] for key in resolutions)
    assert all(answers.remembered[key] is before[key] for key in untouched if key in answers)
    assert "app/compat.py" in workspace._resident.modules


def test_files_coming_or_going_start_the_resident_analysis_afresh(tmp_path):
    config, workspace = workspace_on(tmp_path)
    workspace.analyse()
    before = workspace._resident.answers
    write_tree(tmp_path, {"app/new.py": "from app.compat import EngineFactory\n"})
    workspace.files_came_or_went()
    result = workspace.analyse()
    assert workspace._resident.answers is not before and "app/new.py" in workspace._resident.digests
    assert "app/new.py" in {v.path for v in result.violations}

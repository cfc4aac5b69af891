"""A cached `check` keeps its last answer when files changed only where the last analysis did not read them.

The decision (ssot_lint/reuse.py) is the one `report --history` makes between commits
(tests/test_history.py, tests/test_property_history.py). Here: `check`, against `--no-cache`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssot_lint.engine.run as engine
from ssot_lint.config import ConfigError
from helpers import generated_config, make_config, write_tree
from test_property_history import edited, histories, passed_through_histories

CONFIG = {"canonical": [{"symbol": "app.factory:EngineFactory", "shims": ["app.legacy"]}],
          "respect-gitignore": False}
UTIL = "def helper():\n    return 1\n"
TREE = {
    "app/__init__.py": "",
    "app/factory.py": "from app.util import helper\n\n\nclass EngineFactory:\n    pass\n",
    "app/util.py": UTIL,
    "app/other.py": "import app.factory\n",
    "app/legacy.py": "from app.factory import EngineFactory\n",
    "app/c1.py": "from app.legacy import EngineFactory  # a consumer\n",
}
_clock = iter(range(1_000_000_000, 2_000_000_000, 10))  # mtimes in the past, each different


def write(root: Path, files) -> None:
    """Write files with an mtime well in the past: a file modified in the last two seconds is never trusted
    by its mtime, and the last answer is not saved then."""
    write_tree(root, files)
    for relpath in files:
        moment = next(_clock)
        os.utime(root / relpath, (moment, moment))


def rows(result):
    return [(v.code, v.path, v.line, v.column, v.message, v.fingerprint) for v in result.violations]


def check_counting_analyses(monkeypatch, config):
    analyses = []
    real = engine.analyse_files
    monkeypatch.setattr(engine, "analyse_files", lambda *a, **k: analyses.append(1) or real(*a, **k))
    result = engine.run_check(config, jobs=1, use_cache=True)
    monkeypatch.setattr(engine, "analyse_files", real)
    return result, len(analyses)


def test_changes_nothing_read_keep_the_answer_and_others_do_not(tmp_path, monkeypatch):
    write(tmp_path, TREE)
    config = make_config(tmp_path, CONFIG)
    first, analysed = check_counting_analyses(monkeypatch, config)
    assert analysed == 1 and [v.code for v in first.violations] == ["SSOT002"]
    for change, files, kept in [
        ("a comment in a checked file", {"app/c1.py": "from app.legacy import EngineFactory  # consumer\n"}, True),
        ("a function added to a file resolution passes through", {"app/util.py": UTIL + "\n\ndef f():\n    pass\n"},
         True),
        ("the same content written again", {"app/legacy.py": TREE["app/legacy.py"]}, True),
        ("a file that matches no token and was not loaded", {"app/__init__.py": "VERSION = 1\n"}, True),
        ("the name looked up in it rebound", {"app/util.py": UTIL + "\n\nhelper = print\n"}, False),
        # at the end: the bindings of `helper` stay as they were
        ("an import that closes a cycle", {"app/util.py": UTIL + "\n\nhelper = print\nimport app.other\n"}, False),
        ("a file that now names the canonical", {"app/__init__.py": "from app.factory import EngineFactory\n"},
         False),
        ("a new file", {"app/c2.py": "from app.legacy import EngineFactory\n"}, False),
    ]:
        write(tmp_path, files)
        result, analysed = check_counting_analyses(monkeypatch, config)
        assert analysed == (0 if kept else 1), change
        assert rows(result) == rows(engine.run_check(config, jobs=1)), change
    assert {v.code for v in result.violations} == {"SSOT002", "SSOT010"}  # the cycle was found


def test_a_text_change_that_moves_a_file_to_another_prefilter_round_is_analysed(tmp_path, monkeypatch):
    """Facts are not all that matters of a checked file's text: the round of the prefilter's fixpoint that lets
    it through decides whether SSOT000 reports it (round 0: it names the configuration's symbols) and the
    order of analysis, on which the reason given for an import bound in a cycle depends. Both cases were
    found by review: a name added in a comment changes no fact, but moves the file to round 0."""
    config = make_config(tmp_path, CONFIG)
    write(tmp_path, {
        **{path: TREE[path] for path in ("app/__init__.py", "app/factory.py", "app/legacy.py")},
        "app/alias.py": "from app.factory import EngineFactory as Motor\n",  # makes Motor a token (round 1)
        "app/bad.py": "Motor(\n",  # does not parse: reported only if it names EngineFactory itself
        "d.py": "from app.factory import EngineFactory as Motor2\n",
        "a/__init__.py": "",
        "a/t.py": "from pkg . legacy import Motor  # Motor2\n",  # round 1; first in the order when in round 0
        "pkg/__init__.py": "",
        "pkg/alpha.py": "from pkg.legacy import EngineFactory\n",
        "pkg/legacy.py": "from pkg.alpha import EngineFactory\nMotor = EngineFactory\n",  # a cycle
    })
    check_counting_analyses(monkeypatch, config)
    for relpath, text in [("app/bad.py", "Motor(  # EngineFactory\n"),
                          ("a/t.py", "from pkg . legacy import Motor  # Motor2 EngineFactory\n")]:
        write(tmp_path, {relpath: text})
        result, analysed = check_counting_analyses(monkeypatch, config)
        assert analysed == 1, relpath
        assert rows(result) == rows(engine.run_check(config, jobs=1)), relpath
    assert "SSOT000" in {v.code for v in result.violations}


# 25 in CI; SSOT_LINT_HISTORY_EXAMPLES=1000 for a long run.
@settings(max_examples=int(os.environ.get("SSOT_LINT_HISTORY_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(histories(), passed_through_histories()))
def test_a_cached_check_after_each_change_finds_what_an_uncached_one_does(case):
    package, files, shims, edits = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write(root, files)
        config = generated_config(root, package, shims)
        outcome(config, use_cache=True)
        current = dict(files)
        for relpath, statement in edits:
            current[relpath] = edited(files, current, relpath, statement)
            write(root, {relpath: current[relpath]})
            assert outcome(config, use_cache=True) == outcome(config, use_cache=False)


def outcome(config, use_cache: bool):
    try:
        return rows(engine.run_check(config, jobs=1, use_cache=use_cache))
    except ConfigError as exc:  # an edit can leave the canonical undefined
        return str(exc)

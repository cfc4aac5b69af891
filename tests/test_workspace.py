"""The resident analysis (engine/workspace.py): after every change, exactly what a fresh `check` finds.

The property test draws the random trees and edit series of the history property test, and applies
each edit either to an editor buffer or to the file on disk (sometimes putting a buffer back to the
disk's contents); after every step the workspace's violations must equal those of a `check` from
scratch (no cache) of the same contents.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import generated_config, make_config, write_tree
from ssot_lint.config import ConfigError
from ssot_lint.engine.run import run_check
from ssot_lint.engine.workspace import Workspace
from ssot_lint.rule import EXAMPLE_FILES
from test_property_history import edited, histories, passed_through_histories


def rows(violations):
    return [(v.code, v.path, v.line, v.column, v.message, v.fingerprint) for v in violations]


def fresh(config, buffers):
    try:
        return rows(run_check(config, jobs=1, overlay=buffers).violations)
    except ConfigError as error:  # an edit can make the configuration wrong (the canonical is gone)
        return error.problems


def resident(workspace):
    try:
        return rows(workspace.analyse().violations)
    except ConfigError as error:
        return error.problems


# 40 in CI; SSOT_LINT_WORKSPACE_EXAMPLES=1000 for a long run.
@settings(max_examples=int(os.environ.get("SSOT_LINT_WORKSPACE_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(histories(), passed_through_histories()), st.data())
def test_every_step_is_what_a_fresh_check_finds(case, data):
    package, files, shims, edits = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, files)
        config = generated_config(root, package, shims)
        watched = data.draw(st.booleans())  # told of each change on disk, as a language server's watcher tells
        workspace = Workspace(config, jobs=1, watched=watched)
        assert resident(workspace) == fresh(config, {})
        on_disk, buffers = dict(files), {}
        for relpath, statement in edits:
            where = data.draw(st.sampled_from(["buffer", "disk", "buffer back to disk"]))
            if where == "buffer back to disk":
                buffers.pop(relpath, None)
                workspace.set_buffer(relpath, None)
            else:
                text = edited(files, {**on_disk, **buffers}, relpath, statement)
                if where == "buffer":
                    buffers[relpath] = text
                    workspace.set_buffer(relpath, text.encode())
                else:
                    on_disk[relpath] = text
                    write_tree(root, {relpath: text})
                    workspace.disk_changed([relpath])
            encoded = {path: text.encode() for path, text in buffers.items()}
            assert resident(workspace) == fresh(config, encoded), (relpath, statement, where)


def test_nothing_changed_keeps_the_answer_and_an_edit_into_a_violation_is_seen(tmp_path):
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/service.py": "from app.factory import EngineFactory\n"})
    workspace = Workspace(make_config(tmp_path), jobs=1)
    first = workspace.analyse()
    assert first.analysed and first.in_file("app/service.py") == []
    again = workspace.analyse()
    assert not again.analysed and rows(again.violations) == rows(first.violations)
    workspace.set_buffer("app/service.py", b"from app.legacy import EngineFactory\n")
    edited_in = workspace.analyse()
    assert [v.code for v in edited_in.in_file("app/service.py")] == ["SSOT002"]
    workspace.set_buffer("app/service.py", None)  # closed unsaved: the disk's contents again
    assert workspace.analyse().in_file("app/service.py") == []


def test_a_change_nothing_read_keeps_the_answer(tmp_path):
    """A function added to a module that names nothing tracked: the last analysis did not read it."""
    files = {**EXAMPLE_FILES, "app/util.py": "def helper():\n    return 1\n",
             "app/service.py": "from app.legacy import EngineFactory\n"}
    write_tree(tmp_path, files)
    workspace = Workspace(make_config(tmp_path), jobs=1)
    first = workspace.analyse()
    workspace.set_buffer("app/util.py", (files["app/util.py"] + "\n\ndef other():\n    return 2\n").encode())
    second = workspace.analyse()
    assert not second.analysed and rows(second.violations) == rows(first.violations)


@pytest.mark.parametrize("watched", [False, True])
def test_files_added_and_deleted_on_disk_are_seen(tmp_path, watched):
    write_tree(tmp_path, EXAMPLE_FILES)
    config = make_config(tmp_path)
    workspace = Workspace(config, jobs=1, watched=watched)
    assert workspace.analyse().in_file("app/new.py") == []
    write_tree(tmp_path, {"app/new.py": "from app.legacy import EngineFactory\n"})
    workspace.files_came_or_went()
    assert [v.code for v in workspace.analyse().in_file("app/new.py")] == ["SSOT002"]
    (tmp_path / "app/new.py").unlink()
    workspace.files_came_or_went()
    result = workspace.analyse()
    assert result.in_file("app/new.py") == [] and rows(result.violations) == fresh(config, {})


def test_watched_looks_only_at_what_it_is_told(tmp_path):
    """With a watcher's promise, a change on disk nobody reported is not looked for (a stat of every file
    per keystroke is what the promise saves); reported, it is seen."""
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/service.py": "from app.factory import EngineFactory\n"})
    workspace = Workspace(make_config(tmp_path), jobs=1, watched=True)
    assert workspace.analyse().in_file("app/service.py") == []
    write_tree(tmp_path, {"app/service.py": "from app.legacy import EngineFactory\n"})
    assert workspace.analyse().in_file("app/service.py") == []
    workspace.disk_changed(["app/service.py"])
    assert [v.code for v in workspace.analyse().in_file("app/service.py")] == ["SSOT002"]


def test_memory_holds_the_facts_of_current_contents_only(tmp_path):
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/service.py": "from app.legacy import EngineFactory\n"})
    workspace = Workspace(make_config(tmp_path), jobs=1)
    workspace.analyse()
    known = len(workspace._facts)
    for index in range(30):
        workspace.set_buffer("app/service.py", f"from app.legacy import EngineFactory\nX{index} = 1\n".encode())
        workspace.analyse()
    assert len(workspace._facts) <= known


def test_a_change_seen_by_an_analysis_that_failed_is_still_seen_by_the_next(tmp_path):
    """(watched) A disk change that makes the configuration wrong fails its analysis; the next analysis, after
    an unrelated edit, must still know of it (found by the property test)."""
    files = {"pkg/__init__.py": "", "pkg/m0.py": "class A:\n    pass\n"}
    write_tree(tmp_path, files)
    config = generated_config(tmp_path, "pkg", [])
    workspace = Workspace(config, jobs=1, watched=True)
    assert resident(workspace) == fresh(config, {}) == []
    write_tree(tmp_path, {"pkg/m0.py": "class A:\n    pass\nfrom pkg import A\n"})
    workspace.disk_changed(["pkg/m0.py"])
    problems = fresh(config, {})
    assert resident(workspace) == problems and "does not define a class or function A" in problems[0]
    workspace.set_buffer("pkg/__init__.py", b"def added():\n    return 1\n")
    assert resident(workspace) == fresh(config, {"pkg/__init__.py": b"def added():\n    return 1\n"}) == problems


def test_what_a_failed_analysis_learnt_is_not_kept_for_contents_put_back(tmp_path):
    """An edit that makes the configuration wrong fails its analysis, after it has resolved the edited contents;
    putting the old contents back (the same as at the last analysis that finished) must not reuse those answers."""
    files = {"pkg/__init__.py": "", "pkg/m0.py": "class A:\n    pass\n", "pkg/m1.py": "from pkg.m0 import A\n"}
    write_tree(tmp_path, files)
    config = generated_config(tmp_path, "pkg", [])
    workspace = Workspace(config, jobs=1)
    assert resident(workspace) == fresh(config, {})
    broken = {"pkg/m0.py": b"class A:\n    pass\nfrom pkg import A\n"}
    workspace.set_buffer("pkg/m0.py", broken["pkg/m0.py"])
    assert resident(workspace) == fresh(config, broken) != fresh(config, {})
    workspace.set_buffer("pkg/m0.py", None)
    edited = {"pkg/m1.py": b"from pkg.m0 import A\n\n\ndef added():\n    return A()\n"}  # (so that it runs)
    workspace.set_buffer("pkg/m1.py", edited["pkg/m1.py"])
    assert resident(workspace) == fresh(config, edited)


def test_watched_sees_an_in_place_edit_of_a_file_git_vouched_for(tmp_path):
    """In a git checkout the listing carries each clean tracked file's blob id; once the watcher reports the
    file changed, that id no longer vouches for its content (found by the check-server work)."""
    files = {"pkg/__init__.py": "", "pkg/m0.py": "class A:\n    pass\n", "pkg/m1.py": "from pkg.m0 import A\n",
             "pkg/m2.py": "def unrelated():\n    return 1\n"}
    write_tree(tmp_path, files)
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True, capture_output=True)
    config = make_config(tmp_path, {"canonical": [{"symbol": "pkg.m0:A"}]})  # (git lists the files)
    workspace = Workspace(config, jobs=1, watched=True)
    assert resident(workspace) == fresh(config, {})
    write_tree(tmp_path, {"pkg/m2.py": "from pkg.m1 import A\n"})  # an import through m1: a new violation
    workspace.disk_changed(["pkg/m2.py"])
    found = resident(workspace)
    assert found == fresh(config, {}) and any(row[1] == "pkg/m2.py" for row in found)


def test_two_workspaces_share_the_facts_of_the_contents_both_have(tmp_path):
    """The server's check analysis reads the editor's facts (`facts_from`): one copy of each in memory."""
    files = {"pkg/__init__.py": "", "pkg/m0.py": "class A:\n    pass\n", "pkg/m1.py": "from pkg import m0\nA = m0.A\n"}
    write_tree(tmp_path, files)
    config = generated_config(tmp_path, "pkg", [])
    editor = Workspace(config, jobs=1, use_cache=False)
    editor.set_buffer("pkg/m1.py", b"from pkg.m0 import A\n")
    editor.analyse()
    disk = Workspace(config, jobs=1, use_cache=False, facts_from=lambda: editor.facts)
    assert rows(disk.analyse().violations) == fresh(config, {})
    both = set(editor.facts) & set(disk.facts)
    assert both and all(disk.facts[digest] is editor.facts[digest] for digest in both)  # (m0 at least)
    assert set(disk.facts) - set(editor.facts)  # the disk's m1, which the editor's buffer hides

"""Faults while fixing: Ctrl-C, a full disk, read-only files. Every file ends either as it was or fully
fixed, never partly written, and no temporary file is left behind."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import SHIM_PYPROJECT, make_config, write_tree
from ssot_lint.fixes.loop import run_fix
from ssot_lint.rule import EXAMPLE_FILES

OLD = "from app.legacy import EngineFactory\n\n\ndef build_{n}():\n    return EngineFactory()\n"
NEW = OLD.replace("app.legacy", "app.factory")
FILES = 400


def many_files(root: Path) -> None:
    write_tree(root, {**EXAMPLE_FILES, "pyproject.toml": SHIM_PYPROJECT,
                      **{f"app/services/s{n}.py": OLD.format(n=n) for n in range(FILES)}})


def states(root: Path):
    """For each service file: 'old', 'new', or what else it holds."""
    found = {}
    for n in range(FILES):
        text = (root / f"app/services/s{n}.py").read_text()
        found[n] = "old" if text == OLD.format(n=n) else "new" if text == NEW.format(n=n) else text
    return found


def test_ctrl_c_during_fix_leaves_every_file_old_or_new(tmp_path):
    interrupted = 0
    seen = set()
    for attempt, delay in enumerate((0.4, 0.8, 1.2, 1.6, 2.0, 2.4, 3.0, 3.6)):
        root = tmp_path / f"run{attempt}"
        many_files(root)
        process = subprocess.Popen([sys.executable, "-m", "ssot_lint", "check", "--fix", "--no-cache", "-q"],
                                   cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
        found = states(root)
        odd = {n: text for n, text in found.items() if text not in ("old", "new")}
        assert odd == {}, f"partly written files after Ctrl-C at {delay} s"
        assert not list(root.rglob("*.tmp")), "a temporary file was left behind"
        if process.returncode == 130:
            assert stderr.strip().endswith("ssot-lint: interrupted")
            interrupted += 1
        seen.update(found.values())
    assert interrupted, "no run was interrupted: the test proved nothing"
    assert "old" in seen


def test_a_full_disk_leaves_the_file_as_it_was_and_says_so(tmp_path, monkeypatch):
    many_files(tmp_path)
    import ssot_lint.atomic as atomic

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", no_space)
    outcome = run_fix(make_config(tmp_path), jobs=1)
    assert set(states(tmp_path).values()) == {"old"}
    assert not list(tmp_path.rglob("*.tmp"))
    assert len(outcome.not_written) == FILES
    assert set(outcome.not_written.values()) == {"cannot write it: No space left on device"}
    assert len(outcome.result.violations) == FILES, "what could not be written is still reported"


def test_a_read_only_file_is_not_fixed(tmp_path):
    many_files(tmp_path)
    target = tmp_path / "app/services/s0.py"
    os.chmod(target, 0o444)
    outcome = run_fix(make_config(tmp_path), jobs=1)
    assert outcome.not_written == {"app/services/s0.py": "it is read-only"}
    found = states(tmp_path)
    assert found[0] == "old" and set(found[n] for n in range(1, FILES)) == {"new"}
    assert [v.path for v in outcome.result.violations] == ["app/services/s0.py"]


def test_a_folder_that_refuses_new_files_is_reported_not_a_crash(tmp_path, monkeypatch):
    """A read-only folder (simulated: the tests may run as root, who writes anywhere)."""
    many_files(tmp_path)
    import ssot_lint.atomic as atomic

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refused)
    outcome = run_fix(make_config(tmp_path), jobs=1)
    assert set(outcome.not_written.values()) == {"cannot write it: Permission denied"}
    assert len(outcome.not_written) == FILES and set(states(tmp_path).values()) == {"old"}


def test_ctrl_c_during_a_check_leaves_a_cache_that_gives_the_right_answer(tmp_path):
    many_files(tmp_path)
    command = [sys.executable, "-m", "ssot_lint", "check", "--output-format", "json"]
    truth = subprocess.run([*command, "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    interrupted = 0
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 2.0):
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
        interrupted += process.returncode == 130
        assert not list((tmp_path / ".ssot_lint_cache").rglob("*.tmp")), "a temporary cache file was left"
        after = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert (after.returncode, after.stdout) == (truth.returncode, truth.stdout)
        shutil.rmtree(tmp_path / ".ssot_lint_cache", ignore_errors=True)
    assert interrupted, "no run was interrupted: the test proved nothing"


WORKERS_OUTLIVING_THEIR_PARENT = """
import os, time
from ssot_lint.parallel import process_map

def slow(item):
    time.sleep(0.3)
    return item

if __name__ == "__main__":
    results = process_map(slow, list(range(40)), jobs=2, threshold=1, chunks_per_job=20)
    next(results)
    os._exit(0)  # gone with its workers busy, as after Ctrl-C (which ends with os._exit)
"""


def test_worker_processes_end_when_their_parent_is_gone(tmp_path):
    """A worker the Ctrl-C handler missed (one started at that moment) must not hold the terminal's pipes
    open forever: whoever ran ssot-lint would wait for ever."""
    script = tmp_path / "parent.py"
    script.write_text(WORKERS_OUTLIVING_THEIR_PARENT)
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.communicate(timeout=60)  # the pipes close once every worker has exited too
    assert process.returncode == 0

"""Bad files: each gives SSOT000 (or is skipped), the rest of the project is still linted, and the run
ends in bounded time without waiting on a FIFO."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

TRACKED = b"from app.legacy import EngineFactory\n"  # every bad file names the canonical: it is a candidate

BAD = {  # relpath -> (bytes, the line SSOT000 must point at)
    "bad/nul.py": (TRACKED + b"x = 1\x00\n", 2),
    "bad/undecodable.py": (TRACKED + b"name = '\xff\xfe'\n", 2),
    "bad/python2.py": (TRACKED + b'print "hello"\n', 2),
    "bad/tabs.py": (TRACKED + b"if True:\n\tx = 1\n        y = 2\n", 4),
    "bad/unterminated.py": (TRACKED + b"x = 'open\n", 2),
    "bad/binary.py": (TRACKED + bytes(range(256)) * 4, 2),
    "bad/nested.py": (TRACKED + b"x = " + b"(" * 3000 + b")" * 3000 + b"\n", 2),
}
GOOD = {  # parse fine: their violations are found like any other
    "good/bom.py": b"\xef\xbb\xbf" + TRACKED,
    "good/crlf.py": TRACKED.replace(b"\n", b"\r\n") + b"x = 1\r\n",
    "good/latin1.py": b"# -*- coding: latin-1 -*-\n" + TRACKED + b"name = '\xe9'\n",
    "good/empty.py": b"",
    "good/long_line.py": TRACKED + b"x = '" + b"a" * 2_000_000 + b"'\n",
    "good/many_lines.py": TRACKED + b"x = 1\n" * 200_000,
}


@pytest.fixture
def project(tmp_path):
    from ssot_lint.rule import EXAMPLE_FILES

    for relpath, text in EXAMPLE_FILES.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text, encoding="utf-8")
    (tmp_path / "ssot-lint.toml").write_text('[[canonical]]\nsymbol = "app.factory:EngineFactory"\n'
                                             'shims = ["app.legacy"]\n', encoding="utf-8")
    for relpath, (data, _) in BAD.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_bytes(data)
    for relpath, data in GOOD.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_bytes(data)
    (tmp_path / "odd").mkdir()
    os.mkfifo(tmp_path / "odd/fifo.py")  # reading it would block forever
    (tmp_path / "odd/folder.py").mkdir()  # a directory named .py
    (tmp_path / "odd/broken.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "odd/loop").symlink_to(tmp_path / "odd")  # a symlink loop
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "odd/socket.py"))  # a socket named .py (left bound: reading it would fail)
    server.close()
    return tmp_path


def test_bad_files_are_reported_and_the_rest_is_linted(project):
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "check", "--no-cache", "--output-format", "json"],
                         cwd=project, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert run.stderr == ""
    found = json.loads(run.stdout)
    parse_errors = {v["filename"]: v["location"]["row"] for v in found if v["code"] == "SSOT000"}
    assert parse_errors == {relpath: line for relpath, (_, line) in BAD.items()}
    assert all("\n" not in v["message"] for v in found)
    linted = {v["filename"] for v in found if v["code"] == "SSOT002"}
    assert linted == {relpath for relpath, data in GOOD.items() if data}  # every good file, empty aside
    assert not any(v["filename"].startswith("odd/") for v in found)

"""A cache that travels: keyed by content (git's blob ids), not by where the project is or when its files
were written, so a CI job that restores the last run's cache into a fresh clone reads nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from helpers import FIXTURES_REPO
from ssot_lint.files.cache import CACHE_DIRNAME, content_digest
from ssot_lint.config import load_config
from ssot_lint.files.discovery import list_files
from ssot_lint.engine.run import run_check


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.email=t@example.com", "-c", "user.name=t",
                           "-c", "commit.gpgsign=false", *args], check=True, capture_output=True, text=True).stdout


def committed_fixtures(tmp_path: Path) -> Path:
    """fixtures_repo as a git repository of its own, everything committed."""
    origin = tmp_path / "origin"
    shutil.copytree(FIXTURES_REPO, origin, ignore=shutil.ignore_patterns(CACHE_DIRNAME, "__pycache__"))
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "fixtures")
    return origin


def check(folder: Path, **options):
    return run_check(load_config(folder / "pyproject.toml"), jobs=1, use_cache=True, **options)


def rows(result):
    return [(v.code, v.path, v.line, v.column, v.message, v.fingerprint) for v in result.violations]


def test_the_content_hash_is_gits_blob_id():
    for data in (b"", b"x = 1\n", "café = 1\n".encode(), bytes(range(256))):
        blob = subprocess.run(["git", "hash-object", "--stdin"], input=data, capture_output=True, check=True)
        assert content_digest(data) == blob.stdout.decode().strip()


def test_git_vouches_for_clean_tracked_files_only(tmp_path):
    origin = committed_fixtures(tmp_path)
    service = origin / "netra_backend/app/services/agent_service.py"
    service.write_text(service.read_text() + "\nX = 1\n")  # modified in the work tree
    (origin / "netra_backend/app/untracked.py").write_text("Y = 2\n")  # not tracked
    files = {f.relpath: f for f in list_files(load_config(origin / "pyproject.toml")).files}
    assert files["netra_backend/app/services/agent_service.py"].blob is None
    assert files["netra_backend/app/untracked.py"].blob is None
    clean = files["netra_backend/app/config.py"]
    assert clean.blob == content_digest((origin / "netra_backend/app/config.py").read_bytes())


def test_files_whose_checkout_rewrites_them_are_read(tmp_path):
    origin = committed_fixtures(tmp_path)
    (origin / ".gitattributes").write_text("netra_backend/app/config.py eol=crlf\n")
    files = {f.relpath: f for f in list_files(load_config(origin / "pyproject.toml")).files}
    assert files["netra_backend/app/config.py"].blob is None  # its checkout may differ from the blob
    assert files["netra_backend/app/services/agent_service.py"].blob is not None
    git(origin, "config", "core.autocrlf", "true")
    assert all(f.blob is None for f in list_files(load_config(origin / "pyproject.toml")).files)


def test_a_fresh_clone_with_the_cache_restored_reads_no_file_and_gives_the_same_answer(tmp_path):
    """What CI does: a new checkout (new path, new mtimes) and the last run's cache put back."""
    origin = committed_fixtures(tmp_path)
    first = check(origin)
    assert first.files_read == first.files_analysed
    clone = tmp_path / "elsewhere" / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(origin), str(clone)], check=True)
    shutil.copytree(origin / CACHE_DIRNAME, clone / CACHE_DIRNAME)
    again = check(clone)
    assert rows(again) == rows(first)
    assert (again.files_read, again.files_parsed) == (0, 0)
    assert again.answer_kept


def test_a_fresh_clone_with_a_change_analyses_it_from_the_cached_facts_of_the_rest(tmp_path):
    origin = committed_fixtures(tmp_path)
    check(origin)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(origin), str(clone)], check=True)
    shutil.copytree(origin / CACHE_DIRNAME, clone / CACHE_DIRNAME)
    service = clone / "netra_backend/app/services/agent_service.py"
    service.write_text(service.read_text().replace("netra_backend.app.core.managers.execution_engine_factory",
                                                   "netra_backend.app.agents.supervisor.execution_engine_factory"))
    result = check(clone)
    assert result.files_read == 1 and result.files_parsed == 1  # the changed file only
    fresh = run_check(load_config(clone / "pyproject.toml"), jobs=1, use_cache=False)
    assert rows(result) == rows(fresh)

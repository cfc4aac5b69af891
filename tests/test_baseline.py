"""The baseline ratchet: survives line moves, fails on new violations, only ever shrinks."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import FIXTURES_REPO, ssot

NEW_IMPORT = "from netra_backend.app.core.managers.execution_engine_factory import ExecutionEngineFactory\n"


@pytest.fixture
def repo(tmp_path):
    target = tmp_path / "repo"
    shutil.copytree(FIXTURES_REPO, target, ignore=shutil.ignore_patterns(".ssot_lint_cache", "__pycache__"))
    recorded = ssot(target, "baseline")
    assert recorded.returncode == 0 and "recorded 60 violations" in recorded.stdout, recorded.stderr
    return target


def test_known_violations_pass_and_survive_lines_inserted_above_them(repo):
    clean = ssot(repo, "check", "--baseline", ".ssot-lint-baseline.json")
    assert clean.returncode == 0 and "60 known violations remain in the baseline" in clean.stdout
    service = repo / "netra_backend/app/services/agent_service.py"
    service.write_text("# a new header\n# over several lines\n\n" + service.read_text(), encoding="utf-8")
    moved = ssot(repo, "check", "--baseline", ".ssot-lint-baseline.json")
    assert moved.returncode == 0, moved.stdout


def test_a_new_violation_fails_and_is_the_only_one_reported(repo):
    (repo / "netra_backend/app/models/message.py").write_text(
        (repo / "netra_backend/app/models/message.py").read_text() + NEW_IMPORT, encoding="utf-8")
    run = ssot(repo, "check", "--baseline", ".ssot-lint-baseline.json", "--output-format", "json")
    assert run.returncode == 1
    assert [(v["code"], v["filename"]) for v in json.loads(run.stdout)] == \
        [("SSOT002", "netra_backend/app/models/message.py")]


def test_update_drops_fixed_entries_and_adds_new_ones_only_with_force(repo):
    baseline = repo / ".ssot-lint-baseline.json"
    service = repo / "netra_backend/app/services/agent_service.py"  # one SSOT002, through shim 1
    service.write_text(service.read_text().replace("netra_backend.app.core.managers.execution_engine_factory",
                                                   "netra_backend.app.agents.supervisor.execution_engine_factory"))
    message = repo / "netra_backend/app/models/message.py"
    message.write_text(message.read_text() + NEW_IMPORT, encoding="utf-8")
    refused = ssot(repo, "baseline")
    assert refused.returncode == 2 and "already exists" in refused.stderr
    updated = ssot(repo, "baseline", "--update")
    assert updated.returncode == 0
    assert "1 fixed entry dropped, 0 added, 59 remain; 1 new violation(s) not added" in updated.stdout
    assert len(json.loads(baseline.read_text())["violations"]) == 59
    assert ssot(repo, "check", "--baseline", str(baseline)).returncode == 1  # the new one still fails
    forced = ssot(repo, "baseline", "--update", "--force")
    assert "0 fixed entries dropped, 1 added, 60 remain" in forced.stdout
    assert ssot(repo, "check", "--baseline", str(baseline)).returncode == 0


def test_a_missing_or_broken_baseline_is_a_usage_error(repo):
    missing = ssot(repo, "check", "--baseline", "nope.json")
    assert missing.returncode == 2 and "nope.json: no such baseline" in missing.stderr
    (repo / "broken.json").write_text("{", encoding="utf-8")
    broken = ssot(repo, "check", "--baseline", "broken.json")
    assert broken.returncode == 2 and "broken.json: not a readable ssot-lint baseline" in broken.stderr


def test_update_on_paths_leaves_the_entries_of_other_files_alone(repo):
    """Only the files given were checked: a fixed violation elsewhere is not dropped until they are."""
    baseline = repo / ".ssot-lint-baseline.json"
    service = repo / "netra_backend/app/services/agent_service.py"  # one SSOT002, through shim 1
    service.write_text(service.read_text().replace("netra_backend.app.core.managers.execution_engine_factory",
                                                   "netra_backend.app.agents.supervisor.execution_engine_factory"))
    elsewhere = ssot(repo, "baseline", "--update", "netra_backend/app/models")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "0 fixed entries dropped, 0 added, 60 remain" in elsewhere.stdout
    assert len(json.loads(baseline.read_text())["violations"]) == 60
    there = ssot(repo, "baseline", "--update", "netra_backend/app/services")
    assert "1 fixed entry dropped, 0 added, 59 remain" in there.stdout

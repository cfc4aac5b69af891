"""Files that vanish or change while a run reads the project: the vanished one is reported, the rest is
linted; a changed one is analysed as it was read (each file is read once per run), and the next run sees
the change (the cache never pairs old facts with the new content)."""

from __future__ import annotations

from helpers import CANONICAL_IMPORT, SHIM_IMPORT, make_config, write_tree
from ssot_lint.engine.run import run_check
from ssot_lint.rule import EXAMPLE_FILES
from ssot_lint.files.reader import SourceReader



def test_a_file_that_vanishes_after_discovery_is_reported_and_the_rest_linted(tmp_path, monkeypatch):
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/gone.py": SHIM_IMPORT, "app/service.py": SHIM_IMPORT})
    real_load = SourceReader._load

    def load(self, source):
        if source.relpath == "app/gone.py":
            (tmp_path / "app/gone.py").unlink()  # deleted between the listing and the reading
        return real_load(self, source)

    monkeypatch.setattr(SourceReader, "_load", load)
    result = run_check(make_config(tmp_path), jobs=1, use_cache=True)
    found = {(v.path, v.code, v.message) for v in result.violations}
    assert ("app/gone.py", "SSOT000", "cannot read: No such file or directory") in found
    assert any(path == "app/service.py" and code == "SSOT002" for path, code, _ in found)


def test_a_file_changed_after_it_was_read_is_analysed_as_read_and_the_next_run_sees_the_change(
        tmp_path, monkeypatch):
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/service.py": SHIM_IMPORT})
    real_load = SourceReader._load
    edits = []

    def load(self, source):
        data = real_load(self, source)
        if source.relpath == "app/service.py" and not edits:
            (tmp_path / "app/service.py").write_text("# fixed meanwhile\n" + CANONICAL_IMPORT)  # saved by an editor
            edits.append(source.relpath)
        return data

    monkeypatch.setattr(SourceReader, "_load", load)
    config = make_config(tmp_path)
    first = run_check(config, jobs=1, use_cache=True)
    assert [(v.path, v.line, v.code) for v in first.violations] == [("app/service.py", 1, "SSOT002")]
    second = run_check(config, jobs=1, use_cache=True)
    assert second.violations == ()
    assert edits == ["app/service.py"]


def test_a_file_read_again_after_it_changed_is_cached_under_what_was_read_then(tmp_path, monkeypatch):
    """The bytes of a file that matches nothing are let go after the scan (memory); if resolution then
    reads it again and it has changed meanwhile, its facts must not be cached under the old content's hash."""
    from ssot_lint.files.cache import FactsCache, content_digest
    from ssot_lint.files.discovery import discover
    from ssot_lint.files.reader import SourceReader as Reader

    write_tree(tmp_path, {**EXAMPLE_FILES, "app/plain.py": "X = 1\n"})
    config = make_config(tmp_path)
    source = next(f for f in discover(config) if f.relpath == "app/plain.py")
    reader = Reader(FactsCache(tmp_path), jobs=1)
    from ssot_lint.engine.prefilter import initial_tokens

    assert not reader.matches(source, initial_tokens(config))  # read, scanned, let go
    before = reader.stamp(source).digest
    (tmp_path / "app/plain.py").write_text("Y = 2\n")  # edited meanwhile
    facts, = reader.facts_of([source], module_view=True)
    assert [b.name for b in facts.bindings] == ["Y"]  # what was read now
    assert reader.cache.get(before, module_view=True) is None  # not under the old content's hash
    assert reader.cache.get(content_digest(b"Y = 2\n"), module_view=True) == facts
    assert reader.files_read == 1  # one file, though read twice

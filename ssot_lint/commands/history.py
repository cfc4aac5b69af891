"""`ssot-lint report --history REV_RANGE`: the report's figures at each commit, read from git objects.

Nothing is checked out and the work tree is not touched: each commit's files are
listed with `git ls-tree`, and read with one long-running `git cat-file --batch`.
A blob is read, scanned and parsed at most once for the whole history (most
files do not change from one commit to the next); its id is the cache's content
hash, so nothing is hashed, and a blob an earlier run scanned or parsed is not
even read. `report_with_history` puts the figures beside the work tree's report
(or, where the work tree cannot give one, the last commit's).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ssot_lint.commands.baseline import Baseline
from ssot_lint.files.cache import FactsCache, FileStamp
from ssot_lint.config import Config, ConfigError
from ssot_lint.files.discovery import SourceFile, sources_at
from ssot_lint.engine.run import analyse, analyse_files, cyclic_gc_paused, finalise
from ssot_lint.engine.selection import select_rules
from ssot_lint.facts.model import FileFacts
from ssot_lint.commands.output import ProgressBar, finish
from ssot_lint.commands.report import CommitSource, Report, build_report, point_figures
from ssot_lint.engine.reuse import AnalysisRecord
from ssot_lint.files.reader import SourceReader


@dataclass
class HistoryPoint:
    commit: str  # abbreviated hash
    date: str  # committer date, ISO 8601
    subject: str
    violations: Optional[int] = None  # None: no canonical symbol is in this commit, so nothing was counted
    symbols: Dict[str, Dict[str, object]] = field(default_factory=dict)  # symbol -> figures (`point_figures`)
    missing: Dict[str, str] = field(default_factory=dict)  # symbol -> why it has no figures here (not there yet)


@dataclass(frozen=True)
class Repository:
    """Where the history is read from."""

    folder: Path  # where to run git
    prefix: str  # the project's folder in the commits' trees: "" (their root) or "sub/"
    work_tree: bool  # the config's folder is in the repository's checkout, which can give the current figures


def find_repository(config: Config) -> Repository:
    """The repository holding the config's folder; else (a bare clone, with the config kept outside it) the
    one holding the current folder, the project at the root of its trees."""
    for folder in (config.root, Path.cwd()):
        run = subprocess.run(["git", "-C", str(folder), "rev-parse", "--is-bare-repository"], capture_output=True,
                             timeout=600)
        if run.returncode != 0:
            continue  # not in a repository
        if run.stdout.strip() == b"true" or folder != config.root:
            return Repository(folder, "", work_tree=False)
        toplevel = Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip()).resolve()
        try:
            prefix = config.root.relative_to(toplevel).as_posix()
        except ValueError:
            raise ConfigError(f"--history: {config.root} is not inside the git repository {toplevel}") from None
        return Repository(toplevel, "" if prefix == "." else prefix + "/", work_tree=True)
    raise ConfigError(f"--history: neither {config.root} nor the current folder is in a git repository")


def _git(root: Path, *args: str) -> bytes:
    run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=600)
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"--history: git {' '.join(args[:2])}: {message[-1] if message else 'failed'}")
    return run.stdout


def list_commits(root: Path, rev_range: str, every: int) -> List[Tuple[str, str, str]]:
    """(hash, date, subject) of the commits in the range, oldest first; every Nth, and always the last."""
    out = _git(root, "log", "--reverse", "--first-parent", "--format=%H%x00%cI%x00%s", rev_range, "--")
    commits = [tuple(line.split("\0", 2)) for line in out.decode("utf-8", "replace").splitlines() if line]
    if every > 1 and commits:
        commits = [c for i, c in enumerate(commits) if i % every == 0 or i == len(commits) - 1]
    return commits  # type: ignore[return-value]


class GitBlobs:
    """One `git cat-file --batch` for the whole history, and what was learnt of each blob."""

    def __init__(self, root: Path, known_facts: Optional[Dict[str, FileFacts]] = None):
        self.known_facts = known_facts or {}  # by content hash: the work tree's, until the first analysis
        self.process = subprocess.Popen(["git", "-C", str(root), "cat-file", "--batch"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)
        self.facts: Dict[str, FileFacts] = {}
        self.matches: Dict[Tuple[str, str], bool] = {}

    def read(self, blob: str) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(blob.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3:
            raise ConfigError(f"--history: git cat-file cannot read blob {blob}")
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)  # the newline after the content
        return data

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


class GitSourceReader(SourceReader):
    """A SourceReader over one commit's blobs, sharing what is known of each blob across commits."""

    reads_work_tree = False

    def __init__(self, cache: FactsCache, jobs: Optional[int], blobs: GitBlobs, blob_of: Dict[str, str],
                 progress: Optional[Callable[[int, int], None]] = None):
        super().__init__(cache, jobs, progress, known_facts=blobs.known_facts)
        self.blobs = blobs
        self.blob_of = blob_of

    def stamp(self, source: SourceFile) -> Optional[FileStamp]:
        return FileStamp(0, 0, self.blob_of[source.relpath])  # a blob id is the content hash (cache.content_digest)

    def _load(self, source: SourceFile) -> bytes:
        return self.blobs.read(self.blob_of[source.relpath])

    def matches(self, source: SourceFile, tokens) -> bool:
        """Remembered for the whole history; the cache's memo serves too (a blob id is the content hash the
        work tree's analysis remembered its scans under), so the first commit reads few blobs."""
        key = (tokens.key, f"{self.blob_of[source.relpath]}:{source.module}")
        if key not in self.blobs.matches:
            self.blobs.matches[key] = super().matches(source, tokens)
        return self.blobs.matches[key]

    def facts_of(self, sources: Sequence[SourceFile], module_view: bool = False) -> List[FileFacts]:
        known = self.blobs.facts
        missing = [s for s in sources if self.blob_of[s.relpath] not in known
                   or (known[self.blob_of[s.relpath]].module_view_only and not module_view)]
        for source, facts in zip(missing, super().facts_of(missing, module_view)):
            known[self.blob_of[source.relpath]] = facts
        return [known[self.blob_of[s.relpath]] for s in sources]


def report_with_history(config: Config, rev_range: str, every: int, baseline: Optional[Baseline],
                        covered: Callable[[str], bool], use_cache: bool = True,
                        progress_bar: Callable[..., Optional[ProgressBar]] = lambda *args, **kwargs: None,
                        notify: Callable[[str], None] = lambda message: None) -> Report:
    """The report of the work tree and the figures of each commit of the range. Each commit is analysed
    against the current configuration, a canonical missing there being no error; when the work tree cannot
    give the current figures (a bare clone, or a checkout without the canonical), the last commit does, and
    `notify` is told so. `progress_bar(label, unit, minimum=...)`: a bar for each stage, or None."""
    why_not = None
    if not find_repository(config).work_tree:
        why_not = f"the configuration's folder {config.root} is not in a git work tree"
    else:
        try:
            project, violations = analyse(config, use_cache=use_cache, progress=progress_bar())
        except ConfigError as exc:  # the configuration does not match the work tree
            problems = "; ".join(p[len(f"{config.path}: "):] if p.startswith(f"{config.path}: ") else p
                                 for p in exc.problems)  # all of one file, named once
            why_not = f"the work tree does not match {config.path} ({problems})"
    if why_not is None:
        report = build_report(project, violations, baseline, covered=covered)
        known_facts = project.reader.known_facts  # history parses none of the files it already read
        del project  # (freed before the commits' projects are built)
    else:
        report, known_facts = report_at_last_commit(config, rev_range, why_not, baseline, use_cache=use_cache,
                                                    progress=progress_bar(), covered=covered)
        assert report.at_commit is not None
        notify(f"ssot-lint: {why_not}: the current figures are those of commit {report.at_commit.commit}, "
               f"the last of {rev_range}")
    bar = progress_bar("reading history", "commits", minimum=2)
    report.history = compute_history(config, rev_range, every, use_cache=use_cache, progress=bar,
                                     known_facts=known_facts, covered=covered)
    finish(bar)
    return report


def compute_history(config: Config, rev_range: str, every: int = 1, jobs: Optional[int] = None,
                    use_cache: bool = True, progress: Optional[Callable[[int, int], None]] = None,
                    known_facts: Optional[Dict[str, FileFacts]] = None,
                    covered: Callable[[str], bool] = lambda relpath: True) -> List[HistoryPoint]:
    """`known_facts`: facts already extracted in this run (the work tree's), by content hash. `covered`: the
    files to count (`report PATHS`)."""
    repository = find_repository(config)
    commits = list_commits(repository.folder, rev_range, every)
    cache = FactsCache(config.root, enabled=use_cache)
    rules = select_rules(config.select, config.ignore)
    blobs = GitBlobs(repository.folder, known_facts)
    trees = _Trees(config, repository)
    points = []
    previous: Optional[_Analysed] = None
    with cyclic_gc_paused():
        try:
            for index, commit in enumerate(commits, start=1):
                point, previous = _point(config, trees, commit, cache, rules, blobs, jobs, previous, covered)
                points.append(point)
                blobs.known_facts = {}  # the blobs' own facts serve from here on; memory stays that of one commit
                if progress is not None:
                    progress(index, len(commits))
        finally:
            blobs.close()
            cache.save()
    return points


def report_at_last_commit(config: Config, rev_range: str, reason: str, baseline: Optional[Baseline] = None,
                          jobs: Optional[int] = None, use_cache: bool = True,
                          progress: Optional[Callable[[int, int], None]] = None,
                          covered: Callable[[str], bool] = lambda relpath: True,
                          ) -> Tuple[Report, Dict[str, FileFacts]]:
    """The report of the range's last commit, read from git objects, for when the work tree cannot give the
    current figures (`reason`: a bare clone, or a checkout without the canonical module); and the facts it
    extracted, by content hash, for the history to reuse. A canonical missing there too is in `report.missing`."""
    repository = find_repository(config)
    commits = list_commits(repository.folder, rev_range, 1)
    if not commits:
        raise ConfigError(f"--history: {rev_range} has no commits")
    commit, date, subject = commits[-1]
    blob_of = _python_blobs(repository.folder, commit, repository.prefix)
    cache = FactsCache(config.root, enabled=use_cache)
    blobs = GitBlobs(repository.folder)
    try:
        with cyclic_gc_paused():
            reader = GitSourceReader(cache, jobs, blobs, blob_of, progress)
            analysis = analyse_files(config, select_rules(config.select, config.ignore), jobs=jobs,
                                     files=sources_at(config, blob_of), reader=reader, missing="skip")
            # The report reads the project, which loads modules from the blobs on demand: build it before closing.
            report = build_report(analysis.project, finalise(analysis.violations), baseline, covered=covered)
    finally:
        blobs.close()
        cache.save()
    report.at_commit = CommitSource(commit[:10], date, subject, reason)
    return report, reader.known_facts


@dataclass
class _Analysed:
    """What one analysed commit leaves for the next: the figures, and what they depended on."""

    point: HistoryPoint
    blob_of: Dict[str, str]
    record: AnalysisRecord  # what the figures depended on


class _Trees:
    """Each commit's Python files, as the one before them plus what changed (`git diff-tree`: most commits
    change a few files, and listing and naming all of a large tree's files at every commit was most of
    the time a long history took)."""

    def __init__(self, config: Config, repository: Repository):
        self.config, self.repository = config, repository
        self.commit: Optional[str] = None
        self.blob_of: Dict[str, str] = {}
        self._sources: Dict[str, Optional[SourceFile]] = {}  # by relpath; None: not part of the project

    def at(self, commit: str) -> Tuple[Dict[str, str], List[SourceFile]]:
        """relpath -> blob id of the commit's `.py` files, and its source files (sorted)."""
        folder, prefix = self.repository.folder, self.repository.prefix
        if self.commit is None:
            blob_of = _python_blobs(folder, commit, prefix)
        else:
            blob_of = dict(self.blob_of)
            for path, blob in _changed_blobs(folder, self.commit, commit, prefix):
                if blob is None:
                    blob_of.pop(path, None)
                else:
                    blob_of[path] = blob
        self.commit, self.blob_of = commit, blob_of
        new = [path for path in blob_of if path not in self._sources]
        if new:
            named = {source.relpath: source for source in sources_at(self.config, new)}
            self._sources.update((path, named.get(path)) for path in new)
        files = [self._sources[path] for path in sorted(blob_of)]
        return blob_of, [source for source in files if source is not None]


def _point(config: Config, trees: _Trees, commit: Tuple[str, str, str], cache: FactsCache,
           rules, blobs: GitBlobs, jobs: Optional[int], previous: Optional[_Analysed],
           covered: Callable[[str], bool]) -> Tuple[HistoryPoint, Optional[_Analysed]]:
    point = HistoryPoint(commit[0][:10], commit[1], commit[2])
    blob_of, files = trees.at(commit[0])
    reader = GitSourceReader(cache, jobs, blobs, blob_of)
    if previous is not None and _same_analysis(previous, blob_of, files, reader, blobs):
        point.violations, point.symbols = previous.point.violations, previous.point.symbols
        return point, _Analysed(point, blob_of, previous.record)
    # Keep what is known of the blobs still in the tree only: memory stays that of one commit.
    current = set(blob_of.values())
    blobs.facts = {blob: facts for blob, facts in blobs.facts.items() if blob in current}
    # The current configuration at every commit: a canonical not there yet has no figures, and says why;
    # a declared shim not there (yet, or any more) is no error.
    analysis = analyse_files(config, rules, jobs=jobs, files=files, reader=reader, missing="skip")
    report = build_report(analysis.project, finalise(analysis.violations), covered=covered)
    record = analysis.record
    point.violations, point.missing = report.violations, report.missing
    point.symbols = {s.symbol: point_figures(s) for s in report.symbols}
    # Reuse is proven for analyses that found every canonical (tests/test_property_history.py): a commit that
    # lacks one is followed by a full analysis.
    return point, _Analysed(point, blob_of, record) if record is not None and not point.missing else None


def _same_analysis(previous: _Analysed, blob_of: Dict[str, str], files: List[SourceFile],
                   reader: "GitSourceReader", blobs: GitBlobs) -> bool:
    """Would this commit's analysis read exactly what the previous one read? Then its figures stand.

    It would if the same files exist (so every import resolves alike) and the changed files are
    unchanged where the analysis read them (reuse.py): an edited comment or docstring, or a function
    added to a module that resolution only passed through, changes nothing it read."""
    if blob_of.keys() != previous.blob_of.keys():
        return False
    by_path = {source.relpath: source for source in files}
    changed = [by_path[relpath] for relpath, blob in blob_of.items()
               if blob != previous.blob_of[relpath] and relpath in by_path]
    return previous.record.still_stands(changed, reader, lambda relpath: blobs.facts.get(previous.blob_of[relpath]))


def _changed_blobs(toplevel: Path, before: str, after: str, prefix: str) -> List[Tuple[str, Optional[str]]]:
    """(relpath, blob id, or None if deleted) of each regular `.py` file that differs between two commits."""
    out = _git(toplevel, "diff-tree", "-r", "-z", "--no-renames", before, after)
    fields = out.split(b"\0")
    changed = []
    for meta, path in zip(fields[0::2], fields[1::2]):  # ":old-mode new-mode old-blob new-blob status", path
        parts = meta.split()
        if len(parts) != 5:
            continue
        name = path.decode("utf-8", "surrogateescape")
        if not name.endswith(".py") or not name.startswith(prefix):
            continue
        regular = parts[1] in (b"100644", b"100755")
        changed.append((name[len(prefix):], parts[3].decode() if regular and parts[4] != b"D" else None))
    return changed


def _python_blobs(toplevel: Path, commit: str, prefix: str) -> Dict[str, str]:
    """relpath (to the project root) -> blob id, for each regular `.py` file of the commit."""
    out = _git(toplevel, "ls-tree", "-r", "-z", "--full-tree", commit)
    found = {}
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        mode, kind, blob = meta.split()
        name = path.decode("utf-8", "surrogateescape")
        if kind == b"blob" and mode in (b"100644", b"100755") and name.endswith(".py") and name.startswith(prefix):
            found[name[len(prefix):]] = blob.decode()
    return found

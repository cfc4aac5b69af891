"""Building the project the rules read: discover -> prefilter -> extract facts -> build graph -> resolve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, Mapping, Optional, Sequence

from ssot_lint.analysis.depends import DependentAnswers
from ssot_lint.analysis.graph import ModuleInfo, ProjectGraph
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import ORDER, Resolver
from ssot_lint.config import Config
from ssot_lint.engine.prefilter import PrefilterRun, add_checked, check_matching, initial_tokens
from ssot_lint.files.cache import FactsCache
from ssot_lint.files.discovery import SourceFile, discover
from ssot_lint.files.reader import SourceReader
from ssot_lint.files.tokens import Tokens


@dataclass
class Resident:
    """What a resident analysis (workspace.py) keeps from one analysis for the next: the modules loaded, by
    path, and the answers of resolution and of the project's per-module questions, each with the modules it
    read, all of the contents `digests` gives. Before an analysis, `catch_up` with the contents as they are."""

    digests: Dict[str, Optional[str]] = field(default_factory=dict)  # by path (None: the file was unreadable)
    modules: Dict[str, ModuleInfo] = field(default_factory=dict)
    answers: DependentAnswers = field(default_factory=lambda: DependentAnswers(tracking=True))
    # Which files match a token set, and whether a file's view is enough for it, by path (SourceReader).
    matches: Dict[Tokens, Dict[str, bool]] = field(default_factory=dict)
    views: Dict[Tokens, Dict[str, bool]] = field(default_factory=dict)

    def catch_up(self, files: Sequence[SourceFile], digests: Mapping[str, Optional[str]]) -> None:
        """The files are now these, with these contents: forget the modules of the files that changed, and
        every answer that read one of them or that depended on the order of the questions. (Files that came
        or went change what a module name is, and where a relative import leads: then it starts afresh.)
        What the next analysis adds is of these contents, even if it fails."""
        if digests.keys() != self.digests.keys():
            self.modules, self.matches, self.views = {}, {}, {}
            self.answers = DependentAnswers(tracking=True)
        else:
            changed = [source for source in files if digests[source.relpath] != self.digests[source.relpath]]
            for source in changed:
                self.modules.pop(source.relpath, None)
                for known in (*self.matches.values(), *self.views.values()):
                    known.pop(source.relpath, None)
            self.answers.forget({ORDER, *(source.module for source in changed)})
        self.digests = dict(digests)

    def keep(self, graph: ProjectGraph) -> None:
        """What a finished analysis loaded (after its rules: they load modules too)."""
        self.modules = {info.file.relpath: info for info in [*graph.modules.values(), *graph.checked.values()]}

    def lend(self, reader: SourceReader) -> None:
        """Let the reader of the next analysis use (and add to) what is known of the files' matches."""
        reader.known_matches, reader.known_views = self.matches, self.views


@dataclass(frozen=True)
class Built:
    project: Project
    prefilter: Optional[PrefilterRun]  # None without the prefilter


def build(config: Config, jobs: Optional[int] = None, *, use_cache: bool = False, prefilter: bool = True,
          files: Optional[Sequence[SourceFile]] = None, cache: Optional[FactsCache] = None,
          progress: Optional[Callable[[int, int], None]] = None, reader: Optional[SourceReader] = None,
          missing: str = "error", resident: Optional[Resident] = None) -> Built:
    """Discover, read and resolve the project; with `prefilter`, parse only what can matter.

    `files` and `reader` let a caller analyse another tree than the work tree (a git commit); `missing`
    says what a canonical symbol the project lacks is (see `Project`); `resident`, what an earlier analysis of
    the same files left that still holds (it is updated with this one's)."""
    files = discover(config) if files is None else files
    reader = reader or SourceReader(cache or FactsCache(config.root, enabled=use_cache), jobs, progress)
    graph = ProjectGraph(files, load_many=reader.facts_of, seed=resident.modules if resident is not None else None)
    answers = resident.answers if resident is not None else None
    initial = initial_tokens(config)
    by_path = {f.relpath: f for f in files}

    def mentions(relpath: str) -> bool:  # (SSOT000 reports only files whose text names something tracked)
        return reader.matches(by_path[relpath], initial)

    if prefilter:
        project, run = check_matching(config, graph, reader, files, missing=missing, mentions=mentions,
                                      answers=answers)
    else:
        add_checked(graph, reader, files, None)
        project, run = Project(config, graph, resolver=Resolver(graph, answers), mentions_configured_name=mentions,
                               reader=reader, missing=missing), None
    # The rules follow the imports of the checked modules that may matter into the modules they name: read
    # those in one parallel batch rather than one at a time on demand (in a fixed order: it is the graph's).
    def followed(info: ModuleInfo) -> FrozenSet[str]:
        return frozenset(m for b in info.rule_facts.bindings if project.follows_import(info, b)
                         for m in graph.imported_modules(info, b, parents=False))

    graph.preload(sorted(set().union(*(project.per_module("followed imports", info, (project.tokens, info.view_enough),
                                                          lambda: followed(info)) for info in graph.checked.values()))))
    reader.cache.save()
    return Built(project, run)


def build_project(config: Config, jobs: Optional[int] = None, **options) -> Project:
    """The project alone (see `build`)."""
    return build(config, jobs, **options).project

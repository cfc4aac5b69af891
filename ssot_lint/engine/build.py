"""Building the project the rules read: discover -> prefilter -> extract facts -> build graph -> resolve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from ssot_lint.analysis.graph import ProjectGraph
from ssot_lint.analysis.project import Project
from ssot_lint.config import Config
from ssot_lint.engine.prefilter import PrefilterRun, add_checked, check_matching, initial_tokens
from ssot_lint.files.cache import FactsCache
from ssot_lint.files.discovery import SourceFile, discover
from ssot_lint.files.reader import SourceReader


@dataclass(frozen=True)
class Built:
    project: Project
    prefilter: Optional[PrefilterRun]  # None without the prefilter


def build(config: Config, jobs: Optional[int] = None, *, use_cache: bool = False, prefilter: bool = True,
          files: Optional[Sequence[SourceFile]] = None, cache: Optional[FactsCache] = None,
          progress: Optional[Callable[[int, int], None]] = None, reader: Optional[SourceReader] = None,
          missing: str = "error") -> Built:
    """Discover, read and resolve the project; with `prefilter`, parse only what can matter.

    `files` and `reader` let a caller analyse another tree than the work tree (a git commit); `missing`
    says what a canonical symbol the project lacks is (see `Project`)."""
    files = discover(config) if files is None else files
    reader = reader or SourceReader(cache or FactsCache(config.root, enabled=use_cache), jobs, progress)
    graph = ProjectGraph(files, load_many=reader.facts_of)
    initial = initial_tokens(config)
    by_path = {f.relpath: f for f in files}

    def mentions(relpath: str) -> bool:  # (SSOT000 reports only files whose text names something tracked)
        return reader.matches(by_path[relpath], initial)

    if prefilter:
        project, run = check_matching(config, graph, reader, files, missing=missing, mentions=mentions)
    else:
        add_checked(graph, reader, files, None)
        project, run = Project(config, graph, mentions_configured_name=mentions, reader=reader, missing=missing), None
    # The rules follow the imports of the checked modules that may matter into the modules they name: read
    # those in one parallel batch rather than one at a time on demand (in a fixed order: it is the graph's).
    graph.preload(sorted({m for info in graph.checked.values() for b in info.rule_facts.bindings
                          if project.follows_import(info, b) for m in graph.imported_modules(info, b, parents=False)}))
    reader.cache.save()
    return Built(project, run)


def build_project(config: Config, jobs: Optional[int] = None, **options) -> Project:
    """The project alone (see `build`)."""
    return build(config, jobs, **options).project

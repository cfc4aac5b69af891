from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class UnresolvedImport(Rule):
    """
    ## What it does
    Finds an import of a canonical-like name (the canonical's name or a
    `lookalikes` pattern), or of anything from a shim, from a project module
    that does not exist or that does not define the name: a path broken by the
    migration. A module with a module-level `__getattr__` (PEP 562) may hand out
    any name at runtime, so a name it does not bind is not reported as broken
    (SSOT011 reports it as handed out at runtime).

    ## Why is this bad?
    The import fails at runtime, often only on a rarely taken path (inside a
    function, or in a `try` whose `except ImportError` silently falls back to a
    second implementation).

    ## Example
    ```python
    def build():
        from app.old_factory import EngineFactory
    ```

    ## How to fix
    Import the canonical symbol from its canonical module.

    ## Fix safety
    No automatic fix: the import is broken at runtime already (or only works by
    accident), and where the name went is for a person to find out.
    """

    code = "SSOT009"
    name = "unresolved-import"
    summary = "An import of a canonical-like name, or from a shim, that does not resolve"

    VALID = (
        Example("from app.factory import EngineFactory\n"),
        Example("from external_lib import EngineFactory\n"),
    )
    INVALID = (
        Example("def build():\n    from app.old_factory import EngineFactory\n", lines=(2,),
                messages=(
                    "EngineFactory cannot be imported from app.old_factory: no module named app.old_factory; "
                    "import EngineFactory from app.factory",
                )),
        Example("from app.legacy import removed_helper\n", lines=(1,),
                messages=(
                    "removed_helper cannot be imported from app.legacy: app.legacy does not define "
                    "removed_helper; also SSOT002: removed_helper imported from shim app.legacy, which is "
                    "being retired; import EngineFactory from app.factory",
                )),
        Example("from app.factory import RequestEngineFactory\n", lines=(1,),
                messages=(
                    "RequestEngineFactory cannot be imported from app.factory: app.factory does not define "
                    "RequestEngineFactory; import EngineFactory from app.factory",
                )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        reported = set()  # (path, span): a site several canonicals concern is reported once
        for canonical in project.canonicals:
            for site in project.sites_in(canonical):
                where = (site.info.file.relpath, site.span)
                if site.resolution.kind is not TargetKind.UNRESOLVED or where in reported:
                    continue
                names = [n for n in (site.name, site.local_name) if n and n != "*"]
                if not (canonical.is_shim(site.source_module) or any(canonical.looks_like(n) for n in names)):
                    continue
                reported.add(where)
                what = site.name or site.local_name
                yield self.violation(
                    site.info, site.span,
                    f"{what} cannot be imported from {site.source_module}: {site.resolution.reason}; "
                    f"import {canonical.name} from {canonical.home}",
                    subject=Subject(Finding.UNRESOLVED_IMPORT, f"{site.source_module}:{what}"), canonical=canonical,
                )

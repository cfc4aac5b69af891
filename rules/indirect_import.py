from __future__ import annotations

from typing import Iterator

from ssot_lint.resolve import TargetKind
from ssot_lint.rule import Example, Rule, Violation


class IndirectImport(Rule):
    """
    ## What it does
    Finds an import that gets a canonical symbol through any module other than
    its own: a shim, a re-export, a package `__init__`, a star import, or
    `module.Name` off such a module. It follows the chain the way Python does,
    through aliases of aliases and star imports honouring `__all__`.

    Any import from a declared shim is reported too, whatever the name: a shim's
    own helpers keep people on the shim.

    ## Why is this bad?
    Every extra path to the canonical is a place where it can be replaced,
    patched or wrapped without anyone noticing, and each one keeps a shim alive
    that the team is trying to delete.

    ## Example
    ```python
    from app.legacy import EngineFactory
    ```

    ## How to fix
    Import the symbol from its canonical module:
    ```python
    from app.factory import EngineFactory
    ```
    """

    code = "SSOT002"
    name = "indirect-import"
    summary = "A canonical symbol imported through another module, or anything imported from a shim"

    VALID = (
        Example("from app.factory import EngineFactory\n"),
        Example("import app.factory as factories\n\nfactory = factories.EngineFactory\n"),
    )
    INVALID = (
        Example("from app.legacy import EngineFactory\n", lines=(1,)),
        Example("from app.legacy import make_factory\n", lines=(1,)),
        Example("from app import EngineFactory\n", lines=(1,),
                files={"app/__init__.py": "from app.factory import EngineFactory\n"}),
        Example("from app.legacy import *\n", lines=(1,)),
        Example("import app.legacy\n", lines=(1,)),
        Example(
            "def build():\n    from app.reexport import Factory\n    return Factory()\n",
            lines=(2,), files={"app/reexport.py": "from app.factory import EngineFactory as Factory\n"},
        ),
    )

    def check(self, project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            for site in project.sites_in(canonical):
                resolution = site.resolution
                reads_shim = canonical.is_shim(site.source_module) or (
                    resolution.kind is TargetKind.MODULE and canonical.is_shim(resolution.module))
                if canonical.is_canonical(resolution) and site.through:
                    chain = project.describe_chain(canonical, site.through)
                    alias = "" if site.name in (canonical.name, None) else f" (an alias of {canonical.name})"
                    how = "imported" if site.attribute is None else "read"  # `from m import X` / `m.X`
                    where = site.context.describe()
                    yield self.violation(
                        site.info, site.span,
                        f"{site.local_name}{alias} {how} through {chain}{f' ({where})' if where else ''}; "
                        f"import {canonical.name} from {canonical.home}",
                        subject=f"{site.source_module}:{site.name} as {site.local_name}",
                        canonical=canonical, chain=(site.info.name, *site.through, canonical.module),
                    )
                elif site.name == "*" or site.local_name == "*":
                    if reads_shim or self._star_brings(project, canonical, site):
                        yield self.violation(
                            site.info, site.span,
                            f"star import from {project.describe_module(canonical, site.source_module)} "
                            f"brings in {canonical.name}; import {canonical.name} from {canonical.home}",
                            subject=f"{site.source_module}:*", canonical=canonical,
                            chain=(site.info.name, site.source_module or "", canonical.module),
                        )
                elif reads_shim and site.attribute is None:  # `m.helper` off an imported shim: its import is reported
                    yield self.violation(
                        site.info, site.span, self._shim_message(canonical, site),
                        subject=f"{site.source_module}:{site.name} as {site.local_name}",
                        canonical=canonical, chain=(site.info.name, site.source_module or ""),
                    )

    @staticmethod
    def _star_brings(project, canonical, site) -> bool:
        source = site.source_module
        return bool(source) and project.resolver.exports(source, canonical.name) and \
            canonical.is_canonical(project.resolver.resolve_import(source, canonical.name))

    @staticmethod
    def _shim_message(canonical, site) -> str:
        resolution = site.resolution
        if resolution.kind is TargetKind.MODULE:  # `import shim`, `from package import shim`
            return (f"shim module {resolution.module} imported, which is being retired; "
                    f"import {canonical.name} from {canonical.home} instead")
        shim, what = site.source_module, site.name
        target = resolution.target
        if target is not None and target[0] != shim and not canonical.is_shim(target[0]):
            advice = f"import {target[1]} from {target[0]}"
        else:
            advice = f"use {canonical.name} from {canonical.home} instead"
        return f"{what} imported from shim {shim}, which is being retired; {advice}"

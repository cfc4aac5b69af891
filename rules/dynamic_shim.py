from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind
from ssot_lint.rule import Example, Finding, Rule, Severity, Subject, Violation

_COMPAT = (
    "import warnings\n\n\n"
    "def __getattr__(name):\n"
    "    if name == 'EngineFactory':\n"
    "        warnings.warn('app.compat.EngineFactory moved to app.factory', DeprecationWarning)\n"
    "        from app.factory import EngineFactory\n"
    "        return EngineFactory\n"
    "    raise AttributeError(name)\n"
)


class DynamicShim(Rule):
    """
    ## What it does
    Finds an import of a canonical-like name (the canonical's name or a
    `lookalikes` pattern), or of anything from a shim, that a module hands out
    at runtime: the module does not bind the name, and its module-level
    `__getattr__` (PEP 562) decides what the importer gets, as a deprecation
    shim does when it warns and returns the class that moved. The import is
    reported where it is written, also when the name is read through other
    modules on the way (`from app.api import X`, where `app.api` imports it from
    the dynamic module).

    ## Why is this bad?
    What the import binds cannot be resolved statically: it may be the canonical
    (behind a warning), a second implementation, or nothing. ssot-lint claims
    neither, so the migration off the shim cannot be tracked through it, and a
    reader cannot tell where the class comes from either.

    ## Example
    ```python
    from app.compat import EngineFactory  # app.compat's __getattr__ returns it
    ```

    ## How to fix
    Import the canonical symbol from its canonical module.

    ## Fix safety
    No automatic fix: what the module hands out is decided when the code runs,
    and it need not be the canonical.
    """

    code = "SSOT011"
    name = "dynamic-shim"
    severity = Severity.WARNING  # what it binds is unknown, not known to be wrong
    summary = "An import of a canonical-like name, or from a shim, that a module-level `__getattr__` hands out"

    VALID = (
        Example("from app.factory import EngineFactory\n", files={"app/compat.py": _COMPAT}),
        # The module binds the name itself: its __getattr__ is never asked for it.
        Example("from app.compat import EngineFactory\n",
                files={"app/compat.py": "from app.factory import EngineFactory\n\n\n"
                                        "def __getattr__(name):\n    raise AttributeError(name)\n"}),
        # Another name, and not from a shim: nothing tracked.
        Example("from app.compat import helper\n", files={"app/compat.py": _COMPAT}),
    )
    INVALID = (
        Example("from app.compat import EngineFactory\n", lines=(1,), files={"app/compat.py": _COMPAT},
                messages=(
                    "EngineFactory is handed out at runtime by app.compat's module-level __getattr__: what "
                    "it is cannot be resolved statically; import EngineFactory from app.factory",
                )),
        Example("from app import compat\n\nfactory = compat.EngineFactory()\n", lines=(3,),
                files={"app/compat.py": _COMPAT},
                messages=(
                    "EngineFactory is handed out at runtime by app.compat's module-level __getattr__: what "
                    "it is cannot be resolved statically; import EngineFactory from app.factory",
                )),
        Example("from app.api import EngineFactory\n", lines=(1,),
                files={"app/compat.py": _COMPAT, "app/api.py": "from app.compat import EngineFactory\n"},
                messages=(
                    "EngineFactory is handed out at runtime by app.compat's module-level __getattr__ (read "
                    "through app.api): what it is cannot be resolved statically; import EngineFactory from "
                    "app.factory",
                )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        reported = set()  # (path, span): a site several canonicals concern is reported once
        for canonical in project.canonicals:
            for site in project.sites_in(canonical):
                resolution = site.resolution
                where = (site.info.file.relpath, site.span)
                if resolution.kind is not TargetKind.DYNAMIC or where in reported:
                    continue
                names = [n for n in (site.name, site.local_name, resolution.name) if n and n != "*"]
                if not (canonical.is_shim(site.source_module) or canonical.is_shim(resolution.module)
                        or any(canonical.looks_like(n) for n in names)):
                    continue
                reported.add(where)
                what = resolution.name or site.name or site.local_name
                through = "" if resolution.module == site.source_module else f" (read through {site.source_module})"
                yield self.violation(
                    site.info, site.span,
                    f"{what} is handed out at runtime by {resolution.module}'s module-level __getattr__{through}: "
                    f"what it is cannot be resolved statically; import {canonical.name} from {canonical.home}",
                    subject=Subject(Finding.DYNAMIC_SHIM, f"{resolution.module}:{what}"), canonical=canonical,
                )

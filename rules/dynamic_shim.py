from __future__ import annotations

from typing import Dict, Iterator, Set, Tuple

from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.graph import ModuleInfo
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.sites import ImportSite
from ssot_lint.analysis.resolve import TargetKind
from ssot_lint.facts.model import BindingKind, Span
from ssot_lint.rule import Example, Finding, Rule, Severity, Subject, Violation

# A deprecation shim as large projects write them (the runtime rules' examples use it too).
DEPRECATION_SHIM = (
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
    `lookalikes` pattern), or of anything from a shim, whose object a module
    decides at runtime, where no binding shows it:
    - the module does not bind the name, and its module-level `__getattr__`
      (PEP 562) hands it out, as a deprecation shim does when it warns and
      returns the class that moved; or its module-level writes to `globals()`
      (`globals()[name] = ...`, `globals().update(...)`,
      `setattr(sys.modules[__name__], name, ...)`) may bind it;
    - the module puts another object in its own place
      (`sys.modules[__name__] = ...`): whatever it binds, importers get that;
    - the module does not exist, and a package above it writes to `sys.modules`
      (`sys.modules["app.old_factory"] = factory`, or a computed key), as
      packages do to keep an old module path importable.

    The import is reported where it is written, also when the name is read
    through other modules on the way (`from app.api import X`, where `app.api`
    imports it from the dynamic module). `ssot-lint verify` says what it is at
    runtime (SSOT203). The dynamic module itself is reported where it decides
    (its `def __getattr__`, the write) when it is a shim of a canonical, with
    importers or not: declared in `shims`, importing the canonical or its module,
    or naming that module in a string (`importlib.import_module("app.factory")`).

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
    summary = ("An import of a canonical-like name, or from a shim, that a module decides at runtime (`__getattr__`, "
               "writes to `globals()` or `sys.modules`)")

    VALID = (
        Example("from app.factory import EngineFactory\n", files={"app/compat.py": DEPRECATION_SHIM}),
        # The module binds the name itself: its __getattr__ is never asked for it.
        Example("from app.compat import EngineFactory\n",
                files={"app/compat.py": "from app.factory import EngineFactory\n\n\n"
                                        "def __getattr__(name):\n    raise AttributeError(name)\n"}),
        # Another name, and not from a shim: nothing tracked.
        Example("from app.compat import helper\n", files={"app/compat.py": DEPRECATION_SHIM}),
        # A module-level __getattr__ that has nothing to do with the canonical.
        Example("def __getattr__(name):\n    raise AttributeError(name)\n", path="app/settings.py"),
        # A literal key that is another name: EngineFactory is not among what it may bind.
        Example("from app.moved import EngineFactory\n",
                files={"app/moved.py": "from app.factory import EngineFactory\n\nglobals()['Engine'] = None\n"}),
    )
    INVALID = (
        Example("from app.compat import EngineFactory\n", lines=(1,), files={"app/compat.py": DEPRECATION_SHIM},
                messages=(
                    "EngineFactory is handed out at runtime by app.compat's module-level __getattr__: what "
                    "it is cannot be resolved statically; import EngineFactory from app.factory",
                )),
        Example("from app import compat\n\nfactory = compat.EngineFactory()\n", lines=(3,),
                files={"app/compat.py": DEPRECATION_SHIM},
                messages=(
                    "EngineFactory is handed out at runtime by app.compat's module-level __getattr__: what "
                    "it is cannot be resolved statically; import EngineFactory from app.factory",
                )),
        Example("from app.moved import EngineFactory\n", lines=(1,),
                files={"app/moved.py": "import app.factory\n\n"
                                       "for _name in ('EngineFactory', 'Engine'):\n"
                                       "    globals()[_name] = getattr(app.factory, _name)\n"},
                messages=(
                    "EngineFactory may be bound at runtime by app.moved's writes to globals(): what it is "
                    "cannot be resolved statically; import EngineFactory from app.factory",
                )),
        Example("from app.old_factory import EngineFactory\n", lines=(1,),
                files={"app/__init__.py": "import sys\n\nfrom app import factory\n\n"
                                          "sys.modules['app.old_factory'] = factory\n"},
                messages=(
                    "EngineFactory is read from app.old_factory, which app may put in sys.modules at runtime: "
                    "what it is cannot be resolved statically; import EngineFactory from app.factory",
                )),
        Example("from app.deprecated import EngineFactory\n", lines=(1,),
                files={"app/deprecated.py": "import sys\n\nfrom app.factory import EngineFactory\n\n\n"
                                        "class _Deprecated:\n    pass\n\n\nsys.modules[__name__] = _Deprecated()\n"},
                messages=(
                    "EngineFactory is read from what app.deprecated puts in sys.modules in its own place: what it is "
                    "cannot be resolved statically; import EngineFactory from app.factory",
                )),
        # The shim itself, importers or not: it refers to the canonical's module.
        Example(DEPRECATION_SHIM, lines=(4,), path="app/compat.py",
                messages=(
                    "app.compat is a dynamic shim of EngineFactory: it decides at runtime what its importers get "
                    "(its module-level __getattr__), which cannot be resolved statically; move them to "
                    "app.factory, then remove it",
                )),
        Example("from app.api import EngineFactory\n", lines=(1,),
                files={"app/compat.py": DEPRECATION_SHIM, "app/api.py": "from app.compat import EngineFactory\n"},
                messages=(
                    "EngineFactory is handed out at runtime by app.compat's module-level __getattr__ (read "
                    "through app.api): what it is cannot be resolved statically; import EngineFactory from "
                    "app.factory",
                )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        yield from self._imports(project)
        yield from self._dynamic_shims(project)

    def _imports(self, project: Project) -> Iterator[Violation]:
        """The imports whose object a module decides at runtime."""
        reported = set()  # (path, span): a site several canonicals concern is reported once
        for canonical in project.canonicals:
            for site in project.sites_in(canonical):
                resolution = site.resolution
                where = (site.info.file.relpath, site.span)
                if where in reported or not decided_at_runtime(canonical, site):
                    continue
                reported.add(where)
                what = resolution.name or site.name or site.local_name
                through = "" if resolution.module == site.source_module else f" (read through {site.source_module})"
                yield self.violation(
                    site.info, site.span,
                    f"{what} {resolution.reason}{through}: what it is cannot be resolved statically; import "
                    f"{canonical.name} from {canonical.home}",
                    subject=Subject(Finding.DYNAMIC_SHIM, f"{resolution.module}:{what}"), canonical=canonical,
                )

    def _dynamic_shims(self, project: Project) -> Iterator[Violation]:
        """The modules that decide at runtime what they hand out and are shims of a canonical (declared, or
        referring to it: importing it or its module, naming its module in a string), even with no importer."""
        referring: Dict[str, Set[str]] = {}  # canonical symbol -> the modules that import it or its module
        for canonical in project.canonicals:
            referring[canonical.symbol] = {
                site.info.name for site in project.sites_in(canonical)
                if canonical.is_canonical(site.resolution) or (site.resolution.kind is TargetKind.MODULE
                                                               and canonical.is_home(site.resolution.module or ""))}
        for info in project.checked_modules:
            features = list(_dynamic_features(info))
            if not features:
                continue
            for canonical in project.canonicals:
                if canonical.is_home(info.name) or not (
                        canonical.is_shim(info.name) or info.name in referring[canonical.symbol]
                        or any(_names_module(ref.value, canonical) for ref in info.rule_facts.strings)):
                    continue
                for span, feature in features:
                    yield self.violation(
                        info, span,
                        f"{info.name} is a dynamic shim of {canonical.name}: it decides at runtime what its "
                        f"importers get ({feature}), which cannot be resolved statically; move them to "
                        f"{canonical.home}, then remove it",
                        subject=Subject(Finding.DYNAMIC_SHIM, f"{info.name} {feature}"), canonical=canonical,
                    )


def decided_at_runtime(canonical: Canonical, site: ImportSite) -> bool:
    """Does the site import a canonical-like name, or anything from a shim, whose object a module decides at
    runtime? What this rule reports; `report` counts them as import sites not migrated."""
    resolution = site.resolution
    if resolution.kind is not TargetKind.DYNAMIC:
        return False
    names = [n for n in (site.name, site.local_name, resolution.name) if n and n != "*"]
    return canonical.is_shim(site.source_module) or canonical.is_shim(resolution.module) \
        or any(canonical.looks_like(n) for n in names)


def _dynamic_features(info: ModuleInfo) -> Iterator[Tuple[Span, str]]:
    """Where and how a module decides at runtime what it binds."""
    for binding in info.bindings_of("__getattr__"):
        if binding.kind is BindingKind.FUNCTION:
            yield binding.span, "its module-level __getattr__"
    for write in info.structure.namespace_writes:
        if write.namespace == "globals":
            yield write.span, "its writes to globals()"
        elif write.key == "__name__":
            yield write.span, "it puts another object in its own place in sys.modules"
        else:
            yield write.span, f"it writes {write.key} into sys.modules" if write.key else "its writes to sys.modules"


def _names_module(text: str, canonical: Canonical) -> bool:
    """Does a dotted string name the canonical's module (or something in it)?"""
    path = text.replace(":", ".")
    return any(path == module or path.startswith(module + ".") for module in (canonical.home, canonical.module))

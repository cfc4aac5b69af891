from __future__ import annotations

from typing import Iterator, Tuple

from ssot_lint.facts.model import BindingKind
from ssot_lint.fixes.edits import (
    Applicability, ImportName, MoveImport, RetargetModuleImport, binding_in_scope, relative_or_absolute, safe, unsafe,
    why_not_import_name,
)
from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.project import Project
from ssot_lint.analysis.resolve import TargetKind
from ssot_lint.rule import EXAMPLE_FILES, Example, Finding, Rule, Subject, Violation

EXAMPLE_FACTORY = EXAMPLE_FILES["app/factory.py"]


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
    `--fix` does this for `from m import Name [as X]`, keeping the local name and
    the import's place, splitting a statement whose other names stay, and joining
    an earlier import from the canonical module in the same block. A name a shim
    re-exports from elsewhere moves to where it is defined. `import shim as m`
    becomes `import canonical as m` when every `m.<name>` in the file names the
    same object in both modules and the file uses `m` in no other way.
    `package.Name` (read through a package or module that re-exports it) becomes
    `Name`, imported from the canonical module right after the import of
    `package`, and the import of `package` goes when no read of it is left.
    Star imports, a shim's own helpers, `import shim` without `as` and
    `package.Name = ...` have no automatic fix.

    ## Fix safety
    Moving a from-import, and retargeting `import shim as m`, are safe: the same
    object is bound to the same name (the test suite imports generated trees
    before and after, and compares every binding). Replacing `package.Name` with
    `Name` is unsafe (`--unsafe-fixes`): the name is then bound when the module is
    imported rather than looked up at each use, which an import cycle or a patch
    of `package` can tell apart. It is not offered at module level in a module
    that another one star-imports, if the new name would reach it.
    """

    code = "SSOT002"
    name = "indirect-import"
    summary = "A canonical symbol imported through another module, or anything imported from a shim"
    fixable = Applicability.SAFE

    VALID = (
        Example("from app.factory import EngineFactory\n"),
        Example("import app.factory as factories\n\nfactory = factories.EngineFactory\n"),
    )
    INVALID = (
        Example("from app.legacy import EngineFactory\n", lines=(1,),
                fixed="from app.factory import EngineFactory\n",
                messages=(
                    "EngineFactory imported through shim app.legacy; import EngineFactory from app.factory",
                )),
        Example("from app.legacy import make_factory\n", lines=(1,), fixed="from app.legacy import make_factory\n",
                messages=(
                    "make_factory imported from shim app.legacy, which is being retired; use EngineFactory "
                    "from app.factory instead",
                )),
        Example("from app import EngineFactory\n", lines=(1,),
                files={"app/__init__.py": "from app.factory import EngineFactory\n"},
                fixed="from app.factory import EngineFactory\n",
                messages=(
                    "EngineFactory imported through package app; import EngineFactory from app.factory",
                )),
        Example("from app.legacy import *\n", lines=(1,), fixed="from app.legacy import *\n",
                messages=(
                    "star import from shim app.legacy brings in EngineFactory; import EngineFactory from "
                    "app.factory",
                )),
        Example("import app.legacy\n", lines=(1,), fixed="import app.legacy\n",
                messages=(
                    "shim module app.legacy imported, which is being retired; import EngineFactory from "
                    "app.factory instead",
                )),
        Example(
            "def build():\n    from app.reexport import Factory\n    return Factory()\n",
            lines=(2,), files={"app/reexport.py": "from app.factory import EngineFactory as Factory\n"},
            fixed="def build():\n    from app.factory import EngineFactory as Factory\n    return Factory()\n",
            messages=(
                "Factory (an alias of EngineFactory) imported through module app.reexport (inside a "
                "function); import EngineFactory from app.factory",
            ),
        ),
        Example(  # only the name that moves leaves the statement; it joins the earlier canonical import
            "from app.factory import make  # keep\nfrom app.legacy import (\n    make_factory,  # helper\n"
            "    EngineFactory,\n)\n",
            lines=(3, 4), files={"app/factory.py": EXAMPLE_FACTORY + "\n\ndef make():\n    return 1\n"},
            fixed="from app.factory import make, EngineFactory  # keep\nfrom app.legacy import (\n"
                  "    make_factory,  # helper\n)\n",
            messages=(
                "make_factory imported from shim app.legacy, which is being retired; use EngineFactory "
                "from app.factory instead",
                "EngineFactory imported through shim app.legacy; import EngineFactory from app.factory",
            ),
        ),
        Example(  # a parenthesised import takes it on a line of its own, comments kept in place
            "from app.factory import (\n    make,  # the helper\n)\nfrom app.legacy import EngineFactory\n",
            lines=(4,), files={"app/factory.py": EXAMPLE_FACTORY + "\n\ndef make():\n    return 1\n"},
            fixed="from app.factory import (\n    make,  # the helper\n    EngineFactory,\n)\n",
            messages=(
                "EngineFactory imported through shim app.legacy; import EngineFactory from app.factory",
            ),
        ),
        Example(  # or a later one, when only imports lie between
            "from app.legacy import EngineFactory\nfrom app.engine import Engine\nfrom app.factory import make\n",
            lines=(1,), files={"app/factory.py": EXAMPLE_FACTORY + "\n\ndef make():\n    return 1\n"},
            fixed="from app.engine import Engine\nfrom app.factory import make, EngineFactory\n",
            messages=(
                "EngineFactory imported through shim app.legacy; import EngineFactory from app.factory",
            ),
        ),
        Example(  # the fix keeps its place under TYPE_CHECKING, and a relative import stays relative
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .legacy import EngineFactory as F\n",
            lines=(4,),
            fixed="from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .factory import EngineFactory as F\n",
            messages=(
                "F imported through shim app.legacy (under TYPE_CHECKING); also SSOT005: EngineFactory "
                "bound as F; import EngineFactory from app.factory",
            ),
        ),
        Example(  # `package.Name`: an unsafe fix imports the name itself, and drops the import it left unused
            "import app\n\n\ndef build():\n    return app.EngineFactory()\n", lines=(5,),
            files={"app/__init__.py": "from app.factory import EngineFactory\n"},
            fixed="from app.factory import EngineFactory\n\n\ndef build():\n    return EngineFactory()\n",
            messages=(
                "app.EngineFactory read through package app (inside a function); import EngineFactory "
                "from app.factory",
            ),
        ),
        Example(  # every read of `models` goes: so does `models` from the import, whose other name stays
            "from app import engine, models  # the app\n\n\ndef build():\n    return models.EngineFactory()\n\n\n"
            "def check():\n    return models.EngineFactory, engine\n", lines=(5, 9),
            files={"app/models.py": "from app.factory import EngineFactory\n"},
            fixed="from app import engine  # the app\nfrom app.factory import EngineFactory\n\n\n"
                  "def build():\n    return EngineFactory()\n\n\ndef check():\n    return EngineFactory, engine\n",
            messages=(
                "models.EngineFactory read through module app.models (inside a function); import "
                "EngineFactory from app.factory",
                "models.EngineFactory read through module app.models (inside a function); import "
                "EngineFactory from app.factory",
            ),
        ),
        Example(  # `app` is read otherwise too: its import stays
            "import app\n\n\ndef build():\n    return app.EngineFactory(app.engine)\n", lines=(5,),
            files={"app/__init__.py": "from app import engine\nfrom app.factory import EngineFactory\n"},
            fixed="import app\nfrom app.factory import EngineFactory\n\n\ndef build():\n"
                  "    return EngineFactory(app.engine)\n",
            messages=(
                "app.EngineFactory read through package app (inside a function); import EngineFactory "
                "from app.factory",
            ),
        ),
        Example(
            "import app.legacy as legacy\n\n\ndef build():\n    return legacy.EngineFactory()\n",
            lines=(1, 5),
            fixed="import app.factory as legacy\n\n\ndef build():\n    return legacy.EngineFactory()\n",
            messages=(
                "shim module app.legacy imported, which is being retired; import EngineFactory from "
                "app.factory instead",
                "legacy.EngineFactory read through shim app.legacy (inside a function); import "
                "EngineFactory from app.factory",
            ),
        ),
        Example(  # the shim module itself is used: retargeting it would hand on another module, so no fix
            "import app.legacy as legacy\n\n\ndef build():\n    return legacy.EngineFactory(), vars(legacy)\n",
            lines=(1, 5),
            fixed="import app.legacy as legacy\n\n\ndef build():\n    return legacy.EngineFactory(), vars(legacy)\n",
            messages=(
                "shim module app.legacy imported, which is being retired; import EngineFactory from "
                "app.factory instead",
                "legacy.EngineFactory read through shim app.legacy (inside a function); import "
                "EngineFactory from app.factory",
            ),
        ),
        Example(  # `models.EngineFactory = ...` assigns it: there is no read to replace, so no fix
            "from app import models\n\nmodels.EngineFactory = None\n", lines=(3,),
            files={"app/models.py": "from app.factory import EngineFactory\n"},
            fixed="from app import models\n\nmodels.EngineFactory = None\n",
            messages=(
                "models.EngineFactory read through module app.models; import EngineFactory from "
                "app.factory",
            ),
        ),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            for site in project.sites_in(canonical):
                resolution = site.resolution
                reads_shim = project.shim_read(canonical, site) is not None
                if canonical.is_canonical(resolution) and site.through:
                    chain = describe_chain(project, canonical, site.through)
                    alias = "" if site.name in (canonical.name, None) else f" (an alias of {canonical.name})"
                    how = "imported" if site.attribute is None else "read"  # `from m import X` / `m.X`
                    where = site.context.describe()
                    yield self.violation(
                        site.info, site.span,
                        f"{site.local_name}{alias} {how} through {chain}{f' ({where})' if where else ''}; "
                        f"import {canonical.name} from {canonical.home}",
                        subject=Subject(Finding.INDIRECT_IMPORT,
                                        f"{site.source_module}:{site.name} as {site.local_name}"),
                        canonical=canonical, chain=(site.info.name, *site.through, canonical.module),
                        fix=self._move(site, canonical.home, canonical.name) or
                        self._import_name(project, canonical, site),
                    )
                elif site.is_star:
                    if reads_shim or project.star_brings(canonical, site.source_module):
                        yield self.violation(
                            site.info, site.span,
                            f"star import from {describe_module(project, canonical, site.source_module)} "
                            f"brings in {canonical.name}; import {canonical.name} from {canonical.home}",
                            subject=Subject(Finding.STAR_IMPORT, f"{site.source_module}:*"), canonical=canonical,
                            chain=(site.info.name, site.source_module or "", canonical.module),
                        )
                elif reads_shim and site.attribute is None:  # `m.helper` off an imported shim: its import is reported
                    yield self.violation(
                        site.info, site.span, self._shim_message(canonical, site),
                        subject=Subject(Finding.SHIM_IMPORT, f"{site.source_module}:{site.name} as {site.local_name}"),
                        canonical=canonical, chain=(site.info.name, site.source_module or ""),
                        fix=self._shim_fix(project, canonical, site),
                    )

    @staticmethod
    def _move(site, module: str, name: str):
        """`from m import X [as Y]` -> `from module import name as Y`, written relative if it was."""
        binding = site.binding
        if site.attribute is not None or binding is None or binding.kind is not BindingKind.IMPORT_FROM \
                or binding.statement is None or module == site.info.name:
            return None
        level, written = relative_or_absolute(site.info.name, site.info.file.is_package, binding.level, module)
        shown = "." * level + written
        return safe(MoveImport(binding.statement, binding.span, shown, name, site.local_name),
                    f"import {name} from {shown}")

    @staticmethod
    def _import_name(project, canonical, site):
        """`models.Factory` -> `Factory`, imported from its home after the import that binds `models`
        (unsafe: the name is then bound once, at import time, instead of looked up at each use). The
        import of `models` goes too once no read of it is left, unless other modules can read it."""
        ref = site.attribute
        if ref is None or canonical.is_shim(site.source_module):
            return None  # `shim.Name`: the shim's import is retargeted instead
        binding = binding_in_scope(site.info, ref.context.qualname, ref.dotted.split(".")[0])
        if binding is None or not binding.is_import or binding.statement is None or ref.written:
            return None  # (`models.Factory = ...` assigns: there is no read to replace)
        same = project.canonical_bindings(site.info, canonical)
        if same is None or why_not_import_name(canonical.name):
            return None  # the name means something else somewhere in the file
        if binding.context.at_module_level and project.star_would_gain(site.info, canonical.name):
            return None  # a star import of the module would bring the imported name into another one
        unused = None if project.read_elsewhere(site.info, binding) else binding.span
        return unsafe(ImportName(ref.span, site.local_name, binding.statement, canonical.home, canonical.name,
                                 same, unused), f"import {canonical.name} from {canonical.home} and use it")

    def _shim_fix(self, project, canonical, site):
        """A shim's re-export moves to where it is defined; an aliased shim module import is retargeted."""
        resolution, binding = site.resolution, site.binding
        if binding is None:
            return None
        if resolution.kind is TargetKind.MODULE:
            return self._retarget(project, canonical, site)
        target = resolution.target
        if target is None or "." in target[1] or canonical.is_shim(target[0]) or \
                project.definition_of(target[0], target[1]) != resolution.definition:
            return None  # defined in the shim itself (or nowhere importable): a person must decide
        return self._move(site, target[0], target[1])

    @staticmethod
    def _retarget(project, canonical, site):
        """`import shim as m` -> `import canonical as m`, when every `m.X` in the file is the same X in both."""
        binding, shim, home = site.binding, site.resolution.module or "", canonical.home
        if not canonical.is_shim(shim):  # `from shim_package import module`: the module itself, not via the shim
            if binding.kind is not BindingKind.IMPORT_FROM or binding.statement is None:
                return None
            return safe(RetargetModuleImport(binding.statement, binding.span, shim, binding.name, None),
                        f"import {shim} as {binding.name}")
        aliased = binding.name != shim.rpartition(".")[2] if binding.kind is BindingKind.IMPORT_FROM \
            else binding.imported_name == binding.module and binding.name != binding.module
        if not aliased or binding.statement is None or binding.kind not in (BindingKind.IMPORT_MODULE,
                                                                              BindingKind.IMPORT_FROM):
            return None  # `import a.shim` / `from a import shim`: `a.shim.X` and `shim.X` uses would need rewriting
        if project.read_elsewhere(site.info, binding):
            return None  # other modules read the module alias too: their `m.X` may not be in the canonical
        facts = site.info.facts
        refs = [ref for ref in facts.attribute_refs if ref.dotted.split(".")[0] == binding.name]
        if binding.name in facts.bare_names or any(ref.written for ref in refs):
            return None  # `f(m)`, `m.X = ...`: the module object itself is used, and would be another
        attributes = tuple(sorted({ref.dotted.split(".")[1] for ref in refs}))
        if not project.same_objects(shim, home, attributes):
            return None
        return safe(RetargetModuleImport(binding.statement, binding.span, home, binding.name, tuple(attributes)),
                    f"import {home} as {binding.name}")

    @staticmethod
    def _shim_message(canonical, site) -> str:
        resolution = site.resolution
        if resolution.kind is TargetKind.MODULE and not canonical.is_shim(resolution.module):
            return (f"module {resolution.module} imported through shim {site.source_module}, which is being "
                    f"retired; import {resolution.module} itself")
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



def describe_module(project: Project, canonical: Canonical, module: str) -> str:
    """'shim a.b', 'package a', 'module a.c': how messages name a module on a chain."""
    if canonical.is_shim(module):
        return f"shim {module}"
    return f"{'package' if project.is_package(module) else 'module'} {module}"


def describe_chain(project: Project, canonical: Canonical, modules: Tuple[str, ...]) -> str:
    """The modules a name went through, the middle of a long chain elided (the JSON `chain` has all)."""
    if len(modules) > 5:
        shown = [*(describe_module(project, canonical, m) for m in modules[:2]),
                 f"... {len(modules) - 3} more modules ...", describe_module(project, canonical, modules[-1])]
        shims = [describe_module(project, canonical, m) for m in modules[2:-1] if canonical.is_shim(m)]
        if shims:  # a shim on the way is what the reader must know about
            shown[2] = f"... {len(modules) - 3} more modules, including {', '.join(shims)} ..."
        return " -> ".join(shown)
    return " -> ".join(describe_module(project, canonical, m) for m in modules)

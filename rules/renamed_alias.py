from __future__ import annotations

from typing import Iterator

from ssot_lint.facts.model import BindingKind
from ssot_lint.fixes.edits import Applicability, RenameBinding, binding_in_scope, times_bound, unsafe, why_not_rename
from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class RenamedAlias(Rule):
    """
    ## What it does
    Finds a canonical symbol bound under another name outside its own module and
    outside declared shims: `from m import ExecutionEngineFactory as Factory`,
    `Factory = ExecutionEngineFactory`. Inside a wrapper (SSOT004), which must
    bind the canonical under another name to stand in for it, the wrapper is
    what is reported.

    ## Why is this bad?
    A renamed alias hides the canonical from readers and from grep: a search for
    the class name misses every use of the alias, and the alias looks like a
    different class.

    ## Example
    ```python
    from app.factory import EngineFactory as Factory
    ```

    ## How to fix
    Use the canonical name:
    ```python
    from app.factory import EngineFactory
    ```
    `--fix --unsafe-fixes` renames the alias to the canonical name at its
    binding and at every use in the file, and removes an alias that becomes
    `EngineFactory = EngineFactory` (and the import of `EngineFactory` when
    nothing else reads it).

    ## Fix safety
    Unsafe: code outside the file (a string, `getattr`) could still use the old
    name. It is not offered for a module-level alias that other modules import
    or `__all__` lists, nor at module level in a module that another one
    star-imports when the star would bring the old name or a canonical name the
    module did not bind, for a name its scope binds more than once, nor when the
    canonical name already means something else in the file.
    """

    code = "SSOT005"
    name = "renamed-alias"
    summary = "A canonical symbol bound under another name"
    fixable = Applicability.UNSAFE

    VALID = (
        Example("from app.factory import EngineFactory\n"),
        Example("from app.factory import EngineFactory as EngineFactory\n"),
    )
    INVALID = (
        Example("from app.factory import EngineFactory as Factory\n\nfactory = Factory()\n", lines=(1,),
                fixed="from app.factory import EngineFactory\n\nfactory = EngineFactory()\n",
                messages=(
                    "EngineFactory bound as Factory; use the name EngineFactory so that readers and grep find "
                    "it",
                )),
        Example("from app.factory import EngineFactory\n\nDefaultFactory = EngineFactory\n"
                "factory = DefaultFactory()\n", lines=(3,),
                fixed="from app.factory import EngineFactory\n\nfactory = EngineFactory()\n",
                messages=(
                    "EngineFactory bound as DefaultFactory; use the name EngineFactory so that readers and "
                    "grep find it",
                )),
        Example("import app.factory\n\n\ndef build():\n    Factory = app.factory.EngineFactory\n"
                "    return Factory()\n", lines=(5,),
                fixed="import app.factory\n\n\ndef build():\n    EngineFactory = app.factory.EngineFactory\n"
                      "    return EngineFactory()\n",
                messages=(
                    "EngineFactory bound as Factory; use the name EngineFactory so that readers and grep find "
                    "it",
                )),
        Example(  # the canonical's name already means something else in the file: no fix
            "from app.factory import EngineFactory as Factory\n\n\ndef build():\n    EngineFactory = None\n"
            "    return Factory(), EngineFactory\n", lines=(1,),
            fixed="from app.factory import EngineFactory as Factory\n\n\ndef build():\n    EngineFactory = None\n"
                  "    return Factory(), EngineFactory\n",
            messages=(
                "EngineFactory bound as Factory; use the name EngineFactory so that readers and grep find "
                "it",
            )),
        Example(  # the alias is bound twice in its scope: renaming one binding would split it, so no fix
            "try:\n    from app.factory import EngineFactory as Factory\nexcept ImportError:\n"
            "    Factory = None\n", lines=(2,),
            fixed="try:\n    from app.factory import EngineFactory as Factory\nexcept ImportError:\n"
                  "    Factory = None\n",
            messages=(
                "EngineFactory bound as Factory; use the name EngineFactory so that readers and grep find "
                "it",
            )),
        Example(  # another module imports the alias: renaming it would break that import, so no fix
            "from app.factory import EngineFactory as Factory\n", lines=(1,),
            files={"app/other.py": "from app.service import Factory\n"},
            fixed="from app.factory import EngineFactory as Factory\n",
            messages=(
                "app.service re-exports EngineFactory (imported from here by 1 module) but is not a "
                "declared shim; also SSOT005: EngineFactory bound as Factory; import it from app.factory "
                "and remove the re-export, or add the module to `shims`",
            )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for info in project.checked_modules:
            # Few bindings rename anything: find them once (kept by a resident analysis), not once per canonical.
            renamings = project.per_module("renamings", info, None, lambda: tuple(
                b for b in info.structure.bindings  # (the imports and aliases of every scope)
                if b.kind in (BindingKind.IMPORT_FROM, BindingKind.ALIAS) and b.is_renaming))
            if not renamings:
                continue
            for canonical in project.canonicals:
                if canonical.is_home(info.name) or canonical.is_shim(info.name):
                    continue
                inside_wrappers = tuple(w.defined.qualname + "." for w in project.wrappers(canonical).values()
                                        if w.info is info)
                for binding in renamings:
                    if binding.name == canonical.name or \
                            (inside_wrappers and (binding.context.qualname + ".").startswith(inside_wrappers)):
                        continue
                    if not canonical.is_canonical(project.resolve_binding(info, binding)):
                        continue
                    yield self.violation(
                        info, binding.span,
                        f"{canonical.name} bound as {binding.name}; use the name {canonical.name} "
                        f"so that readers and grep find it",
                        subject=Subject(Finding.RENAMED_ALIAS, f"{binding.context.qualname}.{binding.name}"),
                        canonical=canonical,
                        fix=self._rename(project, canonical, info, binding),
                    )

    @staticmethod
    def _rename(project, canonical, info, binding):
        """Rename the alias throughout its file, unless other modules can read it by its name (or would get
        the canonical name from a star import of it) or its scope binds the name more than once.
        `Factory = EngineFactory` goes, and with it the import of `EngineFactory` if nothing else reads it
        (and no other module can)."""
        same = project.canonical_bindings(info, canonical)
        if project.read_elsewhere(info, binding) or same is None or \
                why_not_rename(binding.name, times_bound(info, binding)) or \
                (binding.context.at_module_level and project.star_would_gain(info, canonical.name)):
            return None
        unused = None
        if binding.kind is BindingKind.ALIAS and binding.value == canonical.name:
            read = binding_in_scope(info, binding.context.qualname, canonical.name)
            if read is not None and read.is_import and not project.read_elsewhere(info, read):
                unused = read.span
        return unsafe(RenameBinding(binding.span, binding.name, canonical.name, same, unused),
                      f"rename {binding.name} to {canonical.name}")

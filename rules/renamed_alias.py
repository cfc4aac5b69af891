from __future__ import annotations

from typing import Iterator

from ssot_lint.facts import BindingKind
from ssot_lint.rule import Example, Rule, Violation


class RenamedAlias(Rule):
    """
    ## What it does
    Finds a canonical symbol bound under another name outside its own module and
    outside declared shims: `from m import ExecutionEngineFactory as Factory`,
    `Factory = ExecutionEngineFactory`.

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
    """

    code = "SSOT005"
    name = "renamed-alias"
    summary = "A canonical symbol bound under another name"

    VALID = (
        Example("from app.factory import EngineFactory\n"),
        Example("from app.factory import EngineFactory as EngineFactory\n"),
    )
    INVALID = (
        Example("from app.factory import EngineFactory as Factory\n", lines=(1,)),
        Example("from app.factory import EngineFactory\n\nDefaultFactory = EngineFactory\n", lines=(3,)),
        Example("import app.factory\n\n\ndef build():\n    Factory = app.factory.EngineFactory\n"
                "    return Factory()\n", lines=(5,)),
    )

    def check(self, project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            for info in project.modules_outside(canonical):
                if canonical.is_shim(info.name):
                    continue
                for binding in info.facts.bindings:
                    if binding.kind not in (BindingKind.IMPORT_FROM, BindingKind.ALIAS) \
                            or not binding.is_renaming or binding.name == canonical.name:
                        continue
                    if not canonical.is_canonical(project.resolver.resolve_binding(info, binding)):
                        continue
                    yield self.violation(
                        info, binding.span,
                        f"{canonical.name} bound as {binding.name}; use the name {canonical.name} "
                        f"so that readers and grep find it",
                        subject=f"alias {binding.context.qualname}.{binding.name}", canonical=canonical,
                    )

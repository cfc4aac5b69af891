from __future__ import annotations

from typing import Iterator

from ssot_lint.rule import Example, Rule, Violation


class WrapperClass(Rule):
    """
    ## What it does
    Finds a class outside the canonical module that subclasses a canonical class,
    or that is named like it (its name or a `lookalikes` pattern) and constructs
    it in its body (a delegating wrapper), and every import of such a wrapper.

    ## Why is this bad?
    A wrapper is a second entry point: callers of the wrapper get behaviour that
    differs from the canonical in ways reviewers do not see, and the wrapper
    keeps a legacy API alive.

    ## Example
    ```python
    from app.factory import EngineFactory


    class UnifiedEngineFactory:
        def __init__(self):
            self._delegate = EngineFactory()
    ```

    ## How to fix
    Use the canonical class directly; move any behaviour the wrapper adds into
    the canonical class, then delete the wrapper.
    """

    code = "SSOT004"
    name = "wrapper-class"
    summary = "A class that subclasses or delegates to a canonical class, and its imports"

    VALID = (
        Example(
            "from app.factory import EngineFactory\n\n\nclass ChatService:\n"
            "    def __init__(self):\n        self.factory = EngineFactory()\n"
        ),
    )
    INVALID = (
        Example("from app.factory import EngineFactory\n\n\nclass IsolatedFactory(EngineFactory):\n    pass\n",
                lines=(4,)),
        Example(
            "from app.factory import EngineFactory\n\n\nclass UnifiedEngineFactory:\n"
            "    def __init__(self):\n        self._delegate = EngineFactory()\n",
            lines=(4,),
        ),
        Example(
            "from app.wrappers import IsolatedFactory\n", lines=(1,),
            files={"app/wrappers.py": "from app.factory import EngineFactory\n\n\n"
                                      "class IsolatedFactory(EngineFactory):\n    pass\n"},
        ),
    )

    def check(self, project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            wrappers = project.wrappers(canonical)
            for wrapper in wrappers.values():
                yield self.violation(
                    wrapper.info, wrapper.cls.span,
                    f"class {wrapper.cls.qualname} {wrapper.how} {canonical.name}: a second entry point to it; "
                    f"use {canonical.name} from {canonical.home} directly",
                    subject=f"wrapper {wrapper.cls.qualname}", canonical=canonical,
                    chain=(wrapper.info.name, canonical.module),
                )
            for site in project.sites_in(canonical):
                wrapper = wrappers.get(site.resolution.target) if site.resolution.target else None
                if wrapper is None or wrapper.info.name == site.info.name:
                    continue
                yield self.violation(
                    site.info, site.span,
                    f"{site.local_name} is {wrapper.info.name}.{wrapper.cls.qualname}, a wrapper that "
                    f"{wrapper.how} {canonical.name}; use {canonical.name} from {canonical.home} instead",
                    subject=f"uses wrapper {wrapper.info.name}.{wrapper.cls.qualname} as {site.local_name}",
                    canonical=canonical, chain=(site.info.name, *site.through, wrapper.info.name),
                )

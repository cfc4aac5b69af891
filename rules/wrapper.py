from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class Wrapper(Rule):
    """
    ## What it does
    Finds a class or function outside the canonical module that stands in for a
    canonical symbol, and every import of it:

    - a class or function named like the canonical (its name or a `lookalikes`
      pattern, or either with leading underscores) whose body calls or
      constructs it: a delegating wrapper, such as `def get_env(): return
      _real_get_env()` in a test-helpers module, or a private `_get_env` that
      imports the canonical lazily;
    - a subclass of a canonical class that stands in for it: defined in a
      declared shim, or named like it. With `final = true` in the canonical's
      configuration, every subclass. An ordinary subclass of a class designed to
      be subclassed is a use of it, not a wrapper.

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

    ## Fix safety
    No automatic fix: what the wrapper adds (arguments, defaults, state) must move
    into the canonical class or its callers by hand.
    """

    code = "SSOT004"
    name = "wrapper"
    summary = "A class or function that stands in for a canonical symbol by subclassing or calling it, and its imports"

    VALID = (
        Example(
            "from app.factory import EngineFactory\n\n\nclass ChatService:\n"
            "    def __init__(self):\n        self.factory = EngineFactory()\n"
        ),
        Example(  # an ordinary subclass of a class designed to be subclassed (the canonical is not `final`)
            "from app.factory import EngineFactory\n\n\nclass QuietFactory(EngineFactory):\n    pass\n",
        ),
    )
    INVALID = (
        Example("from app.factory import EngineFactory\n\n\nclass IsolatedEngineFactory(EngineFactory):\n    pass\n",
                lines=(4,),
                messages=(
                    "class IsolatedEngineFactory subclasses EngineFactory: a second entry point to it; use "
                    "EngineFactory from app.factory directly",
                )),
        Example(
            "from app.factory import EngineFactory\n\n\nclass UnifiedEngineFactory:\n"
            "    def __init__(self):\n        self._delegate = EngineFactory()\n",
            lines=(4,),
            messages=(
                "class UnifiedEngineFactory delegates to EngineFactory: a second entry point to it; use "
                "EngineFactory from app.factory directly",
            ),
        ),
        Example(
            "from app.wrappers import IsolatedEngineFactory\n", lines=(1,),
            files={"app/wrappers.py": "from app.factory import EngineFactory\n\n\n"
                                      "class IsolatedEngineFactory(EngineFactory):\n    pass\n"},
            messages=(
                "IsolatedEngineFactory is app.wrappers.IsolatedEngineFactory, a wrapper that subclasses "
                "EngineFactory; use EngineFactory from app.factory instead",
            ),
        ),
        Example(  # a function standing in for the canonical: named like it, and it calls it
            "def RequestEngineFactory():\n    from app.factory import EngineFactory as _Real\n\n    return _Real()\n",
            lines=(1,),
            messages=(
                "function RequestEngineFactory delegates to EngineFactory: a second entry point to it; "
                "use EngineFactory from app.factory directly",
            ),
        ),
        Example(  # a subclass in a declared shim stands in for the canonical, whatever its name
            "from app.factory import EngineFactory\n\n\nclass Compat(EngineFactory):\n    pass\n",
            path="app/legacy.py", lines=(4,),
            messages=(
                "class Compat subclasses EngineFactory: a second entry point to it; use EngineFactory "
                "from app.factory directly",
            ),
        ),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            wrappers = project.wrappers(canonical)
            for wrapper in wrappers.values():
                yield self.violation(
                    wrapper.info, wrapper.defined.span,
                    f"{wrapper.kind} {wrapper.defined.qualname} {wrapper.how} {canonical.name}: a second entry point "
                    f"to it; use {canonical.name} from {canonical.home} directly",
                    subject=Subject(Finding.WRAPPER, wrapper.defined.qualname), canonical=canonical,
                    chain=(wrapper.info.name, canonical.module),
                )
            for site in project.sites_in(canonical):
                wrapper = wrappers.get(site.resolution.definition) if site.resolution.target else None
                if wrapper is None or wrapper.info.name == site.info.name:
                    continue
                yield self.violation(
                    site.info, site.span,
                    f"{site.local_name} is {wrapper.info.name}.{wrapper.defined.qualname}, a wrapper that "
                    f"{wrapper.how} {canonical.name}; use {canonical.name} from {canonical.home} instead",
                    subject=Subject(Finding.WRAPPER_IMPORT,
                                    f"{wrapper.info.name}.{wrapper.defined.qualname} as {site.local_name}"),
                    canonical=canonical, chain=(site.info.name, *site.through, wrapper.info.name),
                )

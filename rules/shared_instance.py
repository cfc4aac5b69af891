from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class SharedInstance(Rule):
    """
    ## What it does
    Finds state shared between users: a module-level instance of a product
    class, or of a canonical factory outside its own module, and a `global`
    lazy singleton of either (`global _factory; _factory = Factory()` in a
    function).

    The canonical counts when its instances hold per-user state: by default
    when it is a factory (its configuration declares `products`); set
    `stateful = true` or `false` on the canonical to say otherwise. A class
    meant to be instantiated at module level (a pipeline operator, a router)
    is then left alone.

    ## Why is this bad?
    A module-level instance is one object for every request and every user: state
    leaks between them. Lazy `global` initialisation also races when two tasks
    start at once, and import order decides which instance wins.

    ## Example
    ```python
    from app.factory import EngineFactory

    engine_factory = EngineFactory()
    ```

    ## How to fix
    Create instances per request or per user (through the canonical factory), or
    pass them in explicitly.

    ## Fix safety
    No automatic fix: who shares the instance, and where each user should get its
    own, is the design question the finding raises.
    """

    code = "SSOT006"
    name = "shared-instance"
    summary = "A module-level or lazily-initialised global instance of a canonical factory or its product"

    VALID = (
        Example("from app.factory import EngineFactory\n\n\ndef handle():\n"
                "    factory = EngineFactory()\n    return factory.create()\n"),
    )
    # (The examples' canonical declares `products`: it is a factory, and its instances are shared state.)
    INVALID = (
        Example("from app.factory import EngineFactory\n\nengine_factory = EngineFactory()\n", lines=(3,),
                messages=(
                    "module-level engine_factory = EngineFactory() is one EngineFactory shared by every user; "
                    "create one per request",
                )),
        Example("from app.engine import Engine\n\ndefault_engine = Engine()\n", lines=(3,),
                messages=(
                    "module-level default_engine = Engine() is one Engine shared by every user; also SSOT007: "
                    "Engine constructed directly, bypassing EngineFactory; create one per request",
                )),
        Example(
            "from app.factory import EngineFactory\n\n_factory = None\n\n\ndef get_factory():\n"
            "    global _factory\n    if _factory is None:\n        _factory = EngineFactory()\n"
            "    return _factory\n",
            lines=(9,),
            messages=(
                "global _factory lazily holds one EngineFactory for the whole process (shared between "
                "users, racy on first use); create one per request",
            ),
        ),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for info in project.checked_modules:
            # Few calls create a shared instance: find them once (kept by a resident analysis), not once per
            # canonical.
            shared = project.per_module("shared instances", info, info.view_enough, lambda: tuple(
                call for call in info.rule_facts.calls if call.creates_shared_instance))
            if not shared:
                continue
            for canonical in project.canonicals:
                if canonical.is_home(info.name):  # the canonical module is the source of truth
                    continue
                for call in shared:
                    resolution = project.resolve_call(info, call)
                    if canonical.is_canonical(resolution) and canonical.spec.instances_are_shared_state:
                        what = canonical.name
                    elif canonical.is_product(resolution):
                        what = resolution.name
                    else:
                        continue
                    if call.global_name is not None:
                        message = (f"global {call.global_name} lazily holds one {what} for the whole process "
                                   f"(shared between users, racy on first use); create one per request")
                        subject = Subject(Finding.GLOBAL_SINGLETON, f"{call.context.qualname}.{call.global_name}")
                    else:
                        message = (f"module-level {call.assigned_to} = {call.callee}() is one {what} shared by "
                                   f"every user; create one per request")
                        subject = Subject(Finding.SHARED_INSTANCE, call.assigned_to)
                    yield self.violation(info, call.span, message, subject=subject, canonical=canonical)

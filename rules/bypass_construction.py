from __future__ import annotations

from typing import Iterator

from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class BypassConstruction(Rule):
    """
    ## What it does
    Finds a `products` class (what the canonical factory makes) constructed
    outside the canonical factory's module.

    ## Why is this bad?
    Constructing the product directly skips whatever the factory guarantees:
    per-user isolation, configuration, registration, clean-up. It is the second
    way to get the object, and it drifts from the first.

    ## Example
    ```python
    from app.engine import Engine


    def handle(request):
        engine = Engine()
    ```

    ## How to fix
    Ask the canonical factory for the product:
    ```python
    from app.factory import EngineFactory


    def handle(request):
        engine = EngineFactory().create()
    ```

    ## Fix safety
    No automatic fix: the canonical factory may need arguments (a user, a request)
    that the construction site has to find.
    """

    code = "SSOT007"
    name = "bypass-construction"
    summary = "A product class constructed outside the canonical factory's module"

    VALID = (
        Example("from app.factory import EngineFactory\n\n\ndef handle():\n"
                "    return EngineFactory().create()\n"),
    )
    INVALID = (
        Example("from app.engine import Engine\n\n\ndef handle():\n    return Engine()\n", lines=(5,),
                messages=(
                    "Engine constructed directly, bypassing EngineFactory; create it with EngineFactory from "
                    "app.factory",
                )),
        Example("import app.engine\n\n\nclass Service:\n    def start(self):\n"
                "        self.engine = app.engine.Engine()\n", lines=(6,),
                messages=(
                    "Engine constructed directly, bypassing EngineFactory; create it with EngineFactory from "
                    "app.factory",
                )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            if not canonical.products:
                continue
            for info in project.modules_outside(canonical):
                for call in info.rule_facts.calls:
                    resolution = project.resolve_call(info, call)
                    if not canonical.is_product(resolution):
                        continue
                    yield self.violation(
                        info, call.span,
                        f"{resolution.name} constructed directly, bypassing {canonical.name}; "
                        f"create it with {canonical.name} from {canonical.home}",
                        subject=Subject(Finding.BYPASS_CONSTRUCTION,
                                        f"{resolution.module}.{resolution.name} in {call.context.qualname}"),
                        canonical=canonical,
                    )

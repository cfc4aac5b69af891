"""Property: on random package trees, static resolution agrees with real imports.

Hypothesis generates packages with random definitions, relative and absolute
imports, aliases of aliases, module aliases (`import p.m as M; X = M.N`), star
imports with and without `__all__`, `try`/`except ImportError` fallbacks,
`if TYPE_CHECKING:` imports, and names bound where no binding shows them (a
module-level `__getattr__`, `globals()[...] = ...`), which the resolver must
leave unclaimed (DYNAMIC) rather than call unresolved. The tree is written to a temporary folder, every
module is imported for real, and each claim of the resolver is checked against
the objects the runtime produced (tests/oracle.py).
"""

from __future__ import annotations

import importlib
import itertools
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Set, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import generated_config, write_tree
from oracle import check_claims, runtime_answers, static_claims
from ssot_lint.engine.build import build_project

NAMES = ["A", "B", "C", "_P", "Q"]
ALIASES = ["X", "Y", "A", "B", "_Z"]
_counter = itertools.count()


class TreeBuilder:
    """Draws one module at a time; tracks the names each module surely binds, so that unguarded
    imports always succeed and every module imports."""

    def __init__(self, draw, package: str):
        self.draw = draw
        self.package = package
        self.defined: Dict[str, Set[str]] = {}
        self.all_lists: Dict[str, List[str]] = {}
        self.files: Dict[str, str] = {}
        self.handed_out: Dict[str, Set[str]] = {}  # what a module's `__getattr__` hands its importers
        self.written: Set[Tuple[str, str]] = set()  # (module, name) bound by `globals()[name] = ...`

    def module(self, name: str, relpath: str, earlier: List[str], is_package: bool) -> None:
        defined: Set[str] = set()
        lines = ["from typing import TYPE_CHECKING", ""]
        if name == f"{self.package}.m0":
            lines.append("class A:\n    pass")
            defined.add("A")
        for _ in range(self.draw(st.integers(0, 7))):
            lines.append(self.statement(name, earlier, defined, is_package))
        if self.draw(st.booleans()) and defined:
            exported = self.draw(st.lists(st.sampled_from(sorted(defined)), unique=True))
            lines.append(f"__all__ = {exported!r}")
            self.all_lists[name] = exported
        self.defined[name] = defined
        self.files[relpath] = "\n".join(lines) + "\n"

    def source(self, importer: str, source: str, is_package: bool) -> str:
        """`source` written relatively from `importer` (or absolutely), at random."""
        if self.draw(st.booleans()):
            return source
        package = importer if is_package else importer.rpartition(".")[0]
        common = package.split(".")
        target = source.split(".")
        while common and target[: len(common)] != common:
            common.pop()
        dots = "." * (len(package.split(".")) - len(common) + 1)
        return dots + ".".join(target[len(common):])

    def statement(self, name: str, earlier: List[str], defined: Set[str], is_package: bool) -> str:
        kinds = ["class", "alias", "use", "dynamic"] + (["from", "from", "module_alias", "submodule", "star",
                                                         "type_checking", "ladder"] if earlier else [])
        kind = self.draw(st.sampled_from(kinds))
        if kind == "dynamic":  # a name bound where no binding shows it: the resolver must not claim it either way
            if not defined:
                return "pass"
            target, new = self.draw(st.sampled_from(sorted(defined))), self.draw(st.sampled_from(NAMES + ALIASES))
            if new in defined:
                return "pass"
            if name in self.handed_out or self.draw(st.booleans()):
                defined.add(new)
                self.written.add((name, new))
                return f"globals()[{new!r}] = {target}"
            # For importers only (the module's own code does not go through its `__getattr__`), and one a module:
            # a second would replace the first.
            self.handed_out[name] = {new}
            return f"def __getattr__(name):\n    if name == {new!r}:\n        return {target}\n    raise AttributeError(name)"
        # A name used, in annotations only or otherwise (the prefilter reads some files on their view). Not in a
        # string annotation: SSOT005 then offers a rename the fixer refuses (a known gap: the facts do not say
        # which names string annotations use).
        if kind == "use":
            if not defined:
                return "pass"
            used, number = self.draw(st.sampled_from(sorted(defined))), len(self.files) * 100 + len(defined)
            return self.draw(st.sampled_from([
                f"def use_{number}(x: {used}, y: list[{used}] = None) -> {used}:\n    return x",
                f"def use_{number}() -> None:\n    return {used}()",
                f"class Use{number}({used}):\n    pass",
                f"def use_{number}() -> None:\n    return {used}.__name__",
                f"value_{number}: {used} = None",
            ]))
        if kind == "class":
            new = self.draw(st.sampled_from(NAMES))
            defined.add(new)
            return f"class {new}:\n    pass"
        if kind == "alias":
            if not defined:
                return "pass"
            target = self.draw(st.sampled_from(sorted(defined)))
            alias = self.draw(st.sampled_from(ALIASES))
            if name == f"{self.package}.m0" and alias == "A" and (name, target) in self.written:
                return "pass"  # the canonical m0:A stays a definition the analysis can find
            defined.add(alias)
            return f"{alias} = {target}"
        source = self.draw(st.sampled_from(earlier))
        written = self.source(name, source, is_package)
        imported = self.draw(st.sampled_from(NAMES + ALIASES))
        alias = self.draw(st.sampled_from([None] + ALIASES))
        local = alias or imported
        as_clause = f" as {alias}" if alias else ""
        surely_there = imported in self.defined[source] or imported in self.handed_out.get(source, ())
        if kind == "from":
            statement = f"from {written} import {imported}{as_clause}"
            if surely_there:
                defined.add(local)
                return statement
            return f"try:\n    {statement}\nexcept ImportError:\n    pass"
        if kind == "module_alias":
            module_alias = f"mod_{len(defined)}"
            read = f"{alias or 'R'} = {module_alias}.{imported}"
            if surely_there:
                defined.add(alias or "R")
                return f"import {source} as {module_alias}\n{read}"
            return f"import {source} as {module_alias}\ntry:\n    {read}\nexcept AttributeError:\n    pass"
        if kind == "submodule":  # `from <its package> import <module>` (relative or not), then `X = m.N`
            package, _, last = source.rpartition(".")
            written_package = self.source(name, package, is_package) if package != name else "."
            local = f"sub_{last}"
            read = f"{alias or 'S'} = {local}.{imported}"
            if surely_there:
                defined.add(alias or "S")
                return f"from {written_package} import {last} as {local}\n{read}"
            return f"from {written_package} import {last} as {local}\ntry:\n    {read}\nexcept AttributeError:\n    pass"
        if kind == "star":
            exported = self.all_lists.get(source)
            if exported is None:
                exported = [n for n in self.defined[source] if not n.startswith("_")]
            defined.update(exported)
            return f"from {written} import *"
        if kind == "type_checking":
            return f"if TYPE_CHECKING:\n    from {written} import {imported}{as_clause}"
        # a ladder: a first try that may fail (a missing module, or a name that is not there), then a fallback
        first = self.draw(st.sampled_from([f"{self.package}.missing", source]))
        fallback = self.draw(st.sampled_from(["class", "import"]))
        body = f"from {first} import {imported}{as_clause}"
        if fallback == "class":
            defined.add(local)
            return f"try:\n    {body}\nexcept ImportError:\n    class {local}:\n        pass"
        other = self.draw(st.sampled_from(earlier))
        if imported in self.defined[other]:
            return (f"try:\n    {body}\nexcept ImportError:\n    from {other} import {imported}{as_clause}")
        return f"try:\n    {body}\nexcept ImportError:\n    pass"


@st.composite
def package_trees(draw):
    package = f"ssot_prop_{next(_counter)}"
    builder = TreeBuilder(draw, package)
    count = draw(st.integers(1, 4))
    order = []
    for index in range(count):
        module = f"{package}.m{index}"
        builder.module(module, f"{package}/m{index}.py", list(order), False)
        order.append(module)
    if draw(st.booleans()):
        builder.module(f"{package}.sub.s0", f"{package}/sub/s0.py", list(order), False)
        order.append(f"{package}.sub.s0")
        builder.module(f"{package}.sub", f"{package}/sub/__init__.py", list(order), True)
    builder.module(package, f"{package}/__init__.py", list(order), True)
    return package, builder.files


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(package_trees())
def test_static_resolution_agrees_with_real_imports(tree):
    package, files = tree
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, files)
        config = generated_config(root, package)
        project = build_project(config, jobs=1, prefilter=False)
        claims = static_claims(project)
        sys.path.insert(0, folder)
        try:
            importlib.invalidate_caches()
            problems = check_claims(claims, runtime_answers(project, claims, in_process=True))
        finally:
            sys.path.remove(folder)
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]
    assert problems == [], "\n".join([*problems, "", *(f"# {p}\n{t}" for p, t in sorted(files.items()))])
    assert claims, "the tree made no claim to check"

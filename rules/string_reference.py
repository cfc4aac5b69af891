from __future__ import annotations

from typing import Iterator

from ssot_lint.fixes.edits import Applicability, ReplaceString, unsafe, why_not_replace_string
from ssot_lint.analysis.project import Project
from ssot_lint.rule import Example, Finding, Rule, Subject, Violation


class StringReference(Rule):
    """
    ## What it does
    Finds a string literal naming a path through a shim or an undeclared
    re-exporting module: passed to `mock.patch`, `importlib.import_module`,
    `__import__`, `monkeypatch.setattr` and the like, or standing anywhere else
    as a whole dotted path (`"pkg.shim"`, `"pkg.shim.Name"`, `"pkg.shim:Name"`),
    such as a list of module paths a test imports in a loop. Docstrings and prose
    (a string with spaces) are not paths.

    ## Why is this bad?
    Strings are invisible to import checkers and refactoring tools. A
    `mock.patch` of a shim's attribute does not patch what the code under test
    uses, so the test passes while testing the wrong thing; and the string breaks
    the day the shim is deleted.

    ## Example
    ```python
    from unittest import mock


    @mock.patch("app.legacy.EngineFactory")
    def test_engine(factory):
        ...
    ```

    ## How to fix
    Name the canonical path, or better, patch the name where the code under test
    looks it up:
    ```python
    @mock.patch("app.factory.EngineFactory")
    ```
    `--fix --unsafe-fixes` rewrites the string to the canonical path (or to where
    a shim's re-export is defined). A module path is rewritten only when the
    canonical module offers every name the shim does.

    ## Fix safety
    Unsafe: a patch of the canonical module's attribute is not seen by code that
    imported the name before the patch, and a module loaded by `import_module` is
    another object than the shim was.
    """

    code = "SSOT008"
    name = "string-reference"
    summary = "A dotted string naming a path through a shim"
    fixable = Applicability.UNSAFE

    VALID = (
        Example('from unittest import mock\n\npatcher = mock.patch("app.factory.EngineFactory")\n'),
        Example('import importlib\n\nmodule = importlib.import_module("app.factory")\n'),
        Example('"""app.legacy"""\n\nNOTE = "app.legacy is being retired"\n'),  # a docstring, and prose
    )
    INVALID = (
        Example('from unittest import mock\n\npatcher = mock.patch("app.legacy.EngineFactory")\n', lines=(3,),
                fixed='from unittest import mock\n\npatcher = mock.patch("app.factory.EngineFactory")\n',
                messages=(
                    "'app.legacy.EngineFactory' passed to mock.patch() goes through shim app.legacy; use "
                    "'app.factory.EngineFactory'",
                )),
        Example(  # a shim that only re-exports: the canonical module offers all it does
            'import importlib\n\n\ndef load():\n    return importlib.import_module("app.legacy")\n',
            lines=(5,), files={"app/legacy.py": "from app.factory import EngineFactory\n"},
            fixed='import importlib\n\n\ndef load():\n    return importlib.import_module("app.factory")\n',
            messages=(
                "'app.legacy' passed to importlib.import_module() goes through shim app.legacy; import "
                "app.factory instead",
            )),
        Example(  # the shim has a helper of its own, which the canonical module lacks: no fix
            'import importlib\n\n\ndef load():\n    return importlib.import_module("app.legacy")\n',
            lines=(5,),
            fixed='import importlib\n\n\ndef load():\n    return importlib.import_module("app.legacy")\n',
            messages=(
                "'app.legacy' passed to importlib.import_module() goes through shim app.legacy; import "
                "app.factory instead",
            )),
        Example("legacy = __import__('app.legacy')\n", lines=(1,), fixed="legacy = __import__('app.legacy')\n",
                messages=(
                    "'app.legacy' passed to __import__() goes through shim app.legacy; import app.factory "
                    "instead",
                )),
        Example('from unittest import mock\n\npatcher = mock.patch("app.legacy.make_factory")\n', lines=(3,),
                fixed='from unittest import mock\n\npatcher = mock.patch("app.legacy.make_factory")\n',
                messages=(
                    "'app.legacy.make_factory' passed to mock.patch() goes through shim app.legacy; the shim "
                    "is being retired; use EngineFactory from app.factory",
                )),
        Example(  # paths kept as data and imported in a loop
            'import importlib\n\nPOTENTIAL_PATHS = [\n    "app.factory",\n    "app.legacy.EngineFactory",\n]\n'
            'modules = [importlib.import_module(path.rpartition(".")[0]) for path in POTENTIAL_PATHS]\n',
            lines=(5,),
            fixed='import importlib\n\nPOTENTIAL_PATHS = [\n    "app.factory",\n    "app.factory.EngineFactory",\n]\n'
                  'modules = [importlib.import_module(path.rpartition(".")[0]) for path in POTENTIAL_PATHS]\n',
            messages=(
                "'app.legacy.EngineFactory' names a path through shim app.legacy; use "
                "'app.factory.EngineFactory'",
            )),
        Example(  # a string in two pieces: the fix rewrites only a literal that holds the path as written
            'from unittest import mock\n\npatcher = mock.patch("app.legacy" ".EngineFactory")\n', lines=(3,),
            fixed='from unittest import mock\n\npatcher = mock.patch("app.legacy" ".EngineFactory")\n',
            messages=(
                "'app.legacy.EngineFactory' passed to mock.patch() goes through shim app.legacy; use "
                "'app.factory.EngineFactory'",
            )),
    )

    def check(self, project: Project) -> Iterator[Violation]:
        for canonical in project.canonicals:
            undeclared = project.undeclared_shims(canonical)
            # Most dotted strings name nothing tracked: a prefix test before any resolution.
            prefixes = tuple(p for module in (*canonical.shims, *undeclared) for p in (module + ".", module + ":"))
            modules = {*canonical.shims, *undeclared}
            for info in project.modules_outside(canonical):
                for ref in info.rule_facts.strings:
                    if ref.value not in modules and not ref.value.startswith(prefixes):
                        continue
                    module, resolution = project.resolve_string_path(ref.value)
                    if module is None:
                        continue
                    if not (canonical.is_shim(module) or (module in undeclared and canonical.is_canonical(resolution))):
                        continue
                    kind = "shim" if canonical.is_shim(module) else "undeclared shim"
                    if canonical.is_canonical(resolution):
                        advice = f"use '{canonical.home}.{canonical.name}'"
                    elif module == ref.value:
                        advice = f"import {canonical.home} instead"
                    else:
                        advice = f"the {kind} is being retired; use {canonical.name} from {canonical.home}"
                    where = f"passed to {ref.callee}() goes" if ref.callee else "names a path"
                    yield self.violation(
                        info, ref.span,
                        f"'{ref.value}' {where} through {kind} {module}; {advice}",
                        subject=Subject(Finding.STRING_PATH, ref.value), canonical=canonical,
                        chain=(module, canonical.module),
                        fix=self._replacement(project, canonical, ref, module, resolution),
                    )

    @staticmethod
    def _replacement(project, canonical, ref, module, resolution):
        """The canonical path for the string, in the string's own style ('a.b.C' or 'a.b:C')."""
        if why_not_replace_string(ref.value, ref.span):
            return None
        separator = ":" if ":" in ref.value else "."
        if canonical.is_canonical(resolution):
            new = f"{canonical.home}{separator}{canonical.name}"
        elif module == ref.value:  # the shim module itself: only if the canonical module offers all it does
            if project.module(module) is None or \
                    not project.same_objects(module, canonical.home, project.public_names(module)):
                return None
            new = canonical.home
        elif resolution.target is not None and not canonical.is_shim(resolution.target[0]):
            new = f"{resolution.target[0]}{separator}{resolution.target[1]}"  # re-exported from there
        else:
            return None  # a shim's own helper: there is no canonical path to name
        return unsafe(ReplaceString(ref.span, ref.value, new), f"use '{new}'")

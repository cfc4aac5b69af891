"""Property: on random package trees, safe fixes never change what any name is bound to at runtime.

The trees are those of the resolution property test (relative and absolute
imports, aliases of aliases, module aliases, star imports, `try`/`except
ImportError` ladders, `TYPE_CHECKING`), with a random set of declared shims.
Every class is tagged with where it was defined; every module is imported before
and after `check --fix`, and each module-level name must hold the same object.

Loading fewer modules is the point of a fix (the shim is no longer imported), so
the attribute the import system sets on a package for each submodule it loads
(`pkg.m1` after `from .m1 import A` in `pkg/__init__.py`) is not compared; and
`import shim as m` becomes `import canonical as m` by design, the names read as
`m.X` staying the same objects.

And on the same trees, with the unsafe fixes too: every fix `check` offers (`[*]`)
is one `--fix` applies, and the fixed modules all still import (a fix that drops an
import it left unread must not drop one something still reads).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import tempfile
import types
from pathlib import Path
from typing import Dict

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import generated_config, refused_fixes, write_tree
from ssot_lint.fixes.loop import run_fix
from ssot_lint.engine.run import run_check
from test_property_resolution import package_trees

CLASS = re.compile(r"^(?P<indent>\s*)class (?P<name>\w+):\n(?P=indent)    pass$", re.MULTILINE)


def tagged(files: Dict[str, str]) -> Dict[str, str]:
    """Each `class N: pass` made `class N: tag = 'file:n'`, so that objects can be told apart across imports."""
    result = {}
    for relpath, text in files.items():
        counter = iter(range(1000))
        result[relpath] = CLASS.sub(lambda m: f"{m['indent']}class {m['name']}:\n{m['indent']}    "
                                              f"tag = '{relpath}:{next(counter)}'", text)
    return result


def runtime_names(folder: str, package: str, modules) -> Dict[str, Dict[str, str]]:
    sys.path.insert(0, folder)
    sys.dont_write_bytecode, before = True, sys.dont_write_bytecode
    try:
        importlib.invalidate_caches()
        result = {}
        for name in sorted(modules):
            module = importlib.import_module(name)
            result[name] = {key: _identity(value) for key, value in vars(module).items()
                            if not key.startswith("__") and not _loaded_submodule(name, key, value)}
        return result
    finally:
        sys.dont_write_bytecode = before
        sys.path.remove(folder)
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]


def _loaded_submodule(module: str, key: str, value) -> bool:
    return isinstance(value, types.ModuleType) and value.__name__ == f"{module}.{key}"


def _identity(value) -> str:
    if isinstance(value, types.ModuleType):
        return f"module {value.__name__}"
    if isinstance(value, type):
        return getattr(value, "tag", value.__qualname__)
    return type(value).__name__


@st.composite
def trees_with_shims(draw):
    package, files = draw(package_trees())
    modules = sorted(p[:-3].replace("/", ".").replace(".__init__", "") for p in files)
    others = [m for m in modules if m != f"{package}.m0"]
    shims = draw(st.lists(st.sampled_from(others), unique=True)) if others else []
    return package, tagged(files), modules, shims


# 60 in CI; SSOT_LINT_FIX_EXAMPLES=2000 for a long run.
@settings(max_examples=int(os.environ.get("SSOT_LINT_FIX_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(trees_with_shims())
def test_safe_fixes_keep_every_binding(case):
    package, files, modules, shims = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, files)
        config = generated_config(root, package, shims)
        before = runtime_names(folder, package, modules)
        outcome = run_fix(config, jobs=1)
        after = runtime_names(folder, package, modules)
        fixed = {p: root.joinpath(p).read_text() for p in outcome.changed}
        again = run_fix(config, jobs=1)
        left = run_check(config, jobs=1).violations
    shown = "\n".join([f"shims: {shims}", *(f"# {p}\n{t}" for p, t in sorted(files.items())),
                       "--- fixed:", *(f"# {p}\n{t}" for p, t in sorted(fixed.items()))])
    home = f"module {package}.m0"
    retargeted = {(m, k) for m, names in before.items() for k, v in names.items()
                  if v.startswith("module ") and v[7:] in shims and after[m].get(k) == home}
    for module, key in retargeted:  # `import shim as m` -> `import canonical as m`: what `m.X` reads is compared
        after[module][key] = before[module][key]
    assert after == before, shown
    assert again.changed == {}, shown
    assert not [v for v in left if v.fix is not None and v.fix.is_safe], shown


@settings(max_examples=int(os.environ.get("SSOT_LINT_FIX_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# m1's `S = sub_m0.A` was renamed `A`, though s0 reads `S` from m1 through `from ssot_prop_72.m1 import *`.
@example(case=('ssot_prop_72',
     {'ssot_prop_72/m0.py': "from typing import TYPE_CHECKING\n\nclass A:\n    tag = 'ssot_prop_72/m0.py:0'\nclass C:\n    tag = 'ssot_prop_72/m0.py:1'\nA = C\n__all__ = []\n",
      'ssot_prop_72/m1.py': 'from typing import TYPE_CHECKING\n\ntry:\n    from ssot_prop_72.m0 import Q as _Z\nexcept ImportError:\n    pass\nfrom . import m0 as sub_m0\nS = sub_m0.A\nimport ssot_prop_72.m0 as mod_1\ntry:\n    _Z = mod_1.X\nexcept AttributeError:\n    pass\ntry:\n    from ssot_prop_72.m0 import Q\nexcept ImportError:\n    pass\n',
      'ssot_prop_72/sub/s0.py': "from typing import TYPE_CHECKING\n\ntry:\n    from ssot_prop_72.missing import B as X\nexcept ImportError:\n    class X:\n        tag = 'ssot_prop_72/sub/s0.py:0'\nfrom ssot_prop_72.m1 import *\nimport ssot_prop_72.m0 as mod_2\ntry:\n    R = mod_2.B\nexcept AttributeError:\n    pass\nimport ssot_prop_72.m0 as mod_2\ntry:\n    Y = mod_2.Q\nexcept AttributeError:\n    pass\ntry:\n    from ssot_prop_72.m1 import X as _Z\nexcept ImportError:\n    pass\nB = S\nfrom ..m1 import *\n",
      'ssot_prop_72/sub/__init__.py': "from typing import TYPE_CHECKING\n\nfrom ssot_prop_72 import m1 as sub_m1\ntry:\n    X = sub_m1.X\nexcept AttributeError:\n    pass\nclass Q:\n    tag = 'ssot_prop_72/sub/__init__.py:0'\nclass Q:\n    tag = 'ssot_prop_72/sub/__init__.py:1'\nif TYPE_CHECKING:\n    from ssot_prop_72.sub.s0 import A as A\ntry:\n    from ssot_prop_72.m0 import B as A\nexcept ImportError:\n    from ssot_prop_72.sub.s0 import B as A\ntry:\n    from ssot_prop_72.missing import B as X\nexcept ImportError:\n    pass\nif TYPE_CHECKING:\n    from ssot_prop_72.sub.s0 import Y as B\n",
      'ssot_prop_72/__init__.py': "from typing import TYPE_CHECKING\n\nclass A:\n    tag = 'ssot_prop_72/__init__.py:0'\ntry:\n    from ssot_prop_72.m1 import B as Y\nexcept ImportError:\n    pass\ntry:\n    from .m1 import _P\nexcept ImportError:\n    pass\ntry:\n    from .sub.s0 import A as _Z\nexcept ImportError:\n    pass\ntry:\n    from .m0 import B as A\nexcept ImportError:\n    pass\nA = A\n"},
     ['ssot_prop_72', 'ssot_prop_72.m0', 'ssot_prop_72.m1', 'ssot_prop_72.sub', 'ssot_prop_72.sub.s0'],
     []))
@given(trees_with_shims())
def test_every_fix_offered_is_applied_and_the_fixed_modules_import(case):
    package, files, modules, shims = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, files)
        config = generated_config(root, package, shims)
        refused = refused_fixes(config)
        outcome = run_fix(config, jobs=1, unsafe=True)
        fixed = {p: root.joinpath(p).read_text() for p in outcome.changed}
        shown = "\n".join([f"shims: {shims}", *(f"# {p}\n{t}" for p, t in sorted(files.items())),
                           "--- fixed:", *(f"# {p}\n{t}" for p, t in sorted(fixed.items()))])
        assert refused == [], "\n".join([*(f"{v.path}:{v.line}: {v.code} {reason}" for v, reason in refused), shown])
        assert not [reason for reason in outcome.not_fixed if "no automatic fix" not in reason], \
            f"{outcome.not_fixed}\n{shown}"
        runtime_names(folder, package, modules)  # each module imports

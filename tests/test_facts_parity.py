"""The two fact extractors agree: CPython's ast (the fast path) and LibCST (for syntax newer than
the running Python). Bindings must be equal in order; the other facts as sets of values. Both feed
one FactBuilder (its logic is tested in test_facts.py), so the sources here try each reader's own
part: its walk, its spans and the values it reads off its nodes."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings

from helpers import FIXTURES_REPO, REPO
from ssot_lint.files.discovery import SourceFile
from ssot_lint.facts.extract import extract_facts, extract_module_view
from ssot_lint.facts.read_cst import extract_with_libcst
from ssot_lint.analysis.graph import ImportStructure, ModuleInfo, module_namespace
from test_property_resolution import package_trees

SAMPLES = sorted(p for p in [*FIXTURES_REPO.rglob("*.py"), *(REPO / "ssot_lint").rglob("*.py"),
                             *(REPO / "rules").glob("*.py"), *(REPO / "tests").glob("*.py")]
                 if "py2_engine_loader" not in p.name)


def normalised(facts):
    values = dataclasses.asdict(facts)
    for name in ("classes", "functions", "calls", "strings", "attribute_refs", "noqa"):
        values[name] = sorted(map(repr, values[name]))
    return values


def assert_same(source: bytes):
    fast, reference = extract_facts(source), extract_with_libcst(source)
    assert fast.parse_error is None and reference.parse_error is None
    assert fast.bindings == reference.bindings
    assert normalised(fast) == normalised(reference)


TRICKY = {
    "unicode columns": "x = 'é'; from a.b import (C as D,  # noqa: SSOT002\n    E)\nπ = a.b.C\n",
    "decorated class": "import m\n@m.deco(m.K)\nclass  Foo(m.Base, metaclass=m.Meta):\n    pass\n",
    "async": "import m\nasync def f(a, /, b=m.x(), *c, d, **e):\n    async for i in m.it():\n        await m.g()\n",
    "star and continuation": "from a.b \\\n    import *\nfrom . import (x,\n  y as z)\n",
    "noqa in strings": "s = '# noqa: SSOT002'\nt = f'{s} # noqa'  # noqa: SSOT005\n\"\"\"\n# noqa\n\"\"\"\n",
    "crlf": "import a\r\nx = a.B\r\n# noqa: SSOT001\r\n",
    "all": "__all__ = ['a'] + ['b']\n__all__ += ('c',)\n__all__.extend(['d'])\n__all__.append('e')\n"
           "__all__.remove('a')\n",
    "globals": "import m\n_x = None\ndef get():\n    global _x\n    _x = m.F()\n    return _x\n",
    "try ladder": "try:\n    from a import X\nexcept (ImportError, AttributeError):\n    class X: pass\nelse:\n"
                  "    Y = X\nfinally:\n    Z = X\n",
    "type checking": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import X\nelif m:\n"
                     "    from b import X\nelse:\n    X = None\n",
    "with and for": "import m\nwith m.open() as (f, g), m.x() as h:\n    for i, *j in m.z:\n        pass\n",
    "patch strings": "from unittest import mock\n@mock.patch('a.b.C')\ndef t(c):\n    mock.patch(target='a.b.D')\n"
                     "    __import__('x.y')\n",
    "imports and aliases in nested scopes": (
        "import a\nclass K(a.B):\n    from b import C\n    D = C\n    def m(self, x=a.f()):\n"
        "        import e.f as g\n        h = g.H\n        y = [i for i in x]\n        return h(y)\n"
        "    attr = 3\n\ndef f():\n    try:\n        from x import Y\n    except ImportError:\n"
        "        Y = None\n    for z in Y():\n        with open(z) as w:\n            pass\n"),
    "module-level calls on __all__": "import a\nif a.X:\n    __all__ = ['p']\n    __all__.extend(a.more)\n",
    "names used whole, or not": (
        "import m, k, d, p, q, g, e, t\nfrom x import n as s\n@d\nclass C(m, metaclass=k):\n    pass\n"
        "def f(m, *p, q=q, **g) -> t:\n    global e\n    f(m=1, k=s)\n    m.X = 1\n    del m.Y\n    del e\n"
        "    x.m\n    f().k.m\n    for m in y: pass\n    with a as m: pass\n    try: pass\n    except E as m: pass\n"
        "    lambda m: m\n    [m for m in z]\n    (m := 3)\n    m += 1\n    m.Z += 1\n    print(f'{g}')\n"
        "    if p:\n        while q:\n            pass\n"),
    "patterns": ("import m, k\nmatch v:\n    case m: pass\n    case {'k': k, **m}: pass\n    case C(m=1) | [*k]:\n"
                 "        pass\n    case m.X: pass\n"),
}


# -- the module-level view (what resolution reads of a module it only passes through) ----------------


def assert_view_agrees(source: bytes):
    """The view gives exactly what ModuleInfo's narrow readers read of the full facts."""
    full, view = extract_facts(source), extract_module_view(source)
    assert view.parse_error == full.parse_error
    if full.parse_error is not None:
        return
    assert view.module_view_only and not full.module_view_only
    assert ImportStructure.of(view) == ImportStructure.of(full)
    assert module_namespace(view) == module_namespace(full)
    assert view.calls == tuple(c for c in full.calls if not c.context.scope)  # what runs on import
    assert (view.attribute_refs, view.classes, view.functions, view.strings, view.noqa) == ((),) * 5


# Each check, on real files, tricky sources and generated modules.
CHECKS = {"the extractors agree": assert_same, "the module-level view agrees": assert_view_agrees}


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(REPO)))
def test_on_real_files(path, check):
    CHECKS[check](path.read_bytes())


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("name", sorted(TRICKY))
def test_on_tricky_sources(name, check):
    CHECKS[check](TRICKY[name].encode())


@pytest.mark.parametrize("check", sorted(CHECKS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(package_trees())
def test_on_generated_modules(check, tree):
    for text in tree[1].values():
        CHECKS[check](text.encode())


def test_a_module_view_loads_the_full_facts_when_read_in_full():
    source = TRICKY["imports and aliases in nested scopes"].encode()
    loads = []
    info = ModuleInfo(SourceFile("/p/m.py", "m.py", "m", False), extract_module_view(source),
                      lambda: loads.append(1) or extract_facts(source))
    assert info.bindings_of("K") and info.structure == ImportStructure.of(extract_facts(source))
    assert not loads and not info.read.whole
    assert "K.m" in info.scopes and loads == [1] and info.read.whole
    assert info.facts == extract_facts(source) and loads == [1]  # loaded once

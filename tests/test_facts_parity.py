"""The two fact extractors agree: CPython's ast (the fast path) and LibCST (for syntax newer than
the running Python). Bindings must be equal in order; the other facts as sets of values."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings

from helpers import FIXTURES_REPO, REPO
from ssot_lint.facts import extract_facts
from ssot_lint.facts_cst import extract_with_libcst
from test_property_resolution import package_trees

SAMPLES = sorted(p for p in [*FIXTURES_REPO.rglob("*.py"), *(REPO / "ssot_lint").glob("*.py"),
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


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: str(p.relative_to(REPO)))
def test_extractors_agree_on_real_files(path):
    assert_same(path.read_bytes())


TRICKY = {
    "unicode columns": "x = 'é'; from a.b import (C as D,  # noqa: SSOT002\n    E)\nπ = a.b.C\n",
    "decorated class": "import m\n@m.deco(m.K)\nclass  Foo(m.Base, metaclass=m.Meta):\n    pass\n",
    "async": "import m\nasync def f(a, /, b=m.x(), *c, d, **e):\n    async for i in m.it():\n        await m.g()\n",
    "star and continuation": "from a.b \\\n    import *\nfrom . import (x,\n  y as z)\n",
    "noqa in strings": "s = '# noqa: SSOT002'\nt = f'{s} # noqa'  # noqa: SSOT005\n\"\"\"\n# noqa\n\"\"\"\n",
    "crlf": "import a\r\nx = a.B\r\n# noqa: SSOT001\r\n",
    "all": "__all__ = ['a'] + ['b']\n__all__ += ('c',)\n__all__.extend(['d'])\n__all__.append('e')\n"
           "__all__.remove('a')\n",
    "globals": "import m\n_x = None\ndef get():\n    global _x\n    if _x is None:\n        _x = m.F()\n    return _x\n",
    "try ladder": "try:\n    from a import X\nexcept (ImportError, AttributeError):\n    try:\n        from b import X\n"
                  "    except ImportError:\n        class X: pass\nelse:\n    Y = X\nfinally:\n    pass\n",
    "type checking": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import X\nelif m:\n"
                     "    from b import X\nelse:\n    X = None\n",
    "with and for": "import m\nwith m.open() as (f, g), m.x() as h:\n    for i, *j in m.z:\n        pass\n",
    "patch strings": "from unittest import mock\n@mock.patch('a.b.C')\ndef t(c):\n    mock.patch(target='a.b.D')\n"
                     "    __import__('x.y')\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_extractors_agree_on_tricky_sources(name):
    assert_same(TRICKY[name].encode())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(package_trees())
def test_extractors_agree_on_generated_modules(tree):
    for text in tree[1].values():
        assert_same(text.encode())

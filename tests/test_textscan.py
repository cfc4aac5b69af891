"""textscan.py: what `init --discover` reads off a file's text agrees with the parser where it matters."""

from __future__ import annotations

from ssot_lint.facts.extract import extract_facts
from ssot_lint.facts.model import BindingKind
from ssot_lint.files.textscan import TextImport, aliases, scan

SOURCE = b'''"""Docs with an example at column 0:

from fake import Nope
class NotReal:
    pass
"""
from a.b import (X,  # a comment
    Y as Z)
from . import w
from .. x import q  # comment
import os; from m import n as o
if TYPE_CHECKING:
    from t import T
try:
    from p import Q
except ImportError:
    class Q:
        pass
triple = ["\'\'\'" in os.sep]
def f():
    """
    from inner import I
    """
    from inner2 import J
'''


def parsed_imports(source: bytes):
    return sorted((b.level, b.module or "", b.imported_name, b.name) for b in extract_facts(source).bindings
                  if b.kind is BindingKind.IMPORT_FROM)


def test_the_text_finds_the_from_imports_the_parser_finds_and_none_inside_strings():
    view = scan(SOURCE)
    assert sorted((i.level, i.module, i.name, i.local) for i in view.imports) == parsed_imports(SOURCE)
    assert TextImport("t", 0, "T", "T", 13, True) in view.imports  # under TYPE_CHECKING
    assert "Nope" not in {i.name for i in view.imports}


def test_a_definition_at_column_0_counts_only_outside_strings():
    assert scan(SOURCE).defines_at_top  # `def f` (the `class NotReal` is in the docstring)
    only_in_docstring = b'"""Example:\n\nclass Old:\n    pass\n"""\nfrom app.engine import Engine\n'
    view = scan(only_in_docstring)
    assert not view.defines_at_top and not view.assigns_at_top


def test_import_fallbacks_are_named():
    assert scan(SOURCE).fallback_names == ("Q",)
    assert scan(b"try:\n    import x\nexcept ValueError:\n    def f():\n        pass\n").fallback_names == ()


def test_an_assignment_at_column_0_is_seen_but_not_an_alias_a_dunder_or_a_keyword_argument():
    assert scan(b'from a import b\nDOMAIN = "light"\n').assigns_at_top
    assert not scan(b"from a import b\n__all__ = ['b']\nB = a.b\n").assigns_at_top
    assert not scan(b"import warnings\nwarnings.warn(\n'old',\nstacklevel=2)\n").assigns_at_top


def test_aliases_are_read_for_the_names_asked_about():
    data = b"from a import Engine\nFactory = Engine\nOther = a.b.Engine\nx = 1\n"
    assert aliases(data, {"Engine"}) == [("Factory", "Engine"), ("Other", "Engine"), ("x", "1")]
    assert aliases(data, {"Missing"}) == []

"""Facts: what `extract_facts` reads from one file, on small sources."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from typing import List

import pytest

from ssot_lint.facts.extract import extract_facts
from ssot_lint.facts.model import Binding, BindingKind, BranchKind, Context, FileFacts, ParseError, Span


def facts(source: str) -> FileFacts:
    result = extract_facts(textwrap.dedent(source).lstrip("\n").encode("utf-8"))
    assert result.parse_error is None, result.parse_error
    return result


def bindings(source: str, name: str) -> List[Binding]:
    return [b for b in facts(source).bindings if b.name == name]


def binding(source: str, name: str) -> Binding:
    found = bindings(source, name)
    assert len(found) == 1, found
    return found[0]


def kinds(context: Context) -> List[BranchKind]:
    return [b.kind for b in context.branches]


# -- imports and their context ---------------------------------------------------------------


def test_module_level_import():
    b = binding("from a.b import C\n", "C")
    assert b.kind is BindingKind.IMPORT_FROM
    assert (b.module, b.level, b.imported_name) == ("a.b", 0, "C")
    assert b.context == Context()
    assert b.context.at_module_level and not b.context.in_function
    assert not b.context.type_checking and not b.context.in_import_fallback
    assert b.is_import and not b.is_renaming


def test_import_from_as_is_renaming():
    b = binding("from a.b import C as D\n", "D")
    assert (b.kind, b.module, b.imported_name) == (BindingKind.IMPORT_FROM, "a.b", "C")
    assert b.is_renaming


def test_import_in_a_function():
    source = """
        def make():
            from a.b import C
            return C()
    """
    b = binding(source, "C")
    assert b.context.scope == (("function", "make"),)
    assert b.context.in_function and not b.context.at_module_level
    assert b.context.qualname == "make"
    assert b.context.describe() == "inside a function"


def test_import_in_a_method_and_a_class_body():
    source = """
        class K:
            from a import InClass
            async def run(self):
                from a import InMethod
    """
    in_class, in_method = binding(source, "InClass"), binding(source, "InMethod")
    assert in_class.context.scope == (("class", "K"),)
    assert not in_class.context.in_function
    assert in_method.context.scope == (("class", "K"), ("function", "run"))
    assert in_method.context.qualname == "K.run" and in_method.context.in_function


@pytest.mark.parametrize("test", ["TYPE_CHECKING", "typing.TYPE_CHECKING", "t.TYPE_CHECKING"])
def test_import_under_type_checking(test):
    source = f"""
        if {test}:
            from a import Hint
        else:
            from b import Hint
    """
    under, otherwise = bindings(source, "Hint")
    assert kinds(under.context) == [BranchKind.TYPE_CHECKING]
    assert under.context.type_checking
    assert under.context.describe() == "under TYPE_CHECKING"
    assert otherwise.context == Context(), "the else of `if TYPE_CHECKING` always runs"


def test_not_type_checking_is_an_ordinary_conditional():
    b = binding("if not TYPE_CHECKING:\n    from a import X\n", "X")
    assert kinds(b.context) == [BranchKind.CONDITIONAL]
    assert not b.context.type_checking


@pytest.mark.parametrize("handler", [
    "except ImportError:",
    "except ModuleNotFoundError:",
    "except (ValueError, ImportError):",
    "except builtins.ImportError as exc:",
    "except Exception:",
    "except:",
])
def test_try_body_and_import_error_fallback(handler):
    source = f"""
        try:
            from new.place import Factory
        {handler}
            from old.place import Factory
    """
    body, fallback = bindings(source, "Factory")
    assert kinds(body.context) == [BranchKind.TRY]
    assert kinds(fallback.context) == [BranchKind.EXCEPT]
    try_id = body.context.branches[0].try_id
    assert fallback.context.branches[0].try_id == try_id, "the handler belongs to the same try"
    assert fallback.context.branches[0].catches_import_error
    assert body.context.innermost_try == try_id
    assert fallback.context.innermost_try is None
    assert fallback.context.in_import_fallback and not body.context.in_import_fallback
    assert body.context.describe() == "in a try block"
    assert fallback.context.describe() == "in an except ImportError fallback"


def test_try_else_counts_as_the_body_and_finally_as_plain_code():
    source = """
        try:
            import first
        except ImportError:
            first = None
        else:
            import second
        finally:
            import third
    """
    body, orelse, final = bindings(source, "first")[0], binding(source, "second"), binding(source, "third")
    assert kinds(body.context) == [BranchKind.TRY]
    assert orelse.context.branches == body.context.branches, "`else` runs when the body succeeded"
    assert final.context == Context()


def test_try_finally_without_handlers_always_runs():
    b = binding("try:\n    from a import X\nfinally:\n    pass\n", "X")
    assert b.context == Context()


def test_handler_that_does_not_catch_import_error_is_no_fallback():
    source = """
        try:
            from a import X
        except ValueError:
            from b import X
    """
    body, handler = bindings(source, "X")
    assert not body.context.in_import_fallback
    assert not handler.context.in_import_fallback
    assert kinds(handler.context) == [BranchKind.EXCEPT]
    assert not handler.context.branches[0].catches_import_error
    assert "ImportError" not in handler.context.describe()


def test_each_try_has_its_own_id_and_nesting_is_kept():
    source = """
        try:
            from a import One
        except ImportError:
            try:
                from b import One
            except ImportError:
                One = None
        try:
            from c import Two
        except ImportError:
            pass
    """
    first, second, last = bindings(source, "One")
    two = binding(source, "Two")
    outer = first.context.branches[0].try_id
    assert kinds(second.context) == [BranchKind.EXCEPT, BranchKind.TRY]
    assert kinds(last.context) == [BranchKind.EXCEPT, BranchKind.EXCEPT]
    assert all(b.catches_import_error for b in last.context.branches)
    inner = second.context.branches[1].try_id
    assert second.context.branches[0].try_id == outer
    assert len({outer, inner, two.context.branches[0].try_id}) == 3
    assert second.context.innermost_try == inner
    assert second.context.in_import_fallback, "inside the outer fallback"
    assert last.kind is BindingKind.ASSIGN


@pytest.mark.parametrize("header", ["if settings.DEBUG:", "while retry:", "for item in items:", "with lock:"])
def test_other_conditionals(header):
    b = binding(f"{header}\n    from a import X\n", "X")
    if header.startswith("with"):
        assert b.context == Context(), "a with block always runs"
    else:
        assert kinds(b.context) == [BranchKind.CONDITIONAL]
        assert b.context.describe() == ""


def test_match_case_is_conditional():
    b = binding("match v:\n    case 1:\n        from a import X\n", "X")
    assert kinds(b.context) == [BranchKind.CONDITIONAL]


def test_function_body_does_not_inherit_the_branches_around_its_def():
    source = """
        try:
            def load():
                from a import X
        except ImportError:
            pass
    """
    assert binding(source, "load").context.branches[0].kind is BranchKind.TRY
    assert binding(source, "X").context.branches == ()


def test_describe_combines_words():
    source = """
        def f():
            if TYPE_CHECKING:
                from a import X
    """
    assert binding(source, "X").context.describe() == "inside a function, under TYPE_CHECKING"


# -- import forms ----------------------------------------------------------------------------


def test_import_dotted_binds_the_top_package():
    b = binding("import a.b.c\n", "a")
    assert b.kind is BindingKind.IMPORT_MODULE
    assert b.module == "a.b.c"
    assert b.imported_name == "a"


def test_import_dotted_as_binds_the_submodule():
    b = binding("import a.b.c as m\n", "m")
    assert b.kind is BindingKind.IMPORT_MODULE
    assert b.module == "a.b.c"
    assert b.imported_name == "a.b.c"


def test_several_modules_in_one_import_share_the_statement_span():
    found = facts("import os, a.b as m, c\n").bindings
    assert [(b.name, b.module, b.imported_name) for b in found] == [
        ("os", "os", "os"), ("m", "a.b", "a.b"), ("c", "c", "c")]
    assert {b.statement for b in found} == {Span(1, 1, 1, 23)}
    assert [b.order for b in found] == [0, 1, 2]


@pytest.mark.parametrize("statement, level, module, name", [
    ("from . import sib", 1, "", "sib"),
    ("from .mod import Name", 1, "mod", "Name"),
    ("from ..pkg.mod import Name", 2, "pkg.mod", "Name"),
    ("from ... import Name", 3, "", "Name"),
    ("from ....a import Name", 4, "a", "Name"),
    ("from abs.mod import Name", 0, "abs.mod", "Name"),
])
def test_relative_levels(statement, level, module, name):
    b = binding(statement + "\n", name)
    assert b.kind is BindingKind.IMPORT_FROM
    assert b.level == level
    assert (b.module or "") == module
    assert b.imported_name == name


@pytest.mark.parametrize("statement, level, module", [
    ("from a.b import *", 0, "a.b"),
    ("from .mod import *", 1, "mod"),
    ("from .. import *", 2, ""),
])
def test_star_imports(statement, level, module):
    b = binding(statement + "\n", "*")
    assert b.kind is BindingKind.STAR
    assert (b.level, b.module or "") == (level, module)
    assert b.is_import


def test_parenthesised_multiline_import_positions():
    source = "from a.b import (\n    One,\n    Two as Deux,\n)\n"
    one, deux = binding(source, "One"), binding(source, "Deux")
    assert (one.span.line, one.span.column) == (2, 5)
    assert (deux.span.line, deux.span.column) == (3, 5)
    assert one.statement == deux.statement == Span(1, 1, 4, 2)


# -- classes, functions, aliases, assignments ------------------------------------------------


def test_class_bases_as_written():
    source = """
        import mod
        from x import Base
        class C(Base, mod.Other, Generic[T], metaclass=Meta):
            class Inner(pkg.sub.K):
                def meth(self): ...
        def free(): ...
    """
    found = facts(source)
    outer, inner = found.classes
    assert (outer.name, outer.qualname, outer.bases) == ("C", "C", ("Base", "mod.Other", "Generic"))
    assert (inner.name, inner.qualname, inner.bases) == ("Inner", "C.Inner", ("pkg.sub.K",))
    assert inner.context.scope == (("class", "C"),)
    assert outer.span == Span(3, 7, 3, 8)
    meth, free = found.functions
    assert (meth.qualname, meth.is_method) == ("C.Inner.meth", True)
    assert (free.qualname, free.is_method) == ("free", False)
    assert binding(source, "C").kind is BindingKind.CLASS
    assert binding(source, "free").kind is BindingKind.FUNCTION


def test_class_with_a_call_base_has_no_dotted_base():
    assert facts("class C(make_base()): ...\n").classes[0].bases == ()


def test_alias_of_a_dotted_name():
    b = binding("import a.b\nX = a.b.C\n", "X")
    assert (b.kind, b.value) == (BindingKind.ALIAS, "a.b.C")
    assert b.is_renaming


def test_alias_keeping_the_name_is_not_renaming():
    imported, alias = bindings("from m import Factory\nFactory = Factory\n", "Factory")
    assert imported.kind is BindingKind.IMPORT_FROM and alias.kind is BindingKind.ALIAS
    assert not alias.is_renaming
    assert alias.order > imported.order


def test_annotated_alias():
    b = binding("X: type = mod.Factory\n", "X")
    assert (b.kind, b.value) == (BindingKind.ALIAS, "mod.Factory")


@pytest.mark.parametrize("value", ["None", "True", "False", "3", "'text'", "f()", "[a]", "a.b()", "a or b",
                                   "lambda: C"])
def test_plain_assignments_are_not_aliases(value):
    b = binding(f"X = {value}\n", "X")
    assert b.kind is BindingKind.ASSIGN
    assert b.value is None


def test_assignment_targets():
    found = facts("a, (b, *c) = stuff\nwith open(p) as fh:\n    pass\nfor i, j in pairs:\n    pass\n")
    assert [(b.name, b.kind) for b in found.bindings] == [
        (name, BindingKind.ASSIGN) for name in ("a", "b", "c", "fh", "i", "j")]


def test_chained_assignment_binds_every_target():
    found = facts("A = B = mod.Factory\n").bindings
    assert [(b.name, b.kind, b.value) for b in found] == [
        ("A", BindingKind.ALIAS, "mod.Factory"), ("B", BindingKind.ALIAS, "mod.Factory")]


def test_module_bindings_leave_out_nested_scopes():
    found = facts("import a\ndef f():\n    import b\nclass K:\n    import c\n")
    assert [b.name for b in found.module_bindings()] == ["a", "f", "K"]


# -- __all__ ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source, names, dynamic", [
    ("X = 1\n", None, False),
    ("__all__ = ['A', \"B\"]\n", ("A", "B"), False),
    ("__all__ = ('A', 'B')\n", ("A", "B"), False),
    ("__all__ = ('A',) + ('B',)\n", ("A", "B"), False),
    ("__all__: list = ['A']\n", ("A",), False),
    ("__all__ = []\n", (), False),
    ("__all__ = ['A']\n__all__ += ['B']\n__all__ += ('C',)\n", ("A", "B", "C"), False),
    ("__all__ = ['A']\n__all__.extend(['B', 'C'])\n", ("A", "B", "C"), False),
    ("__all__ = ['A']\n__all__.append('B')\n", ("A", "B"), False),
    ("__all__ = ['A']\n__all__ += other.__all__\n", ("A",), True),
    ("__all__ = ['A']\n__all__.extend(names)\n", ("A",), True),
    ("__all__ = ['A']\n__all__.append(name)\n", ("A",), True),
    ("__all__ = ['A', *more]\n", ("A",), True),
    ("__all__ = [n for n in dir()]\n", (), True),
    ("__all__ = sorted(NAMES)\n", (), True),
])
def test_dunder_all(source, names, dynamic):
    found = facts(source)
    assert found.all_names == names
    assert found.all_is_dynamic is dynamic


def test_dunder_all_in_a_function_or_class_is_not_the_module_s():
    found = facts("def f():\n    __all__ = ['A']\nclass K:\n    __all__ = ['B']\n")
    assert found.all_names is None


def test_dunder_all_remove_is_not_ignored():
    """`__all__.remove('A')` takes A out of the exports: the facts must not still list A as exported
    (either apply the removal, or mark `__all__` dynamic)."""
    found = facts("__all__ = ['A', 'B']\n__all__.remove('A')\n")
    assert found.all_is_dynamic or found.all_names == ("B",), (found.all_names, found.all_is_dynamic)


# -- calls -----------------------------------------------------------------------------------


def test_calls_with_assigned_to():
    source = """
        import mod
        shared = Factory()
        other = mod.Factory(config=1)
        typed: Factory = Factory()
        chained = Factory().build()
        class K:
            def __init__(self):
                self.engine = Engine()
                local = Engine()
                Engine()
    """
    calls = {(c.callee, c.span.line): c for c in facts(source).calls}
    assert calls[("Factory", 2)].assigned_to == "shared"
    assert calls[("Factory", 2)].creates_shared_instance
    assert calls[("mod.Factory", 3)].assigned_to == "other"
    assert calls[("Factory", 4)].assigned_to == "typed"
    assert calls[("Factory", 5)].assigned_to is None, "`chained` holds what build() returned"
    assert calls[("Engine", 8)].assigned_to == "self.engine"
    assert not calls[("Engine", 8)].creates_shared_instance
    assert calls[("Engine", 9)].assigned_to == "local"
    assert not calls[("Engine", 9)].creates_shared_instance, "a local is one per call"
    assert calls[("Engine", 10)].assigned_to is None
    assert calls[("Engine", 8)].context.scope == (("class", "K"), ("function", "__init__"))


def test_global_lazy_singleton():
    source = """
        _factory = None

        def get_factory():
            global _factory
            if _factory is None:
                _factory = Factory()
            return _factory

        def not_global():
            _factory = Factory()
            return _factory
    """
    lazy, local = facts(source).calls
    assert (lazy.callee, lazy.assigned_to, lazy.global_name) == ("Factory", "_factory", "_factory")
    assert lazy.creates_shared_instance
    assert lazy.context.in_function and kinds(lazy.context) == [BranchKind.CONDITIONAL]
    assert (local.assigned_to, local.global_name) == ("_factory", None)
    assert not local.creates_shared_instance


def test_global_declared_in_another_function_does_not_count():
    source = """
        def a():
            global inst
        def b():
            inst = Factory()
    """
    (call,) = facts(source).calls
    assert call.global_name is None


def test_call_span_covers_the_whole_call():
    (call,) = facts("x = mod.Factory(1, 2)\n").calls
    assert call.span == Span(1, 5, 1, 22)


# -- string references -----------------------------------------------------------------------


def test_string_references():
    source = """
        import importlib
        from unittest import mock

        @mock.patch("pkg.shim.Factory")
        def test_one(m):
            with mock.patch("pkg.shim.Factory.create"):
                pass
            importlib.import_module("pkg.shim")
            __import__("pkg.other")
            mock.patch(target="pkg.kw.Name")
            mock.patch("pkg.concat." "Name")
            patch("pkg.colon:Name")
    """
    found = {s.value: s for s in facts(source).strings}
    assert set(found) == {"pkg.shim.Factory", "pkg.shim.Factory.create", "pkg.shim", "pkg.other",
                          "pkg.kw.Name", "pkg.concat.Name", "pkg.colon:Name"}
    decorator = found["pkg.shim.Factory"]
    assert decorator.callee == "mock.patch"
    assert decorator.span == Span(4, 13, 4, 31), "the string literal, quotes included"
    assert decorator.context.at_module_level
    assert found["pkg.shim"].callee == "importlib.import_module"
    assert found["pkg.other"].callee == "__import__"
    assert found["pkg.shim"].context.scope == (("function", "test_one"),)


@pytest.mark.parametrize("call", [
    'mock.patch("nodots")',  # a single name is not a path
    'mock.patch(f"pkg.{name}.Factory")',  # not a literal
    'mock.patch(b"pkg.shim.Factory")',  # bytes
    'importlib.import_module(".rel", "pkg")',  # relative
    'mock.patch("pkg shim.Factory")',
    'mock.patch.object(target, "attr")',
    'mock.patch(SOME_CONSTANT)',
    '"""pkg.shim.Factory"""',  # a docstring is prose
    'class A:\n    "pkg.shim.Factory"',
    'def f():\n    """pkg.shim.Factory"""',
    'f"pkg.shim{suffix}"',  # the text of an f-string
])
def test_strings_that_are_not_references(call):
    assert facts(f"{call}\n").strings == ()


def test_a_whole_dotted_path_anywhere_else_is_a_reference_without_a_callee():
    source = """
        PATHS = ["pkg.shim", "pkg.shim:Factory"]
        print("pkg.shim.Factory")
        x = "not.a path"
        y = "pkg." "joined"


        def test():
            "doc"
            return {"pkg.key": 1}
    """
    found = {s.value: s for s in facts(source).strings}
    assert set(found) == {"pkg.shim", "pkg.shim:Factory", "pkg.shim.Factory", "pkg.joined", "pkg.key"}
    assert {s.callee for s in found.values()} == {""}
    assert found["pkg.shim"].span == Span(1, 10, 1, 20)
    assert found["pkg.joined"].span == Span(4, 5, 4, 20)


# -- attribute references --------------------------------------------------------------------


def test_attribute_refs_only_off_names_bound_by_an_import():
    source = """
        import pkg.shim
        import other.mod as om
        from pkg import helpers
        a = pkg.shim.Factory
        b = om.Factory()
        c = helpers.Factory
        d = local.Factory
        def f():
            return om.deep.Name.attr
    """
    refs = {r.dotted: r for r in facts(source).attribute_refs}
    # `from pkg import helpers` may bind a module too: `helpers.Factory` is kept, `local.Factory` is not
    assert set(refs) == {"pkg.shim.Factory", "om.Factory", "helpers.Factory", "om.deep.Name.attr"}
    assert refs["pkg.shim.Factory"].span == Span(4, 5, 4, 21)
    assert refs["om.deep.Name.attr"].context.scope == (("function", "f"),)


def test_attribute_refs_from_a_function_level_import():
    source = """
        def f():
            import pkg
            return pkg.Name
    """
    assert [r.dotted for r in facts(source).attribute_refs] == ["pkg.Name"]


# -- noqa ------------------------------------------------------------------------------------


def test_noqa_comments():
    source = """
        a = 1  # noqa
        b = 2  # noqa: SSOT002
        c = 3  # NOQA: ssot002, SSOT005
        d = 4  # noqa:SSOT001,SSOT003 because reasons
        e = 5  #noqa
        f = 6  # nothing to see
        g = "# noqa"
        # noqa: SSOT010
        h = 7  # type: ignore  # noqa: SSOT004
    """
    noqa = {c.line: c.codes for c in facts(source).noqa}
    assert noqa == {
        1: None,
        2: ("SSOT002",),
        3: ("SSOT002", "SSOT005"),
        4: ("SSOT001", "SSOT003"),
        5: None,
        8: ("SSOT010",),
        9: ("SSOT004",),
    }


def test_noqa_span():
    (comment,) = facts("import x  # noqa: SSOT002\n").noqa
    assert comment.line == 1
    assert comment.span == Span(1, 11, 1, 26)


# -- positions -------------------------------------------------------------------------------


def test_positions_are_one_based_lines_and_columns():
    source = "import os\n\nif x:\n    from a.b import Name as Alias\n"
    b = binding(source, "Alias")
    assert b.span == Span(4, 21, 4, 34), "the alias `Name as Alias`"
    assert b.statement == Span(4, 5, 4, 34)
    assert binding(source, "os").span == Span(1, 8, 1, 10)


def test_columns_count_characters_not_bytes():
    b = binding('x = "éé"; import mod\n', "mod")
    assert (b.span.line, b.span.column) == (1, 18)


def test_positions_with_crlf_and_tabs():
    found = facts("import a\r\nif x:\r\n\timport b\r\n")
    a, b = (x for x in found.bindings if x.name in ("a", "b"))
    assert (a.span.line, a.span.column) == (1, 8)
    assert (b.span.line, b.span.column) == (3, 9), "a tab is one character"


def test_encoding_cookie_and_bom():
    latin = extract_facts(b'# -*- coding: latin-1 -*-\nx = "\xe9"\nimport mod\n')
    assert latin.parse_error is None
    assert [b.span.line for b in latin.bindings if b.name == "mod"] == [3]
    bom = extract_facts(b"\xef\xbb\xbfimport mod\n")
    assert bom.parse_error is None
    assert bom.bindings[0].span == Span(1, 8, 1, 11)


def test_empty_file():
    assert extract_facts(b"") == FileFacts()


# -- parse errors ----------------------------------------------------------------------------


def python_syntax_error(source: bytes) -> SyntaxError:
    try:
        ast.parse(source)
    except SyntaxError as error:
        return error
    raise AssertionError("the source parses")


# A parse error carries Python's own message and position (what users know from tracebacks), on one line.
@pytest.mark.parametrize("source, line", [
    (b'import os\nprint "hello"\n', 2),
    (b'x = 1\ny = "abc\n', 2),
    (b"def f():\nreturn 1\n", 2),
    (b"import a\nclass C\n    pass\n", 2),
])
def test_parse_errors(source, line):
    result = extract_facts(source)
    assert isinstance(result.parse_error, ParseError)
    python = python_syntax_error(source)
    assert result.parse_error.line == python.lineno == line
    assert result.parse_error.column == python.offset, "1-based, as SyntaxError.offset"
    assert result.parse_error.message == " ".join(python.msg.split())
    assert "\n" not in result.parse_error.message
    assert result.bindings == () and result.noqa == ()


@pytest.mark.parametrize("source", [
    b"x = 1\x00\n",
    b'# coding: no-such-codec\nx = 1\n',
    b'x = "\xff\xfe"\n',  # not UTF-8 and no cookie
    b"\xff\xfe\x00\x00",
])
def test_unparseable_bytes_give_a_parse_error(source):
    result = extract_facts(source)
    assert isinstance(result.parse_error, ParseError)
    assert result.parse_error.message and "\n" not in result.parse_error.message
    assert result.parse_error.line >= 1 and result.parse_error.column >= 1


def test_nul_byte_error_points_at_its_line():
    result = extract_facts(b"import a\nx = 1\x00\n")
    assert isinstance(result.parse_error, ParseError)
    assert result.parse_error.line == 2, result.parse_error


def test_deeply_nested_source_is_a_parse_error_not_a_crash():
    """CPython refuses 1500 nested parentheses ("too many nested parentheses"); the linter must report
    a parse error for such a file, not crash the process. Run apart: a crash would kill pytest."""
    code = (
        "from ssot_lint.facts.extract import extract_facts\n"
        "source = b'x = ' + b'(' * 1500 + b')' * 1500 + b'\\n'\n"
        "error = extract_facts(source).parse_error\n"
        "print('PARSE-ERROR' if error is not None else 'NO-ERROR')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"the process died (returncode {result.returncode}): {result.stderr[-500:]}"
    assert result.stdout.strip() == "PARSE-ERROR"


def test_reading_facts_prints_no_warning_about_the_code_read():
    """CPython warns about an invalid escape or `1if` while parsing (SyntaxWarning from 3.12): that is the
    linted code's business, not something ssot-lint should print."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        facts = extract_facts(b'import re\nPATTERN = "\\d+"\nvalue = 1if PATTERN else 2\n')
    assert facts.parse_error is None and [b.name for b in facts.bindings] == ["re", "PATTERN", "value"]
    assert caught == []

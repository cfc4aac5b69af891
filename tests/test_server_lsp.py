"""The language server's conversions (commands/server_lsp.py), in-process: positions in each encoding, text
edits, the lines of config keys, the bytes of an editor's text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lsp_session import apply_edits
from ssot_lint.commands.server_lsp import characters, encode_source, key_line, position, split_lines, text_edits, units


def test_units_and_characters_are_inverse_in_every_encoding():
    line = 'x = "é𝄞"; y'
    for encoding, expected in (("utf-16", [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]),
                               ("utf-8", [0, 1, 2, 3, 4, 5, 7, 11, 12, 13, 14, 15]),
                               ("utf-32", list(range(12)))):
        assert [units(line[:index], encoding) for index in range(len(line) + 1)] == expected, encoding
        assert [characters(line, count, encoding) for count in expected] == list(range(len(line) + 1))


def test_positions_stay_inside_the_document():
    lines = split_lines("a = 1\r\nbé = 2\rc")
    assert lines == ["a = 1", "bé = 2", "c"]
    assert (position(lines, 2, 3, "utf-8").line, position(lines, 2, 3, "utf-8").character) == (1, 3)
    assert (position(lines, 9, 1, "utf-16").line, position(lines, 9, 1, "utf-16").character) == (2, 1)
    assert (position(lines, 0, 0, "utf-16").line, position(lines, 0, 0, "utf-16").character) == (0, 0)


texts = st.lists(st.sampled_from(["import a\n", "from b import C\n", "x = 'é𝄞'\n", "\n", "y = 1\r\n", "z"]),
                 max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_text_edits_turn_the_old_text_into_the_new(old, new):
    assert apply_edits(old, text_edits(old, new, "utf-16")) == new


def test_text_edits_are_whole_lines():
    edits = text_edits("a\nb\nc\n", "a\nB\nc\n", "utf-16")
    assert [(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character, e.new_text)
            for e in edits] == [(1, 0, 2, 0, "B\n")]


def test_key_line_finds_the_keys_errors_name():
    pyproject = ['[project]', 'name = "x"', '', '[tool.ssot-lint]', 'srcs = ["."]', '',
                 '[[tool.ssot-lint.canonical]]', 'symbol = "a:B"', '', '[[tool.ssot-lint.canonical]]',
                 'symbol = "c:D"', 'shims = ["e"]']
    assert key_line(pyproject, "tool.ssot-lint.srcs") == 4
    assert key_line(pyproject, "tool.ssot-lint.canonical[1].shims") == 11
    assert key_line(pyproject, "tool.ssot-lint.canonical[0].shims") == 6  # not there: its table
    assert key_line(pyproject, "tool.ssot-lint.canonical[5].symbol") is None
    assert key_line(pyproject, "tool.ssot-lint.exclude") == 3
    top_level = ['src = ["."]', 'select = ["SSOT9"]', '', '[[canonical]]', 'symbol = "a:B"']
    assert key_line(top_level, "select") == 1
    assert key_line(top_level, "canonical[0].symbol") == 4


def test_an_editors_text_is_encoded_as_its_coding_cookie_says():
    latin = "# -*- coding: latin-1 -*-\nx = 'é'\n"
    assert encode_source(latin) == latin.encode("latin-1")
    assert encode_source("x = 'é'\n") == "x = 'é'\n".encode()
    assert encode_source("# coding: ascii\nx = 'é'\n") == "# coding: ascii\nx = 'é'\n".encode()  # cannot: UTF-8

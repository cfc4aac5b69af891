"""Which texts the prefilter keeps: every way Python code can name a tracked symbol or module."""

from __future__ import annotations

import fnmatch
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssot_lint.files.tokens import Tokens, _identifier_regex

TOKENS = Tokens(frozenset({"EngineFactory", "Engine"}), ("*Factory", "Legacy*"),
                frozenset({"app.core.legacy_list", "app.factory"}))

KEPT = {
    "the name": ("x = EngineFactory()\n", "pkg.m"),
    "a lookalike suffix": ("class RequestFactory: pass\n", "pkg.m"),
    "a lookalike prefix": ("class LegacyThing: pass\n", "pkg.m"),
    "a dotted import": ("import app.core.legacy_list\n", "pkg.m"),
    "a from-import of the module": ("from app.core import legacy_list\n", "pkg.m"),
    "a relative import": ("from .legacy_list import helper\n", "app.core.m"),
    "a relative import of the package": ("from . import legacy_list\n", "app.core.m"),
    "a relative import from below": ("from .. import legacy_list\n", "app.core.sub.m"),
    "a string path": ("patch('app.core.legacy_list.helper')\n", "tests.t"),
    "an attribute": ("import app.core as c\nc.legacy_list.helper()\n", "pkg.m"),
    "a noqa comment": ("import os  # noqa: SSOT002\n", "pkg.m"),
}
SKIPPED = {
    "a longer name": ("x = EngineFactoryBuilder\n", "pkg.m"),
    "a name inside another": ("MyEngineX = 1\n", "pkg.m"),
    "the module's last name alone": ("legacy_list = [1, 2]\n", "pkg.m"),
    "the canonical module's last name alone": ("factory = make()\n", "pkg.m"),
    "nothing": ("import os\n", "pkg.m"),
}


@pytest.mark.parametrize("name", sorted(KEPT))
def test_kept(name):
    text, module = KEPT[name]
    assert TOKENS.matches(text.encode(), module)


@pytest.mark.parametrize("name", sorted(SKIPPED))
def test_skipped(name):
    text, module = SKIPPED[name]
    assert not TOKENS.matches(text.encode(), module)


def test_star_import_of_a_re_exporting_module():
    tokens = Tokens(frozenset({"EngineFactory"}), star_modules=frozenset({"exports"}))
    assert tokens.matches(b"from app.exports import *\n", "pkg.m")
    assert tokens.matches(b"from app.exports \\\n    import *\n", "pkg.m")
    assert not tokens.matches(b"from app.exports import helper\n", "pkg.m")


def test_grown_tokens_differ_by_what_is_new():
    grown = TOKENS.grow(names={"Factory2"}, star_modules={"exports"})
    new = grown.difference(TOKENS)
    assert new.names == {"Factory2"} and new.star_modules == {"exports"} and not new.modules
    assert new.matches(b"x = Factory2\n", "pkg.m") and not new.matches(b"x = EngineFactory\n", "pkg.m")


@settings(max_examples=400, deadline=None)
@given(pattern=st.text(alphabet="ab_*?", min_size=1, max_size=6).filter(lambda p: p.strip("*?")),
       text=st.text(alphabet="ab_1 .*(\n", max_size=24))
def test_an_identifier_pattern_finds_exactly_the_identifiers_fnmatch_matches(pattern, text):
    """The regex is built for speed (a literal first, the boundary checked after it); what it finds
    must still be exactly a whole identifier that matches the pattern."""
    literal, regex = _identifier_regex(pattern)
    data = text.encode()
    expected = any(fnmatch.fnmatchcase(word, pattern) for word in re.findall(r"[A-Za-z0-9_]+", text))
    assert bool(literal in data and regex.search(data)) == expected


# A checked file is read on its module-level view when that holds all the rules could find in it.
HOT = Tokens(frozenset({"HomeAssistant"}), ("*Assistant",), frozenset({"homeassistant.core"}))
IMPORT = "from homeassistant.core import HomeAssistant\n"
VIEW_IS_ENOUGH = {
    "an import and an annotation": IMPORT + "def f(hass: HomeAssistant) -> HomeAssistant:\n    return hass\n",
    "a parenthesised import": "from homeassistant.core import (\n    Event,\n    HomeAssistant,\n)\n",
    "annotations of every shape": IMPORT + "def f(\n    hass: HomeAssistant,\n    x: Callable[[HomeAssistant], None]"
                                           " | None = None,\n) -> list[HomeAssistant]:\n    pass\n",
    "a module-level annotation": IMPORT + "hass: HomeAssistant = None\n",
}
VIEW_IS_NOT_ENOUGH = {
    "a call": IMPORT + "hass = HomeAssistant()\n",
    "an attribute": IMPORT + "callback = HomeAssistant.async_run\n",
    "read off a module": "from homeassistant import core\n\ndef f(hass: core.HomeAssistant): pass\n",
    "the module imported whole": "import homeassistant.core\n",
    "a subclass": IMPORT + "class Mine(HomeAssistant):\n    pass\n",
    "a subclass over lines": IMPORT + "class Mine(\n    Base,\n    HomeAssistant,\n):\n    pass\n",
    "a lookalike class": IMPORT + "class MyAssistant:\n    pass\n",
    "a string path": IMPORT + "TARGET = 'homeassistant.core:HomeAssistant'\n",
    "a string annotation": IMPORT + "def f(hass: 'HomeAssistant'): pass\n",
    "an alias": IMPORT + "Hass = HomeAssistant\n",
    "a noqa comment": IMPORT.rstrip() + "  # noqa: F401\n",
    "a noqa comment in capitals": IMPORT.rstrip() + "  # NOQA: SSOT002\n",
    "an isinstance test": IMPORT + "ok = isinstance(x, HomeAssistant)\n",
    "a call after a semicolon": "from homeassistant.core import HomeAssistant; HomeAssistant()\n",
}


@pytest.mark.parametrize("name", sorted(VIEW_IS_ENOUGH))
def test_the_view_is_enough(name):
    assert HOT.view_suffices(VIEW_IS_ENOUGH[name].encode(), "homeassistant.components.light")


@pytest.mark.parametrize("name", sorted(VIEW_IS_NOT_ENOUGH))
def test_the_view_is_not_enough(name):
    assert not HOT.view_suffices(VIEW_IS_NOT_ENOUGH[name].encode(), "homeassistant.components.light")


def test_the_tracked_module_itself_is_read_in_full():
    assert not HOT.view_suffices(IMPORT.encode(), "homeassistant.core")

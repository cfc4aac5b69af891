"""Configuration: finding the file, reading every key, and every error naming the file and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers import write_tree
from ssot_lint.config import (
    CanonicalSpec,
    Config,
    ConfigError,
    SymbolPath,
    find_config_file,
    load_config,
    parse_config,
)
from ssot_lint.engine.run import run_check
from ssot_lint.rule import EXAMPLE_FILES

CANONICAL = """
[[tool.ssot-lint.canonical]]
symbol = "app.factory:EngineFactory"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def pyproject(folder: Path, body: str) -> Path:
    return write(folder, "pyproject.toml", body)


def load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message, "a config error is one line"
    assert str(path) in message, f"the message does not name the file: {message}"
    return message


# -- finding the file ------------------------------------------------------------------------


def test_find_walks_up_from_a_nested_folder(tmp_path):
    config = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL)
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config_file(deep) == config.resolve()


def test_find_starts_from_the_folder_of_a_file(tmp_path):
    config = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL)
    module = write(tmp_path, "pkg/mod.py", "x = 1\n")
    assert find_config_file(module) == config.resolve()


def test_find_prefers_the_nearest_config(tmp_path):
    pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL)
    inner = pyproject(tmp_path / "sub", "[tool.ssot-lint]\n" + CANONICAL)
    assert find_config_file(tmp_path / "sub") == inner.resolve()


def test_find_skips_a_pyproject_without_an_ssot_lint_section(tmp_path):
    outer = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL)
    pyproject(tmp_path / "sub", '[project]\nname = "sub"\n\n[tool.ruff]\nline-length = 100\n')
    assert find_config_file(tmp_path / "sub") == outer.resolve()


def test_find_skips_a_broken_pyproject_that_is_not_ours(tmp_path):
    outer = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL)
    pyproject(tmp_path / "sub", "[project\nname = \n")
    assert find_config_file(tmp_path / "sub") == outer.resolve()


def test_find_returns_a_broken_pyproject_that_has_our_section_so_its_error_is_reported(tmp_path):
    broken = pyproject(tmp_path, "[tool.ssot-lint]\nsrc = [\n")
    assert find_config_file(tmp_path) == broken.resolve()
    assert "invalid TOML" in load_error(broken)


def test_find_uses_ssot_lint_toml_next_to_an_unrelated_pyproject(tmp_path):
    pyproject(tmp_path, '[project]\nname = "x"\n')
    dedicated = write(tmp_path, "ssot-lint.toml", '[[canonical]]\nsymbol = "app.factory:EngineFactory"\n')
    assert find_config_file(tmp_path) == dedicated.resolve()


def test_find_uses_hidden_ssot_lint_toml(tmp_path):
    hidden = write(tmp_path, ".ssot-lint.toml", '[[canonical]]\nsymbol = "app.factory:EngineFactory"\n')
    (tmp_path / "pkg").mkdir()
    assert find_config_file(tmp_path / "pkg") == hidden.resolve()


def test_find_returns_none_without_any_config(tmp_path):
    pyproject(tmp_path, '[project]\nname = "x"\n')
    (tmp_path / "pkg").mkdir()
    assert find_config_file(tmp_path / "pkg") is None


# -- reading every key -----------------------------------------------------------------------


FULL = """
[project]
name = "demo"

[tool.ssot-lint]
src = [".", "src"]
exclude = ["archive/**", "**/backup*/**"]
select = ["SSOT00", "SSOT010"]
ignore = ["SSOT005"]
respect-gitignore = false
per-file-ignores = { "tests/legacy/**" = ["SSOT002", "SSOT00"], "scripts/*.py" = ["ALL"] }

[[tool.ssot-lint.canonical]]
symbol = "pkg.core.factory:Factory"
shims = ["pkg.legacy.factory", "pkg.compat"]
lookalikes = ["*Factory", "Make*"]
products = ["pkg.core.engine:Engine", "pkg.core.engine:OtherEngine"]
allow = ["test_framework/fixtures/**"]

[[tool.ssot-lint.canonical]]
symbol = "pkg.core.registry:get_registry"
"""


def test_every_key_is_read(tmp_path):
    path = pyproject(tmp_path, FULL)
    config = load_config(path)
    assert config.path == path
    assert config.root == tmp_path.resolve()
    assert config.src == (".", "src")
    assert config.src_roots == (tmp_path.resolve(), (tmp_path / "src").resolve())
    assert config.exclude == ("archive/**", "**/backup*/**")
    assert config.select == ("SSOT00", "SSOT010")
    assert config.ignore == ("SSOT005",)
    assert config.respect_gitignore is False
    assert dict(config.per_file_ignores) == {
        "tests/legacy/**": ("SSOT002", "SSOT00"),
        "scripts/*.py": ("ALL",),
    }
    first, second = config.canonicals
    assert first == CanonicalSpec(
        symbol=SymbolPath("pkg.core.factory", "Factory"),
        shims=("pkg.legacy.factory", "pkg.compat"),
        lookalikes=("*Factory", "Make*"),
        products=(SymbolPath("pkg.core.engine", "Engine"), SymbolPath("pkg.core.engine", "OtherEngine")),
        allow=("test_framework/fixtures/**",),
    )
    assert second == CanonicalSpec(symbol=SymbolPath("pkg.core.registry", "get_registry"))


def test_defaults(tmp_path):
    config = load_config(pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL))
    assert config.src == (".",)
    assert config.src_roots == (tmp_path.resolve(),)
    assert config.exclude == ()
    assert config.select == ()
    assert config.ignore == ()
    assert config.per_file_ignores == ()
    assert config.respect_gitignore is True
    (spec,) = config.canonicals
    assert (spec.shims, spec.lookalikes, spec.products, spec.allow) == ((), (), (), ())


def test_empty_src_list_means_the_project_root(tmp_path):
    config = load_config(pyproject(tmp_path, "[tool.ssot-lint]\nsrc = []\n" + CANONICAL))
    assert config.src == (".",)


def test_symbol_path_renders_both_ways():
    symbol = SymbolPath.parse("a.b.c:Name", "here")
    assert (symbol.module, symbol.name) == ("a.b.c", "Name")
    assert str(symbol) == "a.b.c:Name"
    assert symbol.dotted == "a.b.c.Name"


@pytest.mark.parametrize("filename", ["ssot-lint.toml", ".ssot-lint.toml"])
def test_dedicated_files_hold_the_keys_at_the_top_level(tmp_path, filename):
    path = write(tmp_path, filename, """
        src = ["src"]
        exclude = ["old/**"]
        ignore = ["SSOT005"]

        [per-file-ignores]
        "tests/**" = ["SSOT002"]

        [[canonical]]
        symbol = "pkg.factory:Factory"
        shims = ["pkg.legacy"]
    """)
    config = load_config(path)
    assert config.root == tmp_path.resolve()
    assert config.src == ("src",)
    assert config.exclude == ("old/**",)
    assert config.ignore == ("SSOT005",)
    assert config.per_file_ignores == (("tests/**", ("SSOT002",)),)
    assert config.canonicals == (CanonicalSpec(SymbolPath("pkg.factory", "Factory"), shims=("pkg.legacy",)),)


@pytest.mark.parametrize("filename", ["ssot-lint.toml", ".ssot-lint.toml", "lint/ci.toml"])
def test_any_file_but_pyproject_takes_the_tool_table_too(tmp_path, filename):
    """As import-linter reads its table from any file given with --config: a copy of a pyproject.toml
    section works wherever it is put, and its keys are named as it spells them."""
    path = write(tmp_path, filename, """
        [project]
        name = "not ours"

        [tool.ruff]
        line-length = 100

        [tool.ssot-lint]
        src = ["src"]

        [[tool.ssot-lint.canonical]]
        symbol = "pkg.factory:Factory"
        shims = ["pkg.legacy"]
    """)
    config = load_config(path)
    assert config.src == ("src",) and config.root == path.parent.resolve()
    assert config.canonicals == (CanonicalSpec(SymbolPath("pkg.factory", "Factory"), shims=("pkg.legacy",)),)
    assert config.where("src") == f"{path}: tool.ssot-lint.src"
    broken = write(tmp_path, filename, '[tool.ssot-lint]\n[[tool.ssot-lint.canonical]]\nsymbol = "nocolon"\n')
    assert f"{broken}: tool.ssot-lint.canonical[0].symbol: 'nocolon' is not a symbol" in load_error(broken)


def test_a_file_with_both_the_table_and_top_level_keys_is_refused(tmp_path):
    path = write(tmp_path, "ssot-lint.toml", """
        src = ["."]

        [tool.ssot-lint]
        [[tool.ssot-lint.canonical]]
        symbol = "pkg.factory:Factory"
    """)
    assert load_error(path) == (f"{path}: both a [tool.ssot-lint] table and ssot-lint keys at the top level (src); "
                                "keep one of the two")


def test_a_file_with_neither_the_table_nor_top_level_keys_says_so(tmp_path):
    path = write(tmp_path, "other.toml", '[tool.ruff]\nline-length = 100\n')
    assert "neither a [tool.ssot-lint] table nor ssot-lint keys at the top level" in load_error(path)


def test_parse_config_without_a_file_uses_the_given_root(tmp_path):
    config = parse_config({"canonical": [{"symbol": "a.b:C"}]}, path=None, root=tmp_path)
    assert isinstance(config, Config)
    assert config.root == tmp_path.resolve() and config.path is None


# -- errors: each names the file and the key -------------------------------------------------


def test_invalid_toml(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\nsrc = = ["."]\n' + CANONICAL)
    message = load_error(path)
    assert "invalid TOML" in message
    assert "line 2" in message, "it says where"


def test_invalid_toml_in_a_dedicated_file(tmp_path):
    path = write(tmp_path, ".ssot-lint.toml", "src = = 1\n")
    assert "invalid TOML" in load_error(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "ssot-lint.toml"
    path.write_bytes(b'src = ["\xff"]\n')
    assert "UTF-8" in load_error(path)


def test_pyproject_without_the_section_given_explicitly(tmp_path):
    path = pyproject(tmp_path, '[project]\nname = "x"\n')
    assert "[tool.ssot-lint]" in load_error(path)


def test_section_that_is_not_a_table(tmp_path):
    path = pyproject(tmp_path, '[tool]\nssot-lint = "yes"\n')
    message = load_error(path)
    assert "tool.ssot-lint" in message and "table" in message


def test_unknown_top_level_key(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\nexclude-paths = ["x"]\n' + CANONICAL)
    message = load_error(path)
    assert "tool.ssot-lint.exclude-paths" in message
    assert "unknown key" in message
    assert "exclude" in message.split("exclude-paths", 1)[1], "it lists the keys it expected"


def test_unknown_top_level_key_in_a_dedicated_file(tmp_path):
    path = write(tmp_path, "ssot-lint.toml", 'srcs = ["."]\n[[canonical]]\nsymbol = "a.b:C"\n')
    message = load_error(path)
    assert "srcs" in message and "unknown key" in message


def test_unknown_key_inside_a_canonical_entry(tmp_path):
    path = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL + 'shim = ["app.legacy"]\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical[0].shim" in message
    assert "unknown key" in message


def test_unknown_key_inside_the_second_canonical_entry_names_its_index(tmp_path):
    path = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL + CANONICAL.replace("EngineFactory", "Other")
                     + 'aliases = ["x"]\n')
    assert "tool.ssot-lint.canonical[1].aliases" in load_error(path)


WRONG_TYPES = [
    pytest.param('src = "."', "tool.ssot-lint.src", id="src-string"),
    pytest.param('src = [".", 1]', "tool.ssot-lint.src", id="src-mixed"),
    pytest.param('exclude = "archive/**"', "tool.ssot-lint.exclude", id="exclude-string"),
    pytest.param("exclude = [true]", "tool.ssot-lint.exclude", id="exclude-bool"),
    pytest.param('select = "SSOT002"', "tool.ssot-lint.select", id="select-string"),
    pytest.param("ignore = [2]", "tool.ssot-lint.ignore", id="ignore-int"),
    pytest.param('respect-gitignore = "no"', "tool.ssot-lint.respect-gitignore", id="respect-gitignore-string"),
    pytest.param('per-file-ignores = ["tests/**"]', "tool.ssot-lint.per-file-ignores", id="pfi-list"),
    pytest.param('per-file-ignores = { "tests/**" = "SSOT002" }', "tool.ssot-lint.per-file-ignores",
                 id="pfi-value-string"),
    pytest.param('per-file-ignores = { "tests/**" = [2] }', "tool.ssot-lint.per-file-ignores",
                 id="pfi-value-int"),
]


@pytest.mark.parametrize("line, key", WRONG_TYPES)
def test_wrong_type_of_a_top_level_key(tmp_path, line, key):
    path = pyproject(tmp_path, f"[tool.ssot-lint]\n{line}\n" + CANONICAL)
    message = load_error(path)
    assert key in message
    assert "must be" in message


def test_per_file_ignores_error_names_the_pattern(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\nper-file-ignores = { "tests/legacy/**" = "SSOT002" }\n'
                     + CANONICAL)
    assert "tests/legacy/**" in load_error(path)


WRONG_CANONICAL_TYPES = [
    pytest.param('symbol = 3', "tool.ssot-lint.canonical[0].symbol", id="symbol-int"),
    pytest.param('symbol = ["a.b:C"]', "tool.ssot-lint.canonical[0].symbol", id="symbol-list"),
    pytest.param('symbol = "a.b:C"\nshims = "a.legacy"', "tool.ssot-lint.canonical[0].shims", id="shims-string"),
    pytest.param('symbol = "a.b:C"\nlookalikes = [1]', "tool.ssot-lint.canonical[0].lookalikes",
                 id="lookalikes-int"),
    pytest.param('symbol = "a.b:C"\nproducts = "a.b:D"', "tool.ssot-lint.canonical[0].products",
                 id="products-string"),
    pytest.param('symbol = "a.b:C"\nallow = { x = 1 }', "tool.ssot-lint.canonical[0].allow", id="allow-table"),
    pytest.param('symbol = "a.b:C"\nfinal = "yes"', "tool.ssot-lint.canonical[0].final", id="final-string"),
    pytest.param('symbol = "a.b:C"\nstateful = 1', "tool.ssot-lint.canonical[0].stateful", id="stateful-int"),
]


def test_final_and_stateful_default_from_what_the_canonical_is(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\n[[tool.ssot-lint.canonical]]\nsymbol = "a.b:Factory"\n'
                               'products = ["a.b:Engine"]\n[[tool.ssot-lint.canonical]]\nsymbol = "a.b:Operator"\n'
                               '[[tool.ssot-lint.canonical]]\nsymbol = "a.b:Router"\nstateful = true\nfinal = true\n')
    factory, operator, router = load_config(path).canonicals
    assert (factory.final, factory.instances_are_shared_state) == (False, True)  # a factory: its instances are state
    assert (operator.final, operator.instances_are_shared_state) == (False, False)
    assert (router.final, router.instances_are_shared_state) == (True, True)


@pytest.mark.parametrize("body, key", WRONG_CANONICAL_TYPES)
def test_wrong_type_inside_a_canonical_entry(tmp_path, body, key):
    path = pyproject(tmp_path, f"[tool.ssot-lint]\n[[tool.ssot-lint.canonical]]\n{body}\n")
    message = load_error(path)
    assert key in message


def test_canonical_written_as_a_single_table(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint.canonical]\nsymbol = "a.b:C"\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical" in message and "list of tables" in message


def test_canonical_list_of_strings(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\ncanonical = ["a.b:C"]\n')
    assert "tool.ssot-lint.canonical" in load_error(path)


@pytest.mark.parametrize("symbol", [
    "app.factory.EngineFactory",  # no colon
    "app.factory:",  # no name
    ":EngineFactory",  # no module
    "app..factory:EngineFactory",
    "app.factory:Engine.Factory",
    "app.factory:Engine Factory",
    "1app.factory:EngineFactory",
    "app-x.factory:EngineFactory",
    "app.factory:EngineFactory:extra",
    "",
])
def test_bad_symbol_syntax(tmp_path, symbol):
    path = pyproject(tmp_path, f'[tool.ssot-lint]\n[[tool.ssot-lint.canonical]]\nsymbol = "{symbol}"\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical[0].symbol" in message
    assert repr(symbol) in message
    assert "package.module:Name" in message, "it says how to write it"


def test_bad_product_syntax(tmp_path):
    path = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL + 'products = ["app.engine.Engine"]\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical[0].products" in message
    assert "'app.engine.Engine'" in message


def test_bad_symbol_in_a_dedicated_file_names_the_key_without_the_tool_prefix(tmp_path):
    path = write(tmp_path, "ssot-lint.toml", '[[canonical]]\nsymbol = "nocolon"\n')
    message = load_error(path)
    assert "canonical[0].symbol" in message and "tool.ssot-lint" not in message


def test_missing_canonical(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\nsrc = ["."]\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical" in message


def test_empty_canonical_list(tmp_path):
    path = pyproject(tmp_path, "[tool.ssot-lint]\ncanonical = []\n")
    assert "tool.ssot-lint.canonical" in load_error(path)


def test_canonical_entry_without_a_symbol(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\n[[tool.ssot-lint.canonical]]\nshims = ["a.b"]\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical[0].symbol" in message and "required" in message


def test_duplicate_symbol(tmp_path):
    path = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL + 'shims = ["app.legacy"]\n' + CANONICAL)
    message = load_error(path)
    assert "tool.ssot-lint.canonical" in message
    assert "app.factory:EngineFactory" in message and "twice" in message


@pytest.mark.parametrize("key, line, bad", [
    ("tool.ssot-lint.select", 'select = ["E501"]', "E501"),
    ("tool.ssot-lint.select", 'select = ["ssot002"]', "ssot002"),
    ("tool.ssot-lint.select", 'select = ["SSOT0021"]', "SSOT0021"),
    ("tool.ssot-lint.select", 'select = [""]', ""),
    ("tool.ssot-lint.ignore", 'ignore = ["SSOT-002"]', "SSOT-002"),
    ("tool.ssot-lint.ignore", 'ignore = ["all"]', "all"),
    ("tool.ssot-lint.per-file-ignores", 'per-file-ignores = { "tests/**" = ["F401"] }', "F401"),
    ("tool.ssot-lint.per-file-ignores", 'per-file-ignores = { "tests/**" = ["SSOT002", "SSOT02x"] }', "SSOT02x"),
])
def test_bad_rule_selector(tmp_path, key, line, bad):
    path = pyproject(tmp_path, f"[tool.ssot-lint]\n{line}\n" + CANONICAL)
    message = load_error(path)
    assert key in message
    assert repr(bad) in message


def test_valid_rule_selectors_are_accepted(tmp_path):
    path = pyproject(tmp_path, '[tool.ssot-lint]\nselect = ["ALL", "SSOT", "SSOT0", "SSOT00", "SSOT002"]\n'
                     + CANONICAL)
    assert load_config(path).select == ("ALL", "SSOT", "SSOT0", "SSOT00", "SSOT002")


@pytest.mark.parametrize("key, line", [
    ("tool.ssot-lint.select", 'select = ["SSOT999"]'),
    ("tool.ssot-lint.ignore", 'ignore = ["SSOT9"]'),
    ("tool.ssot-lint.per-file-ignores", 'per-file-ignores = { "tests/**" = ["SSOT999"] }'),
])
def test_well_formed_but_unknown_rule_code_is_an_error_naming_file_and_key(tmp_path, key, line):
    """`SSOT999` has the shape of a code but no rule has it: a typo that would silently select or
    suppress nothing. Whichever stage notices, the error must say where it was written."""
    write_tree(tmp_path, EXAMPLE_FILES)
    path = pyproject(tmp_path, f"[tool.ssot-lint]\n{line}\n" + CANONICAL)
    with pytest.raises(ConfigError) as info:
        run_check(load_config(path), jobs=1)
    message = str(info.value)
    assert str(path) in message, message
    assert key in message, message


def test_shim_equal_to_the_canonical_module(tmp_path):
    path = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL + 'shims = ["app.legacy", "app.factory"]\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical[0].shims" in message
    assert "'app.factory'" in message and "canonical module" in message


@pytest.mark.parametrize("shim", ["app/legacy.py", "app.legacy:EngineFactory", "app..legacy", ""])
def test_shim_that_is_not_a_dotted_module(tmp_path, shim):
    path = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL + f'shims = ["{shim}"]\n')
    message = load_error(path)
    assert "tool.ssot-lint.canonical[0].shims" in message and repr(shim) in message


def test_unreadable_config(tmp_path):
    folder = tmp_path / "ssot-lint.toml"
    folder.mkdir()
    with pytest.raises(ConfigError) as info:
        load_config(folder)
    assert str(folder) in str(info.value)


def test_errors_from_parse_config_without_a_file_still_name_the_key():
    with pytest.raises(ConfigError) as info:
        parse_config({"canonical": [{"symbol": "a.b:C", "shims": ["a.b"]}]}, path=None)
    assert "tool.ssot-lint.canonical[0].shims" in str(info.value)


# -- every problem at once, each named as the file spells it ---------------------------------


def test_every_problem_is_reported_at_once_one_line_each(tmp_path):
    path = pyproject(tmp_path, """
        [tool.ssot-lint]
        srcs = ["."]
        exclude-dirs = ["x"]
        select = ["E501", "SSOT002"]

        [[tool.ssot-lint.canonical]]
        symbol = "nocolon"
        shim = ["a.b"]

        [[tool.ssot-lint.canonical]]
        symbol = "a.b:C"
        final = "yes"
        shims = ["a.b", "a/c"]
    """)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == (
        f"{path}: tool.ssot-lint.srcs: unknown key (did you mean 'src'? expected one of: canonical, exclude, ignore, "
        "per-file-ignores, respect-gitignore, select, src)",
        f"{path}: tool.ssot-lint.exclude-dirs: unknown key (did you mean 'exclude'? expected one of: canonical, "
        "exclude, ignore, per-file-ignores, respect-gitignore, select, src)",
        f"{path}: tool.ssot-lint.canonical[0].shim: unknown key (did you mean 'shims'? expected one of: allow, final, "
        "lookalikes, products, shims, stateful, symbol)",
        f"{path}: tool.ssot-lint.canonical[0].symbol: 'nocolon' is not a symbol; write it as 'package.module:Name'",
        f"{path}: tool.ssot-lint.canonical[1].shims: 'a.b' is the canonical module itself",
        f"{path}: tool.ssot-lint.canonical[1].shims: 'a/c' is not a dotted module name",
        f"{path}: tool.ssot-lint.canonical[1].final: must be true or false",
        f"{path}: tool.ssot-lint.select: 'E501' is not a rule code or prefix (like SSOT002 or SSOT00)",
    )
    assert str(info.value) == "\n".join(info.value.problems)


def test_keys_of_a_dedicated_file_are_named_without_the_tool_prefix_in_every_message(tmp_path):
    path = write(tmp_path, "ssot-lint.toml", """
        sr = ["."]
        per-file-ignores = { "tests/**" = "SSOT002" }
    """)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == (
        f"{path}: sr: unknown key (did you mean 'src'? expected one of: canonical, exclude, ignore, per-file-ignores, "
        "respect-gitignore, select, src)",
        f"{path}: canonical: declare at least one [[canonical]] entry with a `symbol`",
        f'{path}: per-file-ignores."tests/**": must be a list of rule codes',
    )


def test_a_symbol_declared_twice_names_both_entries(tmp_path):
    path = pyproject(tmp_path, "[tool.ssot-lint]\n" + CANONICAL + CANONICAL)
    assert load_error(path) == (f"{path}: tool.ssot-lint.canonical[1].symbol: app.factory:EngineFactory is declared "
                                "twice (also in tool.ssot-lint.canonical[0])")


# -- checked against the project -------------------------------------------------------------


def project_error(tmp_path: Path, config_file: str, text: str, select=()) -> ConfigError:
    write_tree(tmp_path, {**EXAMPLE_FILES, "app/compat/__init__.py": "", "app/compat/bash_operator.py": ""})
    path = write(tmp_path, config_file, text)
    with pytest.raises(ConfigError) as info:
        run_check(load_config(path), jobs=1, select=select)
    return info.value


def test_a_shim_that_exists_nowhere_is_an_error_that_suggests_the_close_match(tmp_path):
    error = project_error(tmp_path, "pyproject.toml", "[tool.ssot-lint]\n" + CANONICAL
                          + 'shims = ["app.legacy", "app.compat.bash_operatorr"]\n')
    assert error.problems == (
        f"{tmp_path / 'pyproject.toml'}: tool.ssot-lint.canonical[0].shims: module app.compat.bash_operatorr is not "
        "in the project (did you mean app.compat.bash_operator? if the shim was deleted, remove it from `shims`)",)


def test_a_deleted_shim_is_an_error_that_says_to_remove_it(tmp_path):
    error = project_error(tmp_path, "pyproject.toml", "[tool.ssot-lint]\n" + CANONICAL + 'shims = ["app.gone"]\n')
    assert str(error).endswith("tool.ssot-lint.canonical[0].shims: module app.gone is not in the project (if the "
                               "shim was deleted, remove it from `shims`)")


def test_every_problem_against_the_project_named_as_a_dedicated_file_spells_it(tmp_path):
    """Symbols, products and shims of every entry, one line each, keys without `tool.ssot-lint`."""
    error = project_error(tmp_path, "ssot-lint.toml", """
        [[canonical]]
        symbol = "app.factory:EngineFactori"
        products = ["app.engine:Engine", "app.engines:Engine"]
        shims = ["app.legacyy"]

        [[canonical]]
        symbol = "app.nowhere:get_thing"
    """)
    path = tmp_path / "ssot-lint.toml"
    assert error.problems == (
        f"{path}: canonical[0].symbol: app.factory:EngineFactori: app.factory does not define a class or function "
        "EngineFactori (did you mean app.factory:EngineFactory?)",
        f"{path}: canonical[0].products: app.engines:Engine: module app.engines is not in the project (did you mean "
        "app.engine? or check `src`)",
        f"{path}: canonical[0].shims: module app.legacyy is not in the project (did you mean app.legacy? if the shim "
        "was deleted, remove it from `shims`)",
        f"{path}: canonical[1].symbol: app.nowhere:get_thing: module app.nowhere is not in the project (check `src`)",
    )


def test_unknown_rule_codes_are_all_reported(tmp_path):
    error = project_error(tmp_path, "pyproject.toml", """
        [tool.ssot-lint]
        select = ["SSOT998"]
        ignore = ["SSOT997"]
        per-file-ignores = { "tests/**" = ["SSOT996"] }

        [[tool.ssot-lint.canonical]]
        symbol = "app.factory:EngineFactory"
    """, select=["SSOT995"])
    path = tmp_path / "pyproject.toml"
    assert error.problems == (
        f"{path}: tool.ssot-lint.select: unknown rule code 'SSOT998' (see `ssot-lint rules`)",
        f"{path}: tool.ssot-lint.ignore: unknown rule code 'SSOT997' (see `ssot-lint rules`)",
        f'{path}: tool.ssot-lint.per-file-ignores."tests/**": unknown rule code \'SSOT996\' (see `ssot-lint rules`)',
        "--select: unknown rule code 'SSOT995' (see `ssot-lint rules`)",
    )

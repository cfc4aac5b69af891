"""Configuration: find, read and validate `[tool.ssot-lint]`.

Every error is a `ConfigError` whose message names the file and the key, so that
the command line can print it on one line and exit 2.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

# In one folder the dedicated files win over pyproject.toml, as with ruff.
CONFIG_FILENAMES = (".ssot-lint.toml", "ssot-lint.toml", "pyproject.toml")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
RULE_SELECTOR = re.compile(r"^(ALL|SSOT[0-9]{0,3})$")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class ConfigError(Exception):
    """A configuration or usage problem. Each of `problems` is one line, for the user: a configuration
    with several problems reports them all at once."""

    def __init__(self, *problems: str):
        super().__init__(*problems)
        self.problems: Tuple[str, ...] = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True)
class SymbolPath:
    """A symbol written `package.module:Name`."""

    module: str
    name: str

    def __str__(self) -> str:
        return f"{self.module}:{self.name}"

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}"

    @classmethod
    def parse(cls, text: str, where: str) -> "SymbolPath":
        module, sep, name = text.partition(":")
        if not sep or not _DOTTED.match(module) or not _IDENTIFIER.match(name):
            raise ConfigError(f"{where}: {text!r} is not a symbol; write it as 'package.module:Name'")
        return cls(module, name)


@dataclass(frozen=True)
class CanonicalSpec:
    """One `[[tool.ssot-lint.canonical]]` entry: a symbol there must be only one of."""

    symbol: SymbolPath
    shims: Tuple[str, ...] = ()
    lookalikes: Tuple[str, ...] = ()
    products: Tuple[SymbolPath, ...] = ()
    allow: Tuple[str, ...] = ()
    # Every subclass is a wrapper (SSOT004), not only those that stand in for it (in a shim, or named like it).
    final: bool = False
    # Instances hold per-user state: a module-level or `global` instance is shared state (SSOT006).
    # None: true when the canonical is a factory (it declares `products`).
    stateful: Optional[bool] = None

    @property
    def instances_are_shared_state(self) -> bool:
        return bool(self.products) if self.stateful is None else self.stateful


@dataclass(frozen=True)
class Config:
    root: Path  # the folder holding the config file; paths in the config are relative to it
    path: Optional[Path]
    canonicals: Tuple[CanonicalSpec, ...]
    src: Tuple[str, ...] = (".",)
    exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    respect_gitignore: bool = True
    section: str = "tool.ssot-lint"  # where the keys are, for messages ("" at the top of ssot-lint.toml)

    def where(self, key: str) -> str:
        """'pyproject.toml: tool.ssot-lint.select', 'ssot-lint.toml: select': how errors name a key, as the
        file spells it."""
        full = f"{self.section}.{key}" if self.section else key
        return f"{self.path}: {full}" if self.path else full

    @property
    def src_roots(self) -> Tuple[Path, ...]:
        return tuple((self.root / s).resolve() for s in self.src)


def find_config_file(start: Path) -> Optional[Path]:
    """The nearest config file at or above `start` that has an ssot-lint section."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        for filename in CONFIG_FILENAMES:
            candidate = folder / filename
            if candidate.is_file():
                if filename != "pyproject.toml" or _has_ssot_section(candidate):
                    return candidate
    return None


def _has_ssot_section(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml without our section is not ours to report;
        # one with our section is reported when it is loaded.
        return "[tool.ssot-lint" in _read_lossy(pyproject)
    return isinstance(data.get("tool"), dict) and "ssot-lint" in data["tool"]


def _read_lossy(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def load_config(path: Path) -> Config:
    """Read and validate one config file.

    pyproject.toml holds a `[tool.ssot-lint]` table. Any other file (ssot-lint.toml, or whatever
    `--config` names) holds either that table or the same keys at the top level, like ruff.toml."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = data.get("tool")
    table = tool.get("ssot-lint") if isinstance(tool, dict) else None
    if table is not None or path.name == "pyproject.toml":
        if table is None:
            raise ConfigError(f"{path}: no [tool.ssot-lint] section")
        stray = sorted(key for key in data if key in KEYS)
        if stray and path.name != "pyproject.toml":
            raise ConfigError(f"{path}: both a [tool.ssot-lint] table and ssot-lint keys at the top level "
                              f"({', '.join(stray)}); keep one of the two")
        return parse_config(table, path=path, prefix="tool.ssot-lint")
    if not any(key in KEYS for key in data):
        raise ConfigError(f"{path}: neither a [tool.ssot-lint] table nor ssot-lint keys at the top level "
                          "(src = ..., [[canonical]])")
    return parse_config(data, path=path, prefix="")


def load_project_config(config_path: Optional[Path], paths: Sequence[Path]) -> Config:
    """The configuration a command runs with: the file `--config` names, else the nearest one at or above
    the first path given (or the current folder)."""
    if config_path is not None:
        if not config_path.is_file():
            raise ConfigError(f"{config_path}: no such config file")
        return load_config(config_path)
    start = paths[0] if paths else Path.cwd()
    found = find_config_file(start)
    if found is None:
        raise ConfigError(
            f"no [tool.ssot-lint] configuration found in {start.resolve()} or its parents "
            "(pyproject.toml, ssot-lint.toml or .ssot-lint.toml); see the README for an example")
    return load_config(found)


KEYS = ("canonical", "exclude", "ignore", "per-file-ignores", "respect-gitignore", "select", "src")
CANONICAL_KEYS = ("allow", "final", "lookalikes", "products", "shims", "stateful", "symbol")


def parse_config(section: Mapping[str, Any], *, path: Optional[Path], prefix: str = "tool.ssot-lint",
                 root: Optional[Path] = None) -> Config:
    """Validate the mapping of `[tool.ssot-lint]` into a `Config`. Every problem is reported, in one
    ConfigError, with the key as the file spells it (`prefix` is "" for keys at the top level)."""
    reader = _Reader(path, prefix)
    if not isinstance(section, Mapping):
        raise ConfigError(reader.message(prefix or "top level", "must be a table"))
    reader.reject_unknown(section, KEYS, "")
    entries = reader.list_of(section, "canonical", dict)
    parsed = [_parse_canonical(reader, entry, f"{reader.key('canonical')}[{index}]")
              for index, entry in enumerate(entries)]
    if section.get("canonical", []) == []:
        reader.problem(reader.key("canonical"), f"declare at least one [[{reader.key('canonical')}]] entry "
                                                "with a `symbol`")
    first_index: Dict[SymbolPath, int] = {}
    for index, spec in enumerate(parsed):
        if spec is not None and first_index.setdefault(spec.symbol, index) != index:
            reader.problem(f"{reader.key('canonical')}[{index}].symbol",
                           f"{spec.symbol} is declared twice (also in {reader.key('canonical')}"
                           f"[{first_index[spec.symbol]}])")
    per_file = []
    ignores = section.get("per-file-ignores", {})
    if not isinstance(ignores, Mapping):
        reader.problem(reader.key("per-file-ignores"), "must be a table of glob = [codes]")
        ignores = {}
    for pattern, codes in ignores.items():
        key = f"{reader.key('per-file-ignores')}.{toml_key(pattern)}"
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            reader.problem(key, "must be a list of rule codes")
        else:
            per_file.append((pattern, tuple(_check_selectors(reader, codes, key))))
    config = Config(
        root=(root or (path.parent if path else Path.cwd())).resolve(),
        path=path,
        canonicals=tuple(spec for spec in parsed if spec is not None),
        src=tuple(reader.list_of(section, "src", str)) or (".",),
        exclude=tuple(reader.list_of(section, "exclude", str)),
        per_file_ignores=tuple(per_file),
        select=tuple(_check_selectors(reader, reader.list_of(section, "select", str), reader.key("select"))),
        ignore=tuple(_check_selectors(reader, reader.list_of(section, "ignore", str), reader.key("ignore"))),
        respect_gitignore=bool(reader.boolean(section, "respect-gitignore", "", default=True)),
        section=prefix,
    )
    if reader.problems:
        raise ConfigError(*reader.problems)
    return config


def toml_key(name: str) -> str:
    """A table key as TOML spells it: bare if it can be, else quoted ('per-file-ignores."tests/**"')."""
    return name if _BARE_KEY.match(name) else json.dumps(name)


def _parse_canonical(reader: "_Reader", entry: Mapping[str, Any], where: str) -> Optional[CanonicalSpec]:
    """The entry, or None if its symbol is unusable (the problems are in `reader`)."""
    reader.reject_unknown(entry, CANONICAL_KEYS, where)
    text = entry.get("symbol")
    symbol = None
    if isinstance(text, str):
        symbol = reader.symbol(text, f"{where}.symbol")
    else:
        reader.problem(f"{where}.symbol", "is required and must be a string 'package.module:Name'")
    shims = []
    for shim in reader.list_of(entry, "shims", str, where):
        if not _DOTTED.match(shim):
            reader.problem(f"{where}.shims", f"{shim!r} is not a dotted module name")
        elif symbol is not None and shim == symbol.module:
            reader.problem(f"{where}.shims", f"{shim!r} is the canonical module itself")
        else:
            shims.append(shim)
    products = [reader.symbol(text, f"{where}.products") for text in reader.list_of(entry, "products", str, where)]
    lookalikes = reader.list_of(entry, "lookalikes", str, where)
    allow = reader.list_of(entry, "allow", str, where)
    final = reader.boolean(entry, "final", where, default=False)
    stateful = reader.boolean(entry, "stateful", where, default=None)
    if symbol is None:
        return None
    return CanonicalSpec(
        symbol=symbol,
        shims=tuple(shims),
        lookalikes=tuple(lookalikes),
        products=tuple(p for p in products if p is not None),
        allow=tuple(allow),
        final=bool(final),
        stateful=stateful,
    )


def _check_selectors(reader: "_Reader", codes: Iterable[str], key: str) -> Sequence[str]:
    result = []
    for code in codes:
        if RULE_SELECTOR.match(code):
            result.append(code)
        else:
            reader.problem(key, f"{code!r} is not a rule code or prefix (like SSOT002 or SSOT00)")
    return result


@dataclass
class _Reader:
    """Reads values out of the TOML tables, noting every problem instead of stopping at the first."""

    path: Optional[Path]
    prefix: str
    problems: List[str] = field(default_factory=list)

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def full(self, where: str, name: str) -> str:
        """The key `name` of the table at `where` ("" for the section itself)."""
        return f"{where}.{name}" if where else self.key(name)

    def location(self, key: str) -> str:
        return f"{self.path}: {key}" if self.path else key

    def message(self, key: str, problem: str) -> str:
        return f"{self.location(key)}: {problem}"

    def problem(self, key: str, problem: str) -> None:
        self.problems.append(self.message(key, problem))

    def reject_unknown(self, table: Mapping[str, Any], known: Sequence[str], where: str) -> None:
        for name in table:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                self.problem(self.full(where, toml_key(name)),
                             f"unknown key ({hint}expected one of: {', '.join(known)})")

    def symbol(self, text: str, key: str) -> Optional[SymbolPath]:
        try:
            return SymbolPath.parse(text, self.location(key))
        except ConfigError as exc:
            self.problems.extend(exc.problems)
            return None

    def boolean(self, table: Mapping[str, Any], name: str, where: str, default: Optional[bool]) -> Optional[bool]:
        value = table.get(name, default)
        if value is not default and not isinstance(value, bool):
            self.problem(self.full(where, name), "must be true or false")
            return default
        return value

    def list_of(self, table: Mapping[str, Any], name: str, item_type: type, where: str = "") -> list:
        """The list, or [] if it is not one of `item_type` (noted as a problem)."""
        value = table.get(name, [])
        type_name = {str: "strings", dict: "tables"}[item_type]
        if not isinstance(value, list) or not all(isinstance(item, item_type) for item in value):
            self.problem(self.full(where, name), f"must be a list of {type_name}")
            return []
        return value

"""Configuration: find, read and validate `[tool.ssot-lint]`.

Every error is a `ConfigError` whose message names the file and the key, so that
the command line can print it on one line and exit 2.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Tuple

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

# In one folder the dedicated files win over pyproject.toml, as with ruff.
CONFIG_FILENAMES = (".ssot-lint.toml", "ssot-lint.toml", "pyproject.toml")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
RULE_SELECTOR = re.compile(r"^(ALL|SSOT[0-9]{0,3})$")


class ConfigError(Exception):
    """A configuration or usage problem; the message is one line, for the user."""


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
        """'pyproject.toml: tool.ssot-lint.select': how errors name a key."""
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
    """Read and validate one config file."""
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
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        section = tool.get("ssot-lint") if isinstance(tool, dict) else None
        if section is None:
            raise ConfigError(f"{path}: no [tool.ssot-lint] section")
        prefix = "tool.ssot-lint"
    else:  # ssot-lint.toml / .ssot-lint.toml hold the section's keys at the top level, like ruff.toml
        section, prefix = data, ""
        if isinstance(data.get("tool"), dict) and "ssot-lint" in data["tool"]:
            raise ConfigError(f"{path}: [tool.ssot-lint] belongs in pyproject.toml; in {path.name} the keys go at "
                              "the top level (src = ..., [[canonical]])")
    return parse_config(section, path=path, prefix=prefix)


def parse_config(section: Mapping[str, Any], *, path: Optional[Path], prefix: str = "tool.ssot-lint",
                 root: Optional[Path] = None) -> Config:
    """Validate the mapping of `[tool.ssot-lint]` into a `Config`."""
    reader = _Reader(path, prefix)
    if not isinstance(section, Mapping):
        raise reader.error(prefix or "top level", "must be a table")
    known = {"src", "exclude", "per-file-ignores", "canonical", "select", "ignore", "respect-gitignore"}
    reader.reject_unknown(section, known, prefix)
    canonicals = tuple(
        _parse_canonical(reader, entry, f"{reader.key('canonical')}[{index}]")
        for index, entry in enumerate(reader.list_of(section, "canonical", dict))
    )
    if not canonicals:
        raise reader.error(reader.key("canonical"),
                           "declare at least one [[tool.ssot-lint.canonical]] entry with a `symbol`")
    seen = set()
    for spec in canonicals:
        if spec.symbol in seen:
            raise reader.error(reader.key("canonical"), f"symbol {spec.symbol} is declared twice")
        seen.add(spec.symbol)
    ignores = section.get("per-file-ignores", {})
    if not isinstance(ignores, Mapping):
        raise reader.error(reader.key("per-file-ignores"), "must be a table of glob = [codes]")
    per_file = []
    for pattern, codes in ignores.items():
        key = f"{reader.key('per-file-ignores')}.{pattern!r}"
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise reader.error(key, "must be a list of rule codes")
        per_file.append((pattern, tuple(_check_selectors(reader, codes, key))))
    respect = section.get("respect-gitignore", True)
    if not isinstance(respect, bool):
        raise reader.error(reader.key("respect-gitignore"), "must be true or false")
    src = tuple(reader.list_of(section, "src", str)) or (".",)
    return Config(
        root=(root or (path.parent if path else Path.cwd())).resolve(),
        path=path,
        canonicals=canonicals,
        src=src,
        exclude=tuple(reader.list_of(section, "exclude", str)),
        per_file_ignores=tuple(per_file),
        select=tuple(_check_selectors(reader, reader.list_of(section, "select", str), reader.key("select"))),
        ignore=tuple(_check_selectors(reader, reader.list_of(section, "ignore", str), reader.key("ignore"))),
        respect_gitignore=respect,
        section=prefix,
    )


def _parse_canonical(reader: "_Reader", entry: Mapping[str, Any], where: str) -> CanonicalSpec:
    reader.reject_unknown(entry, {"symbol", "shims", "lookalikes", "products", "allow", "final", "stateful"}, where)
    symbol = entry.get("symbol")
    if not isinstance(symbol, str):
        raise reader.error(f"{where}.symbol", "is required and must be a string 'package.module:Name'")
    spec_symbol = SymbolPath.parse(symbol, reader.location(f"{where}.symbol"))
    shims = reader.list_of(entry, "shims", str, where)
    for shim in shims:
        if not _DOTTED.match(shim):
            raise reader.error(f"{where}.shims", f"{shim!r} is not a dotted module name")
        if shim == spec_symbol.module:
            raise reader.error(f"{where}.shims", f"{shim!r} is the canonical module itself")
    products = tuple(SymbolPath.parse(p, reader.location(f"{where}.products"))
                     for p in reader.list_of(entry, "products", str, where))
    return CanonicalSpec(
        symbol=spec_symbol,
        shims=tuple(shims),
        lookalikes=tuple(reader.list_of(entry, "lookalikes", str, where)),
        products=products,
        allow=tuple(reader.list_of(entry, "allow", str, where)),
        final=reader.boolean(entry, "final", where, default=False),
        stateful=reader.boolean(entry, "stateful", where, default=None),
    )


def _check_selectors(reader: "_Reader", codes: Iterable[str], key: str) -> Sequence[str]:
    result = []
    for code in codes:
        if not RULE_SELECTOR.match(code):
            raise reader.error(key, f"{code!r} is not a rule code or prefix (like SSOT002 or SSOT00)")
        result.append(code)
    return result


@dataclass
class _Reader:
    path: Optional[Path]
    prefix: str
    _where: str = field(default="", init=False)

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def location(self, key: str) -> str:
        return f"{self.path}: {key}" if self.path else key

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.location(key)}: {problem}")

    def reject_unknown(self, table: Mapping[str, Any], known: set, where: str) -> None:
        for name in table:
            if name not in known:
                full = f"{where}.{name}" if where else name
                raise ConfigError(f"{self.location(full)}: unknown key (expected one of: {', '.join(sorted(known))})")

    def boolean(self, table: Mapping[str, Any], name: str, where: str, default: Optional[bool]) -> Optional[bool]:
        value = table.get(name, default)
        if value is not default and not isinstance(value, bool):
            raise self.error(f"{where}.{name}", "must be true or false")
        return value

    def list_of(self, table: Mapping[str, Any], name: str, item_type: type, where: Optional[str] = None) -> list:
        full = f"{where}.{name}" if where else self.key(name)
        value = table.get(name, [])
        type_name = {str: "strings", dict: "tables"}[item_type]
        if not isinstance(value, list) or not all(isinstance(item, item_type) for item in value):
            raise self.error(full, f"must be a list of {type_name}")
        return value

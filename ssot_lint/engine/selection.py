"""Which rules run: ruff's selection by code prefix, and the unknown codes it refuses."""

from __future__ import annotations

from typing import Iterable, List, Optional, Sequence, Type

from ssot_lint.config import Config, ConfigError, toml_key
from ssot_lint.rule import Rule
from ssot_lint.rules import all_rules


def select_rules(select: Sequence[str], ignore: Sequence[str],
                 rules: Optional[Sequence[Type[Rule]]] = None) -> List[Type[Rule]]:
    """ruff's selection: a rule runs if a `select` prefix matches it and no `ignore` prefix does."""
    rules = list(rules if rules is not None else all_rules())
    chosen = select or ("ALL",)
    return [r for r in rules if matches(r.code, chosen) and not matches(r.code, ignore)]


def selector_problems(selectors: Iterable[str], where: str) -> List[str]:
    """A selector that matches no rule is a typo that would silently select or suppress nothing."""
    codes = [r.code for r in all_rules()]
    return [f"{where}: unknown rule code {selector!r} (see `ssot-lint rules`)" for selector in selectors
            if selector != "ALL" and not any(code.startswith(selector) for code in codes)]


def check_selectors(config: Config, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> None:
    """Every unknown rule code of the configuration and the command line, in one ConfigError."""
    problems = [*selector_problems(config.select, config.where("select")),
                *selector_problems(config.ignore, config.where("ignore"))]
    for pattern, codes in config.per_file_ignores:
        problems += selector_problems(codes, config.where(f"per-file-ignores.{toml_key(pattern)}"))
    problems += [*selector_problems(select, "--select"), *selector_problems(ignore, "--ignore")]
    if problems:
        raise ConfigError(*problems)


def matches(code: str, selectors: Iterable[str]) -> bool:
    return any(s == "ALL" or code.startswith(s) for s in selectors)

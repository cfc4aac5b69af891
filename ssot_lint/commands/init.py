"""`ssot-lint init`: where the configuration goes, and writing it there.

It goes into ./pyproject.toml, under `[tool.ssot-lint]`, or into ./ssot-lint.toml when there is no
pyproject.toml; a folder that is configured already is left as it is. The text is the starter
configuration, or with `--discover` proposals of canonical symbols and their shims read off the code:

- init_survey.py: what is read of each module (the text of all, and which of them to parse);
- init_search.py: the signs read off the code, the candidates and the exact search;
- init_proposals.py: what a proposal is, what its evidence is worth, which come first;
- init_toml.py: the text, the proposals as commented TOML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ssot_lint.atomic import write_atomically
from ssot_lint.config import Config, ConfigError, find_config_file
from ssot_lint.commands.init_search import discover_proposals, discovery_project
from ssot_lint.commands.init_toml import render_proposals

Progress = Optional[Callable[[int, int], None]]


@dataclass(frozen=True)
class Target:
    """The file the configuration goes into."""

    path: Path
    section: str  # "tool.ssot-lint" in pyproject.toml; "" in ssot-lint.toml, where the keys sit at the top level


def target_in(folder: Path) -> Target:
    pyproject = folder / "pyproject.toml"
    return Target(pyproject, "tool.ssot-lint") if pyproject.is_file() else Target(folder / "ssot-lint.toml", "")


def refuse_if_configured(folder: Path) -> None:
    """A configuration in this very folder is for editing, not for appending a second one to."""
    existing = find_config_file(folder)
    if existing is not None and existing.parent == folder.resolve():
        raise ConfigError(f"{existing}: already configures ssot-lint; edit it, or see a proposal with "
                          "`ssot-lint init --discover --print`")


def discovered(folder: Path, section: str, limit: int, progress: Progress = None,
               parse_progress: Progress = None) -> str:
    """The configuration proposing the `limit` best-supported canonical symbols of the code in `folder`.
    `progress` follows the reading of every module's text, `parse_progress` the parsing of a few."""
    settings = Config(root=folder.resolve(), path=None, canonicals=())
    discovery = discovery_project(settings, progress=progress, parse_progress=parse_progress)
    return render_proposals(discover_proposals(discovery, limit), settings, section)


def write_config(target: Target, text: str) -> None:
    """After what the file holds already (a pyproject.toml's other tables), a blank line between."""
    before = target.path.read_text(encoding="utf-8") if target.path.is_file() else ""
    write_atomically(target.path, (before + ("\n" if before and not before.endswith("\n\n") else "") + text).encode())

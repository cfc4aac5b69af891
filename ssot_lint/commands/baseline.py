"""The baseline: today's violations, recorded so that CI fails only on new ones (a ratchet).

Entries are keyed by each violation's fingerprint, which hashes the rule, the
file, the canonical symbol and what is reported, not the line: a baseline
survives lines moving and unrelated edits. `update` only ever drops entries
that were fixed; adding new ones takes `force`. `ssot-lint baseline` writes one
(`record_baseline`), `check --baseline` and `report --baseline` read it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ssot_lint.atomic import write_atomically
from ssot_lint.config import Config, ConfigError
from ssot_lint.rule import Violation

FORMAT_VERSION = 1
DEFAULT_BASELINE = ".ssot-lint-baseline.json"


@dataclass(frozen=True)
class Baseline:
    entries: Dict[str, dict]  # fingerprint -> what was recorded (code, path, line, message)

    def split(self, violations: Sequence[Violation]) -> Tuple[List[Violation], List[Violation]]:
        """(new violations, known ones)."""
        new = [v for v in violations if v.fingerprint not in self.entries]
        known = [v for v in violations if v.fingerprint in self.entries]
        return new, known


def entry(violation: Violation) -> dict:
    return {"fingerprint": violation.fingerprint, "code": violation.code, "path": violation.path,
            "line": violation.line, "message": violation.message}


def load_baseline(path: Path) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such baseline (create it with `ssot-lint baseline`)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable ssot-lint baseline ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION or \
            not isinstance(data.get("violations"), list):
        raise ConfigError(f"{path}: not an ssot-lint baseline of version {FORMAT_VERSION}")
    entries = {}
    for item in data["violations"]:
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise ConfigError(f"{path}: an entry has no fingerprint")
        entries[item["fingerprint"]] = item
    return Baseline(entries)


def save_baseline(path: Path, entries: Sequence[dict]) -> None:
    """Write atomically: a baseline is never left half-written."""
    ordered = sorted(entries, key=lambda e: (e["path"], e["line"], e["code"], e["fingerprint"]))
    text = json.dumps({"version": FORMAT_VERSION, "tool": "ssot-lint", "violations": ordered}, indent=2) + "\n"
    write_atomically(path, text.encode("utf-8"))


@dataclass(frozen=True)
class Update:
    entries: List[dict]
    dropped: int  # fixed since the baseline was written
    added: int
    not_added: int  # new violations left out (they need --force)


def updated_entries(baseline: Baseline, violations: Sequence[Violation], force: bool,
                    covered: Callable[[str], bool] = lambda path: True) -> Update:
    """The ratchet: keep the recorded entries still present, add new ones only with `force`. `violations`
    are those of the paths `covered` says were checked; the entries of other paths are kept as they are."""
    current = {v.fingerprint: v for v in violations}
    checked = {fp: item for fp, item in baseline.entries.items() if covered(str(item.get("path", "")))}
    untouched = [item for fp, item in baseline.entries.items() if fp not in checked]
    kept = [dict(item, line=current[fp].line) for fp, item in checked.items() if fp in current]
    new = [entry(v) for fp, v in current.items() if fp not in baseline.entries]
    return Update(untouched + kept + (new if force else []), len(checked) - len(kept), len(new) if force else 0,
                  0 if force else len(new))


def record_baseline(config: Config, paths: Sequence[Path], output: Optional[Path], update: bool, force: bool,
                    progress: Optional[Callable[[int, int], None]] = None) -> str:
    """Record the violations of `paths` (all of the project when there are none) in `output` (by default
    at the project root), and say so. With `update`, the ratchet (`updated_entries`); without, an existing
    baseline is overwritten only with `force`."""
    from ssot_lint.engine.run import run_check, under  # (here: `check --baseline` answered by a running server
    # reads a baseline without importing the engine)

    target = output or config.root / DEFAULT_BASELINE
    violations = run_check(config, paths=paths, use_cache=True, progress=progress).violations
    if target.exists() and not update and not force:
        raise ConfigError(f"{target}: already exists; `--update` drops fixed entries (and `--update --force` "
                          "also adds new violations)")
    if update:
        change = updated_entries(load_baseline(target), violations, force, under(config, paths))
        save_baseline(target, change.entries)
        return (f"{target}: {change.dropped} fixed entr{'y' if change.dropped == 1 else 'ies'} dropped, "
                f"{change.added} added, {len(change.entries)} remain"
                + (f"; {change.not_added} new violation(s) not added (use --force)" if change.not_added else ""))
    save_baseline(target, [entry(v) for v in violations])
    return f"{target}: recorded {len(violations)} violation{'s' if len(violations) != 1 else ''}"

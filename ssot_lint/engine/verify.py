"""`ssot-lint verify`: one run of the runtime rules. Build the project, list the static claims about the
tracked names (runtime/claims.py), have the project's own interpreter answer them (runtime/session.py),
judge each (runtime/verdicts.py), and let the runtime rules report, through `allow`, per-file ignores and
`# noqa` like any other."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Type

from ssot_lint.config import Config, ConfigError
from ssot_lint.engine.build import build_project
from ssot_lint.engine.run import cyclic_gc_paused, finalise, under
from ssot_lint.engine.selection import check_selectors, select_rules
from ssot_lint.engine.suppression import suppress
from ssot_lint.rule import Phase, Rule, Violation
from ssot_lint.runtime.claims import groups_of, tracked_claims
from ssot_lint.runtime.session import DEFAULT_TIMEOUT, InterpreterError, observe_in, project_python, request
from ssot_lint.runtime.verdicts import Verification, compare


def verify(config: Config, *, python: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT,
           select: Sequence[str] = (), ignore: Sequence[str] = (), paths: Sequence[Path] = (),
           jobs: Optional[int] = None, use_cache: bool = False) -> Tuple[Tuple[Violation, ...], Verification]:
    """Verify the project's static claims at runtime: the violations of the runtime rules (sorted,
    fingerprinted, only those in `paths` if given), and the verification they came from."""
    check_selectors(config, select, ignore)
    rules: List[Type[Rule]] = [r for r in select_rules(tuple(select) or config.select, (*config.ignore, *ignore))
                               if r.phase is Phase.RUNTIME]
    python = python or project_python(config)
    with cyclic_gc_paused():
        project = build_project(config, jobs, use_cache=use_cache)
        claims = tracked_claims(project)
    asked = groups_of(claims)
    canonicals = [(c.symbol, c.module, c.qualname) for c in project.canonicals]
    try:
        observations = observe_in(python, config.root, request(config.src_roots, canonicals, asked[0]), timeout)
    except InterpreterError as exc:
        raise ConfigError(f"--python: {exc}") from None
    verification = compare(project, claims, asked, observations, python)
    found = [v for rule in rules for v in rule().check_runtime(project, verification)]
    inside = under(config, paths)
    return finalise([v for v in suppress(project, found).kept if inside(v.path)]), verification

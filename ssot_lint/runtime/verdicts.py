"""The static claims about the tracked names (claims.py) compared with what the project's own
interpreter bound (session.py): a `Verdict` per claim, and the modules that failed to import. The runtime
rules (`Phase.RUNTIME` under rules/) read a `Verification`; engine/verify.py runs the whole.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ssot_lint.analysis.canonical import Canonical
from ssot_lint.analysis.project import Project
from ssot_lint.runtime.claims import Claim, Claimed
from ssot_lint.runtime.session import Failure, Group, Observations


class Outcome(str, enum.Enum):
    AGREES = "agrees"
    NOT_CANONICAL = "not canonical"  # claimed the canonical; the runtime has something else
    IS_CANONICAL = "is canonical"  # claimed something else; the runtime has the canonical
    SETTLED = "settled"  # claimed unknown; the runtime says what it is
    NOT_ASKED = "not asked"  # the module it is made in, or the one it reads from, failed to import


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    outcome: Outcome
    runtime: str  # what the runtime has, for a message ("the canonical", "app.other.EngineFactory", "nothing")
    is_canonical: bool = False


@dataclass(frozen=True)
class ImportFailure:
    """A module that claims are made in (or a canonical's own module) that could not be imported."""

    module: str
    path: str
    line: int  # where the exception was raised, if in the module's file; else the first line (the
    # canonical's definition, for a canonical's module)
    error: Failure
    canonical: Optional[Canonical] = None  # set when it is the canonical's module: nothing about it was asked
    claims: int = 0  # how many claims made in it went unverified
    # Set when it is the module a claim reads from (`from it import X` in a function of a module that imported
    # fine): reported where that claim is (`path`, `line`).
    read_by: Optional[Claim] = None


@dataclass(frozen=True)
class Verification:
    verdicts: Tuple[Verdict, ...]
    failures: Tuple[ImportFailure, ...]
    python: str
    modules: int  # the modules imported (or tried)


def _runtime_text(observation: dict) -> str:
    state = observation["state"]
    if state == "missing":
        return "nothing"
    if state == "module":
        return f"the module {observation['module']}"
    module, qualname = observation.get("module"), observation.get("qualname")
    if isinstance(module, str) and isinstance(qualname, str):
        return f"{module}.{qualname}"
    return observation.get("repr") or "an object"


def judge(claim: Claim, observation: dict) -> Verdict:
    """Compare one claim with what the runtime has."""
    if observation["state"] == "error":
        return Verdict(claim, Outcome.NOT_ASKED, str(Failure.of(observation["error"])))
    is_canonical = observation["state"] == "object" and claim.canonical.symbol in observation["is"]
    runtime = f"the canonical {claim.canonical.symbol}" if is_canonical else _runtime_text(observation)
    if claim.claimed is Claimed.UNKNOWN:
        outcome = Outcome.SETTLED
    elif (claim.claimed is Claimed.CANONICAL) != is_canonical:
        outcome = Outcome.NOT_CANONICAL if claim.claimed is Claimed.CANONICAL else Outcome.IS_CANONICAL
    else:
        outcome = Outcome.AGREES
    return Verdict(claim, outcome, runtime, is_canonical)


def compare(project: Project, claims: List[Claim], asked: Tuple[List[Group], Dict[int, Tuple[int, int]]],
            observations: Observations, python: str) -> Verification:
    """`asked`: the probe's groups, and where each claim's answer is (`claims.groups_of`)."""
    groups, where = asked
    verdicts: List[Verdict] = []
    unverified: Dict[int, int] = {}  # failed group -> how many of its claims it left unverified
    reading: List[ImportFailure] = []
    for index, claim in enumerate(claims):
        group, query = where[index]
        outcome = observations.groups[group]
        error = observations.canonical_errors.get(claim.canonical.symbol)
        if error is None and outcome.results:
            verdict = judge(claim, outcome.results[query])
        else:  # its canonical could not be had, or the probe never got to ask (a time-out, a crash)
            verdict = Verdict(claim, Outcome.NOT_ASKED, str(error or outcome.error))
        if error is None and outcome.error is not None:  # (a claim about a canonical that failed: said once)
            unverified[group] = unverified.get(group, 0) + (verdict.outcome is Outcome.NOT_ASKED)
        elif error is None and verdict.outcome is Outcome.NOT_ASKED:  # the module it reads from failed
            failed = Failure.of(outcome.results[query]["error"])
            reading.append(ImportFailure(claim.query.module, claim.path, claim.span.line, failed, claims=1,
                                         read_by=claim))
        verdicts.append(verdict)
    failures = [_canonical_failure(project, symbol, error) for symbol, error in observations.canonical_errors.items()]
    failures += reading
    for index, group in enumerate(groups):
        error = observations.groups[index].error
        if index in unverified:
            path = project.graph.get(group.module).file.relpath
            line = error.line if error.path == path and error.line else 1
            failures.append(ImportFailure(group.module, path, line, error, claims=unverified[index]))
    return Verification(tuple(verdicts), tuple(failures), python, len(groups))


def _canonical_failure(project: Project, symbol: str, error: Failure) -> ImportFailure:
    canonical = next(c for c in project.canonicals if c.symbol == symbol)
    path = project.graph.get(canonical.module).file.relpath
    line = error.line if error.path == path and error.line else canonical.definition.line
    return ImportFailure(canonical.module, path, line, error, canonical)

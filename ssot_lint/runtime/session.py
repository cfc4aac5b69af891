"""Running the probe (probe.py) in the project's interpreter, with a time limit per module.

The probe imports one group's module after another and says so as it goes; this side owns the clock. A
module that hangs past the limit, or takes the interpreter down with it (`os._exit`, a crash), costs a
fresh interpreter that carries on after it: it is reported, and the rest is still asked.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from ssot_lint.config import Config

# (subprocess, selectors and tempfile are imported where a probe runs: the rules import this module's
# types, and `check`, which never runs one, should not pay for them.)
PROBE = Path(__file__).with_name("probe.py")
DEFAULT_TIMEOUT = 10.0  # seconds per module: an import that takes longer is reported, and the rest carries on


@dataclass(frozen=True)
class Query:
    query: str  # "namespace": getattr(module, name); "import": `from module import name`
    module: str
    name: Optional[str]


@dataclass(frozen=True)
class Group:
    """Queries asked once `module` has been imported (the module the static analysis made claims in)."""

    module: str
    queries: Tuple[Query, ...]
    symbols: Tuple[str, ...] = ()  # the canonicals its claims are about: when none could be had, it is skipped


@dataclass(frozen=True)
class Failure:
    """Why a module could not be imported: its exception, a time-out, a crash."""

    text: str  # "ModuleNotFoundError: No module named 'redis'", "timed out after 10 s"
    path: Optional[str] = None  # where the exception was raised (relative to the project root, inside it)
    line: Optional[int] = None

    @classmethod
    def of(cls, error: Optional[dict]) -> Optional["Failure"]:
        return None if error is None else cls(error["text"], error.get("path"), error.get("line"))

    def __str__(self) -> str:
        return f"{self.text} ({self.path}:{self.line})" if self.path else self.text


@dataclass(frozen=True)
class GroupOutcome:
    error: Optional[Failure]  # why the module could not be imported
    results: Tuple[dict, ...]  # probe.py's observation of each query, in order (none after an error)


@dataclass(frozen=True)
class Observations:
    canonical_errors: Dict[str, Failure]  # symbol -> why its object could not be had
    groups: Tuple[GroupOutcome, ...]  # one per group, in order


def request(paths: Sequence[Path], canonicals: Sequence[Tuple[str, str, str]], groups: Sequence[Group]) -> dict:
    """probe.py's request: `canonicals` as (symbol, module, qualname)."""
    return {"paths": [str(p) for p in paths],
            "canonicals": [{"symbol": s, "module": m, "qualname": q} for s, m, q in canonicals],
            "groups": [{"module": g.module, "queries": [vars(q) for q in g.queries], "symbols": list(g.symbols)}
                       for g in groups]}


def project_python(config: Config) -> str:
    """The project's own interpreter: an activated virtual environment, else one in the project folder
    (`.venv`, `venv`), else the one running ssot-lint."""
    candidates = []
    if os.environ.get("VIRTUAL_ENV"):
        candidates.append(Path(os.environ["VIRTUAL_ENV"]))
    candidates += [config.root / ".venv", config.root / "venv"]
    for folder in candidates:
        for python in (folder / "bin" / "python", folder / "Scripts" / "python.exe"):
            if python.is_file():
                return str(python)
    return sys.executable


def observe_in(python: str, cwd: Path, asked: dict, timeout: float) -> Observations:
    """Ask in `python` (a path or command), from `cwd`, each group within `timeout` seconds."""
    import tempfile

    outcomes: Dict[int, GroupOutcome] = {}
    canonical_errors: Optional[Dict[str, Failure]] = None
    total = len(asked["groups"])
    with tempfile.TemporaryDirectory(prefix="ssot-lint-verify-") as folder:
        request_file = Path(folder) / "request.json"
        request_file.write_text(json.dumps(asked), encoding="utf-8")
        first = 0
        while canonical_errors is None or first < total:
            run = _Run(python, cwd, request_file, first, Path(folder) / "stderr.txt")
            errors, done, stopped = run.follow(timeout, outcomes)
            if canonical_errors is None:
                canonical_errors = errors if errors is not None else \
                    {c["symbol"]: stopped for c in asked["canonicals"]}
                if errors is None:  # not even the canonicals: nothing else can be compared
                    break
            if done:
                break
            # `stopped` says why the group it was in did not finish: carry on after that one.
            while first in outcomes:
                first += 1
            culprit = run.started if run.started is not None else first
            outcomes[culprit] = GroupOutcome(stopped, ())
            first = culprit + 1
    missing = GroupOutcome(Failure("not imported: the probe stopped before it"), ())
    return Observations(canonical_errors, tuple(outcomes.get(i, missing) for i in range(total)))


class _Run:
    """One interpreter running the probe from group `first` on."""

    def __init__(self, python: str, cwd: Path, request_file: Path, first: int, stderr_path: Path):
        import subprocess

        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # verifying leaves no __pycache__ behind
        env.pop("PYTHONSTARTUP", None)
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        try:
            self.process = subprocess.Popen([python, str(PROBE), str(request_file), str(first)], cwd=str(cwd),
                                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr,
                                            env=env)
        except OSError as exc:
            self._stderr.close()
            raise InterpreterError(f"{python}: cannot run this interpreter ({exc.strerror or exc})") from None
        self.started: Optional[int] = None

    def follow(self, timeout: float, outcomes: Dict[int, GroupOutcome]):
        """Read its steps into `outcomes` until it is done, dies or overruns: (the canonicals' errors or None
        if it never got that far, whether it finished, why it stopped if not)."""
        import selectors

        errors = None
        buffer = b""
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    return errors, False, Failure(f"timed out after {timeout:g} s")
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    return errors, False, self._died()
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    step = json.loads(line)
                    event = step["event"]
                    if event == "done":
                        return errors, True, None
                    if event == "canonicals":
                        errors = {symbol: Failure.of(error) for symbol, error in step["errors"].items()}
                    elif event == "start":
                        self.started = step["group"]
                    elif event == "group":
                        outcomes[step["group"]] = GroupOutcome(Failure.of(step["error"]), tuple(step["results"]))
                        self.started = None
                    deadline = time.monotonic() + timeout
        finally:
            selector.close()
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process.stdout.close()
            self._stderr.close()

    def _died(self) -> Failure:
        code = self.process.wait()
        last = self.stderr_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
        said = f" after printing {last[0][:200]!r}" if last else ""
        return Failure(f"the interpreter exited with code {code}{said}")


class InterpreterError(Exception):
    """The interpreter to verify in could not be started."""

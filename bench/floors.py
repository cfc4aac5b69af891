"""What no Python linter can go below on the bench corpus, beside ruff's whole run.

`bench/run.py` measures ssot-lint; this measures the floors of the stack it is built on, on the
same machine and corpus, in one run (several rounds, medians):

- start: a Python process that imports nothing (`python -S -c pass`), and one that imports only
  what a typer command line needs (`import typer`): what any warm run of a Python CLI pays;
- stat: `os.stat` of every file of the corpus, in one process: what a warm run must do at least to
  know that nothing changed (ruff's cache does the same, in Rust);
- parse: CPython's own parser (`ast.parse`) over the files ssot-lint parses in full on a cold run
  (those whose text names a configured symbol), and over every file, in as many processes as there
  are cores: what a cold run that reads those files costs before looking at them;
- ruff: `ruff check --no-cache` with the bench's TID251 config, as in `run.py`.

Run it after `bench/run.py` has built the corpus and its configs (standard library only, plus the
ssot-lint being measured, for the list of files it parses in full)::

    .venv/bin/python bench/floors.py --rounds 5                        # the monorepo, rare
    .venv/bin/python bench/floors.py --shape libraries --configuration shims
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import time
import warnings
from multiprocessing import Pool
from pathlib import Path
from typing import Callable, List

BENCH_DIR = Path(__file__).resolve().parent


def _parse(path: str) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return len(ast.parse(Path(path).read_bytes()).body)
        except (SyntaxError, ValueError):
            return 0


def _parse_all(paths: List[str]) -> Callable[[], None]:
    def run() -> None:
        with Pool(os.cpu_count() or 1) as pool:
            pool.map(_parse, paths, chunksize=max(1, len(paths) // ((os.cpu_count() or 1) * 8)))
    return run


def _command(args: List[str], cwd: Path) -> Callable[[], None]:
    return lambda: subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def _stat_all(paths: List[str]) -> Callable[[], None]:
    return lambda: [os.stat(p) for p in paths]


def _median(run: Callable[[], None], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _parsed_in_full(corpus: Path, config_name: str) -> List[str]:
    """The files whose text names a configured symbol: round 0 of ssot-lint's prefilter."""
    from ssot_lint.config import load_config
    from ssot_lint.files.discovery import discover
    from ssot_lint.engine.prefilter import initial_tokens

    config = load_config(corpus / config_name)
    tokens = initial_tokens(config)
    return [f.absolute for f in discover(config) if tokens.matches(Path(f.absolute).read_bytes(), f.module)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shape", default="monorepo", help="the corpus of bench/run.py (default monorepo)")
    parser.add_argument("--configuration", default="rare",
                        help="which of its configurations (rare, hot; shims for the libraries)")
    parser.add_argument("--corpus", type=Path, default=None, help="default bench/.corpus/<shape>")
    options = parser.parse_args()
    corpus = options.corpus or BENCH_DIR / ".corpus" / options.shape
    ssot_config, ruff_config = f"ssot-lint-{options.configuration}.toml", f"ruff-{options.configuration}.toml"
    ruff = BENCH_DIR / ".venv" / "bin" / "ruff"
    if not (corpus / ssot_config).is_file() or not ruff.is_file():
        sys.exit("floors.py: run bench/run.py first (it builds the corpus, its configs and bench/.venv)")
    every = sorted(str(p) for p in corpus.rglob("*.py") if "_sdists" not in p.parts and ".venv" not in p.parts
                   and ".git" not in p.parts)
    in_full = _parsed_in_full(corpus, ssot_config)
    megabytes = sum(os.path.getsize(p) for p in in_full) / 1e6
    cases = [
        ("ruff check --no-cache (TID251)",
         _command([str(ruff), "check", "--no-cache", "--exit-zero", "--config", ruff_config, "."], corpus)),
        ("python -S -c pass", _command([sys.executable, "-S", "-c", "pass"], corpus)),
        ("python -c 'import typer'", _command([sys.executable, "-c", "import typer"], corpus)),
        (f"os.stat of all {len(every):,} files", _stat_all(every)),
        (f"ast.parse of the {len(in_full):,} files named ({megabytes:.1f} MB), {os.cpu_count()} processes",
         _parse_all(in_full)),
        (f"ast.parse of all {len(every):,} files, {os.cpu_count()} processes", _parse_all(every)),
    ]
    results = [(name, _median(run, options.rounds)) for name, run in cases]
    ruff_time = results[0][1]
    print(f"{options.rounds} round(s), median wall-clock seconds, {os.cpu_count()} cores")
    for name, seconds in results:
        print(f"  {name:<72} {seconds:7.3f} s  {seconds / ruff_time:6.2f}x ruff")


if __name__ == "__main__":
    main()

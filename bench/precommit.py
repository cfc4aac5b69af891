"""Benchmark the pre-commit path, `ssot-lint check`, with and without a running `ssot-lint server`, against
ruff's cold run, in one run.

For each configuration of bench/run.py's corpus (the monorepo by default), rounds interleave:

- ruff: ``ruff check --no-cache --exit-zero`` (TID251, the same shims banned), the yardstick, each
  timed run right after an untimed one (on the benchmark's VM the page cache is evicted while idle, and
  a round's first ruff run took up to twice as long: the ratios are against ruff at its steadiest);
- without a server (``--no-server``: what `check` does with no server running, byte for byte):
  ``ssot-lint check --exit-zero --config ...`` (plain), and the same given the touched file as pre-commit
  runs it in a `git commit`: ``check <file>`` in the environment git gives its hooks (GIT_INDEX_FILE,
  the author), the edited file staged (``git add``, which writes the index) before the check and
  unstaged after; each nothing changed (run once untimed first, so that the cache holds this
  configuration's answer), and the touched file edited (a new function appended, different each
  time, then the check; afterwards the file is restored and an untimed check brings back the answer
  for the corpus as it is, as bench/run.py's "touched" row does);
- with a server (`ssot-lint server` started on the corpus, spoken to over stdio by pygls's client as an
  editor would, no document open; the check waits for its state file): the same four checks, without
  ``--no-server``; before the nothing-changed ones, the last change is let age past two seconds (a
  stamp taken closer to its file's change is not trusted, as git does) and one untimed check lets the
  server take its snapshot. Every served check is also run with ``--verbose`` once per round, untimed,
  to assert that the server answered it (and that its output is the same as without).

The server's resident set is read from /proc after the rounds (its editor analysis and its check
analysis both held). Medians of the rounds; ratios to ruff's median.

    .venv/bin/python bench/precommit.py --corpus /tmp/corp/monorepo --rounds 5
    .venv/bin/python bench/precommit.py --corpus /tmp/corp/monorepo --configuration hot --rounds 3

Linux only (it reads /proc); Python 3.9+, with ssot-lint (and so pygls) installed next to this Python.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import resident  # noqa: E402 (bench/resident.py: an editor's LSP session with the server)
import run as bench  # noqa: E402 (bench/run.py: the corpus, its configurations and the tools' venv)

RACY_SECONDS = 2.1  # a stamp taken within 2 s of its file's change is not trusted (files/cache.py)
KINDS = ("plain", "pre-commit")
STATES = ("nothing changed", "file edited")


def ssot_lint() -> str:
    return str(Path(sys.executable).parent / "ssot-lint")


def timed(cmd: Sequence[str], corpus: Path, env: Optional[Dict[str, str]] = None) -> bench.Sample:
    sample = bench.timed_run(cmd, corpus, dict(os.environ, NO_COLOR="1", **(env or {})))
    if sample.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} exited {sample.returncode}\n{sample.stderr[-3000:]}")
    return sample


class Edit:
    """A new function appended to a file (different each time), then the file put back as it was."""

    counter = 0

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> "Edit":
        Edit.counter += 1
        self.original = self.path.read_bytes()
        self.stat = self.path.stat()
        self.path.write_bytes(self.original + f"\n\ndef _ssot_lint_precommit_{Edit.counter}_{os.getpid()}():\n"
                                              f"    return {Edit.counter}\n".encode())
        return self

    def __exit__(self, *exc) -> None:
        self.path.write_bytes(self.original)
        os.utime(self.path, ns=(self.stat.st_atime_ns, self.stat.st_mtime_ns))


HOOK = {"GIT_INDEX_FILE": ".git/index", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_EDITOR": ":", "GIT_PREFIX": ""}  # what git sets for a pre-commit hook (a plain `git commit`)


def commands(configuration: bench.Configuration, served: bool) -> Dict[str, Tuple[List[str], Dict[str, str]]]:
    base = [ssot_lint(), "check", "--exit-zero", "--config", configuration.ssot_config]
    if not served:
        base.append("--no-server")
    return {"plain": (base, {}), "pre-commit": (base + [configuration.touched], HOOK)}


def assert_served(cmd: Sequence[str], corpus: Path, env: Dict[str, str]) -> None:
    """The check is answered by the server, with the output of a check in its own process."""
    environment = {**os.environ, **env}
    served = subprocess.run([*cmd, "--verbose"], cwd=corpus, capture_output=True, text=True, env=environment)
    alone = subprocess.run([*cmd, "--no-server"], cwd=corpus, capture_output=True, text=True, env=environment)
    if "answered by the running server" not in served.stderr:
        sys.exit(f"bench: not answered by the server: {' '.join(cmd)}\n{served.stderr[-2000:]}")
    if (served.stdout, served.returncode) != (alone.stdout, alone.returncode):
        sys.exit(f"bench: the server's answer differs from the check's own: {' '.join(cmd)}")


async def wait_until_served(corpus: Path) -> float:
    started = time.perf_counter()
    folder = corpus / bench.SSOT_CACHE / "servers"
    while not (folder.is_dir() and any(p.suffix == ".json" for p in folder.iterdir())):
        if time.perf_counter() - started > resident.TIMEOUT:
            sys.exit("bench: the server never made itself findable")
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def measure(corpus: Path, configuration: bench.Configuration, tools: Dict[str, Path],
                  rounds: int) -> Dict[str, object]:
    ruff = (str(tools["ruff"]), "check", "--no-cache", "--exit-zero", "--config", configuration.ruff_config)
    touched = corpus / configuration.touched
    bench.undo_stale_touch(touched)
    times: Dict[str, List[float]] = {f"{server} {kind} {state}": [] for server in ("without", "with")
                                     for kind in KINDS for state in STATES}
    times["ruff"] = []
    editor = resident.Editor(corpus)
    started = time.perf_counter()
    await editor.start(configuration.ssot_config)
    findable = await wait_until_served(corpus)
    bench.say(f"{configuration.key}: the server answers checks {findable + time.perf_counter() - started:.2f} s "
              f"after it started")
    pid = editor.client._server.pid
    for number in range(1, rounds + 1):
        timed(ruff, corpus)  # untimed first: this VM evicts the page cache, which made a round's first run 2x slower
        times["ruff"].append(timed(ruff, corpus).seconds)
        for server, served in (("without", False), ("with", True)):
            for kind, (cmd, env) in commands(configuration, served).items():
                await asyncio.sleep(RACY_SECONDS)  # (the last edit's stamps old enough to be trusted)
                await asyncio.to_thread(timed, cmd, corpus, env)  # the cache (or the server) holds this answer
                if served:
                    await asyncio.to_thread(assert_served, cmd, corpus, env)
                sample = await asyncio.to_thread(timed, cmd, corpus, env)
                times[f"{server} {kind} nothing changed"].append(sample.seconds)
                with Edit(touched):
                    if kind == "pre-commit":  # staged, as for a commit
                        bench.run_quietly(["git", "add", "--", configuration.touched], cwd=corpus)
                    sample = await asyncio.to_thread(timed, cmd, corpus, env)
                    if served:
                        await asyncio.to_thread(assert_served, cmd, corpus, env)
                    if kind == "pre-commit":
                        bench.run_quietly(["git", "reset", "-q", "--", configuration.touched], cwd=corpus)
                times[f"{server} {kind} file edited"].append(sample.seconds)
                await asyncio.to_thread(timed, cmd, corpus, env)  # back to the answer for the corpus as it is
        bench.say(f"{configuration.key} round {number}: ruff {times['ruff'][-1]:.2f} s; " + ", ".join(
            f"{key} {values[-1]:.3f} s" for key, values in times.items() if key != "ruff"))
    memory = resident.rss_mb(pid)
    await editor.stop()
    ruff_median = statistics.median(times["ruff"])
    result: Dict[str, object] = {"ruff_cold_s": ruff_median, "server_rss_mb": memory, "rounds": rounds,
                                 "load_average": os.getloadavg()}
    for key, values in times.items():
        if key != "ruff":
            result[f"{key} s"] = statistics.median(values)
            result[f"{key} ratio"] = statistics.median(values) / ruff_median
    result["samples"] = times  # every round's seconds, ruff's included
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(bench.SHAPES), default="monorepo")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--configuration", default=None, help="the key of one configuration (default: each)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    shape = bench.SHAPES[args.shape]
    corpus = (args.corpus or bench.BENCH_DIR / ".corpus" / shape.name).resolve()
    bench.ensure_corpus(shape, corpus)
    bench.write_configs(shape, corpus)
    tools = bench.ensure_tools_venv()
    results = {}
    for configuration in shape.configurations:
        if args.configuration and configuration.key != args.configuration:
            continue
        results[configuration.key] = asyncio.run(measure(corpus, configuration, tools, args.rounds))
        bench.say(json.dumps(results[configuration.key], indent=2))
    out = bench.BENCH_DIR / f"results-precommit-{shape.name}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    bench.say(f"written to {out}")


if __name__ == "__main__":
    main()

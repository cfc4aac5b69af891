"""Benchmark ssot-lint against ruff (TID251 banned-api) and import-linter on real code.

What it measures
----------------
Wall-clock seconds (median, min, max over several rounds) and peak memory of:

- ssot-lint cold: ``ssot-lint check --no-cache --exit-zero`` (reads no cache, writes none);
- ssot-lint first run: the same without ``--no-cache``, after deleting ``.ssot_lint_cache/``;
- ssot-lint warm: run again, nothing changed;
- ssot-lint touched: one real file that mentions a canonical symbol gets a small function
  appended (a real change to its facts, so the analysis runs again), then ssot-lint runs;
  the file is restored (bytes and mtime) after every round;
- ssot-lint touched elsewhere: the same, in a real file that names nothing tracked but that
  resolution passes through (``django/utils/text.py``): the commonest commit, and the case
  where the last answer stands (nothing the analysis read of that file changed);
- ruff: ``ruff check --no-cache --exit-zero --config ruff-bench.toml`` banning the same
  shim modules with TID251 (banned-api);
- import-linter: ``lint-imports --no-cache --config importlinter-bench.ini``, a forbidden
  contract that stops every other module from importing the same shim modules, and the same
  with import-linter's own cache warm. It exits 1 on a broken contract: only time counts.

The tools run from the corpus root, interleaved: round 1 runs every tool once, then round 2,
and so on, so that machine noise falls on all of them alike. Ratios are of medians.

Memory: "peak MB" is the largest resident set of any single process of the run (from
``wait4``'s rusage, what ``/usr/bin/time -f %M`` reports); "all procs MB" adds up the
proportional set size of the whole process tree (workers included), sampled from /proc
every 0.1 s on Linux, so it is a lower bound for short runs.

The corpus
----------
Real code nobody here wrote: pinned sdists from PyPI (Django, sympy: over 1.2 million lines
of Python), downloaded with ``pip download --no-binary :all:`` and unpacked into
``bench/.corpus/`` (or ``--corpus DIR``). An unpacked corpus is reused. It is never committed.
ruff and import-linter, pinned, are installed into ``bench/.venv`` (created if missing).

How to run
----------
From the repository root, with the Python of the virtualenv where ssot-lint is installed
(the ssot-lint under test is the ``ssot-lint`` next to that Python)::

    .venv/bin/python bench/run.py              # 5 rounds
    .venv/bin/python bench/run.py --rounds 3 --corpus /tmp/corpus
    .venv/bin/python bench/run.py --quick      # one round: a smoke test

It prints a table and the ratios, and writes the same to ``bench/results.json``.
Standard library only; Python 3.9 or newer; Linux or macOS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_FILE = BENCH_DIR / "results.json"
TOOLS_VENV = BENCH_DIR / ".venv"

RUFF_VERSION = "0.17.6"
IMPORT_LINTER_VERSION = "2.16"

SSOT_CONFIG = "ssot-lint.toml"
RUFF_CONFIG = "ruff-bench.toml"
IMPORT_LINTER_CONFIG = "importlinter-bench.ini"
SSOT_CACHE = ".ssot_lint_cache"
SDIST_FOLDER = "_sdists"

TOUCH_MARKER = b"\n\ndef _ssot_lint_bench_touched():\n    return 1\n"

# The targets of issue 3, as ratios of medians (and MB).
TARGETS = {"cold / ruff": 1.0, "warm / ruff": 0.1, "touched / ruff": 0.2, "peak MB": 500.0}


# -- what the corpus is made of ---------------------------------------------------------------


@dataclass(frozen=True)
class Sdist:
    name: str  # as pip knows it
    version: str
    folder: str  # what the sdist unpacks to: one import root of the corpus
    packages: Tuple[str, ...]  # the top-level import packages inside it

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class Canonical:
    symbol: str  # "module:Name"
    shims: Tuple[str, ...]  # real legacy modules that re-export it
    lookalikes: Tuple[str, ...] = ()
    why: str = ""  # what the shim is, in the project's own words


SDISTS = (
    Sdist("Django", "5.1.4", "Django-5.1.4", ("django",)),
    Sdist("sympy", "1.13.3", "sympy-1.13.3", ("sympy",)),
)

# Real re-exports in the corpus. Each canonical is also re-exported through a package
# (django.db.models, sympy.polys.matrices, sympy.core and sympy, ...) besides its shims.
CANONICALS = (
    Canonical("django.db.models.query:QuerySet", ("django.db.models.manager",), ("*QuerySet",),
              "manager.py imports QuerySet; code imports managers from it"),
    Canonical("sympy.polys.matrices.domainmatrix:DomainMatrix", ("sympy.polys.domainmatrix",),
              ("*DomainMatrix",), "'Stub module to expose DomainMatrix which has now moved'"),
    Canonical("sympy.core.sorting:default_sort_key", ("sympy.core.compatibility",), (),
              "deprecated module kept 'for easy import'"),
    Canonical("sympy.core.random:verify_numerically",
              ("sympy.utilities.randtest", "sympy.testing.randtest"), (),
              "deprecated modules renamed to sympy.core.random (one is a star import)"),
    Canonical("sympy.physics.quantum.trace:Tr", ("sympy.core.trace",), (),
              "'sympy.core.trace is deprecated. Use sympy.physics.quantum.trace'"),
)

# A real file that imports QuerySet (through the django.db.models package): appending a
# function to it is the "one file changed" case.
TOUCHED_FILE = "Django-5.1.4/django/views/generic/list.py"
# A real file that names nothing tracked, read by the analysis only for its imports and some names.
TOUCHED_ELSEWHERE_FILE = "Django-5.1.4/django/utils/text.py"
TOUCHED_FILES = {"touched": TOUCHED_FILE, "touched-elsewhere": TOUCHED_ELSEWHERE_FILE}


def all_shims() -> List[str]:
    return [shim for canonical in CANONICALS for shim in canonical.shims]


# -- small helpers ------------------------------------------------------------------------------


def say(message: str = "") -> None:
    print(message, flush=True)


def bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def run_quietly(cmd: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a setup command; on failure show its output and stop."""
    proc = subprocess.run(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if proc.returncode != 0:
        sys.exit(f"bench: failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-3000:]}")
    return proc


def toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


# -- the comparison tools' venv ---------------------------------------------------------------


def tool_version(executable: Path) -> Optional[str]:
    if not executable.exists():
        return None
    proc = subprocess.run([str(executable), "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    found = re.search(r"(\d+(?:\.\d+)+)", proc.stdout)
    return found.group(1) if proc.returncode == 0 and found else None


def ensure_tools_venv() -> Dict[str, Path]:
    """bench/.venv with ruff and import-linter at the pinned versions."""
    tools = {"ruff": bin_dir(TOOLS_VENV) / "ruff", "lint-imports": bin_dir(TOOLS_VENV) / "lint-imports"}
    wanted = {"ruff": RUFF_VERSION, "lint-imports": IMPORT_LINTER_VERSION}
    if all(tool_version(tools[name]) == wanted[name] for name in tools):
        return tools
    if not (bin_dir(TOOLS_VENV) / "python").exists():
        say(f"creating {TOOLS_VENV}")
        run_quietly([sys.executable, "-m", "venv", str(TOOLS_VENV)])
    say(f"installing ruff=={RUFF_VERSION} import-linter=={IMPORT_LINTER_VERSION} into {TOOLS_VENV}")
    run_quietly([str(bin_dir(TOOLS_VENV) / "python"), "-m", "pip", "install", "--quiet",
                 f"ruff=={RUFF_VERSION}", f"import-linter=={IMPORT_LINTER_VERSION}"])
    return tools


# -- the corpus -----------------------------------------------------------------------------------


def ensure_corpus(corpus: Path) -> None:
    """Download and unpack each pinned sdist that is not unpacked yet."""
    corpus.mkdir(parents=True, exist_ok=True)
    for sdist in SDISTS:
        if (corpus / sdist.folder).is_dir():
            continue
        say(f"downloading {sdist.requirement} (sdist)")
        archive = download_sdist(sdist, corpus / SDIST_FOLDER)
        say(f"unpacking {archive.name}")
        unpack(archive, corpus, sdist.folder)


def download_sdist(sdist: Sdist, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    python = bin_dir(TOOLS_VENV) / "python"
    run_quietly([str(python), "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                 sdist.requirement, "-d", str(into)])
    prefix = f"{sdist.name}-{sdist.version}".lower()
    for archive in sorted(into.iterdir()):
        if archive.name.lower().startswith(prefix) and archive.name.endswith((".tar.gz", ".zip")):
            return archive
    sys.exit(f"bench: pip downloaded no sdist of {sdist.requirement} into {into}")


def unpack(archive: Path, corpus: Path, folder: str) -> None:
    """Unpack into a temporary folder first, so an interrupted run leaves no half corpus."""
    with tempfile.TemporaryDirectory(dir=corpus) as scratch:
        if archive.name.endswith(".zip"):
            shutil.unpack_archive(str(archive), scratch)
        else:
            with tarfile.open(archive) as tar:
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(scratch, filter="data")
                else:  # Python without extraction filters: the archive comes from PyPI
                    tar.extractall(scratch)
        unpacked = [p for p in Path(scratch).iterdir() if p.is_dir()]
        if len(unpacked) != 1:
            sys.exit(f"bench: {archive.name} does not unpack to one folder")
        unpacked[0].rename(corpus / folder)


@dataclass
class CorpusStats:
    files: int = 0
    lines: int = 0
    per_sdist: Dict[str, Dict[str, int]] = field(default_factory=dict)


def count_corpus(corpus: Path) -> CorpusStats:
    """Python files and lines (newlines) of each sdist; reading them also warms the page cache."""
    stats = CorpusStats()
    for sdist in SDISTS:
        files = lines = 0
        for path in (corpus / sdist.folder).rglob("*.py"):
            data = path.read_bytes()
            files += 1
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        stats.per_sdist[sdist.folder] = {"files": files, "lines": lines}
        stats.files += files
        stats.lines += lines
    return stats


def module_file(corpus: Path, module: str) -> Optional[Path]:
    parts = module.split(".")
    for sdist in SDISTS:
        base = corpus / sdist.folder / Path(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def verify_corpus(corpus: Path) -> None:
    """Every canonical symbol is defined where the config says, every shim exists and mentions it."""
    problems = []
    for canonical in CANONICALS:
        module, name = canonical.symbol.split(":")
        path = module_file(corpus, module)
        if path is None or not re.search(rf"^(class|def) {name}\b", path.read_text("utf-8"), re.M):
            problems.append(f"{canonical.symbol}: not defined in the corpus")
        for shim in canonical.shims:
            if module_file(corpus, shim) is None:
                problems.append(f"{shim}: no such module in the corpus")
    for touched in TOUCHED_FILES.values():
        if not (corpus / touched).is_file():
            problems.append(f"{touched}: missing")
    if problems:
        sys.exit("bench: the corpus is not what the configs expect:\n  " + "\n  ".join(problems))


# -- the three configurations, for the same shim modules ---------------------------------------


def ssot_lint_config() -> str:
    lines = ["# Written by bench/run.py.",
             f"src = {toml_list([s.folder for s in SDISTS])}",
             "respect-gitignore = false  # the corpus sits in a git-ignored folder of this repository",
             ""]
    for canonical in CANONICALS:
        lines += ["[[canonical]]",
                  f"# {canonical.why}",
                  f"symbol = {json.dumps(canonical.symbol)}",
                  f"shims = {toml_list(canonical.shims)}"]
        if canonical.lookalikes:
            lines.append(f"lookalikes = {toml_list(canonical.lookalikes)}")
        lines.append("")
    return "\n".join(lines)


def ruff_config() -> str:
    lines = ["# Written by bench/run.py: TID251 bans the same shim modules as ssot-lint.toml.",
             "respect-gitignore = false  # the corpus sits in a git-ignored folder of this repository",
             "", "[lint]", 'select = ["TID251"]', "", "[lint.flake8-tidy-imports.banned-api]"]
    for canonical in CANONICALS:
        module, name = canonical.symbol.split(":")
        for shim in canonical.shims:
            message = f"legacy shim; import {name} from {module}"
            lines.append(f"{json.dumps(shim)}.msg = {json.dumps(message)}")
    return "\n".join(lines) + "\n"


def modules_around(package_dir: Path, package: str, shims: Sequence[str]) -> List[str]:
    """The children of a package that neither are a shim nor contain one; recurse into those
    that contain one. Together they cover the package except the shims (and its __init__s)."""
    found = []
    for child in sorted(package_dir.iterdir()):
        if child.is_dir() and (child / "__init__.py").is_file():
            name = child.name
        elif child.suffix == ".py" and child.stem != "__init__":
            name = child.stem
        else:
            continue
        if not name.isidentifier():
            continue
        module = f"{package}.{name}"
        if module in shims:
            continue
        if any(shim.startswith(module + ".") for shim in shims):
            found += modules_around(child, module, shims)
        else:
            found.append(module)
    return found


def import_linter_sources(corpus: Path) -> List[str]:
    shims = all_shims()
    sources = []
    for sdist in SDISTS:
        for package in sdist.packages:
            if any(shim.startswith(package + ".") for shim in shims):
                sources += modules_around(corpus / sdist.folder / package, package, shims)
            else:
                sources.append(package)
    return sources


def import_linter_config(corpus: Path) -> str:
    indent = "\n    "
    packages = [p for s in SDISTS for p in s.packages]
    return (
        "# Written by bench/run.py: the same shim modules as ssot-lint.toml, forbidden to every\n"
        "# other module of the root packages (direct imports, as ruff's TID251 sees them).\n"
        "[importlinter]\n"
        f"root_packages ={indent}{indent.join(packages)}\n\n"
        "[importlinter:contract:no-legacy-shims]\n"
        "name = Nothing imports a legacy shim\n"
        "type = forbidden\n"
        f"source_modules ={indent}{indent.join(import_linter_sources(corpus))}\n"
        f"forbidden_modules ={indent}{indent.join(all_shims())}\n"
        "allow_indirect_imports = True\n"
    )


def write_configs(corpus: Path) -> Dict[str, str]:
    configs = {SSOT_CONFIG: ssot_lint_config(), RUFF_CONFIG: ruff_config(),
               IMPORT_LINTER_CONFIG: import_linter_config(corpus)}
    for name, text in configs.items():
        (corpus / name).write_text(text, "utf-8")
    return configs


# -- timing one run -------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_mb: float  # max RSS of the largest single process
    tree_mb: float  # peak of the summed PSS of the whole process tree (0 where /proc is missing)
    returncode: int
    stdout: str
    stderr: str


def _children_map() -> Dict[int, List[int]]:
    children: Dict[int, List[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _memory_kb(pid: int) -> int:
    """Proportional set size (shared pages split between the processes sharing them), else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def tree_memory_kb(root: int) -> int:
    children = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _memory_kb(pid)
        stack.extend(children.get(pid, ()))
    return total


class TreeMemorySampler(threading.Thread):
    """Samples the summed memory of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self._done = threading.Event()
        self.enabled = os.path.isdir("/proc")

    def run(self) -> None:
        while self.enabled and not self._done.is_set():
            self.peak_kb = max(self.peak_kb, tree_memory_kb(self.pid))
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def maxrss_mb(ru_maxrss: int) -> float:
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024  # bytes vs KB


def timed_run(cmd: Sequence[str], cwd: Path, env: Dict[str, str]) -> Sample:
    """Wall-clock time and peak memory of one run; output kept for the summary lines."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = TreeMemorySampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(seconds, maxrss_mb(usage.ru_maxrss), sampler.peak_kb / 1024, proc.returncode,
                      out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


# -- the measured cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    cmd: Tuple[str, ...]
    ok_codes: Tuple[int, ...] = (0,)
    env: Tuple[Tuple[str, str], ...] = ()  # extra environment


def make_cases(ssot: Path, tools: Dict[str, Path], corpus: Path) -> List[Case]:
    ssot_check = (str(ssot), "check", "--exit-zero")
    pythonpath = os.pathsep.join(str(corpus / s.folder) for s in SDISTS)
    lint_imports = (str(tools["lint-imports"]), "--config", IMPORT_LINTER_CONFIG)
    return [
        Case("cold", "ssot-lint cold (--no-cache)", ssot_check + ("--no-cache",)),
        Case("first", "ssot-lint first (empty cache)", ssot_check),
        Case("warm", "ssot-lint warm (no change)", ssot_check),
        Case("touched", "ssot-lint one file touched", ssot_check),
        Case("touched-elsewhere", "ssot-lint touched elsewhere", ssot_check),
        Case("ruff", "ruff --no-cache (TID251)",
             (str(tools["ruff"]), "check", "--no-cache", "--exit-zero", "--config", RUFF_CONFIG)),
        Case("import-linter", "import-linter --no-cache", lint_imports + ("--no-cache",), (0, 1),
             (("PYTHONPATH", pythonpath),)),
        Case("import-linter-warm", "import-linter (warm cache)", lint_imports, (0, 1),
             (("PYTHONPATH", pythonpath),)),
    ]


class TouchedFile:
    """Appends a small function to a real file for the duration of a `with`, then puts back
    its exact bytes and mtime."""

    def __init__(self, path: Path):
        self.path = path
        self.original = b""
        self.stat: Optional[os.stat_result] = None

    def __enter__(self) -> "TouchedFile":
        self.original = self.path.read_bytes()
        self.stat = self.path.stat()
        self.path.write_bytes(self.original + TOUCH_MARKER)
        return self

    def __exit__(self, *exc) -> None:
        self.path.write_bytes(self.original)
        assert self.stat is not None
        os.utime(self.path, ns=(self.stat.st_atime_ns, self.stat.st_mtime_ns))


def undo_stale_touch(path: Path) -> None:
    """A run killed while the file was touched leaves the marker: remove it."""
    data = path.read_bytes()
    if data.endswith(TOUCH_MARKER):
        path.write_bytes(data[: -len(TOUCH_MARKER)])


def run_case(case: Case, corpus: Path) -> Sample:
    env = dict(os.environ, NO_COLOR="1", **dict(case.env))
    if case.key == "first":
        shutil.rmtree(corpus / SSOT_CACHE, ignore_errors=True)
    if case.key in TOUCHED_FILES:
        with TouchedFile(corpus / TOUCHED_FILES[case.key]):
            sample = timed_run(case.cmd, corpus, env)
        # The cache now holds the answer for the touched file; bring back the answer for the corpus as it
        # is (untimed), as a user's next edit would start from.
        timed_run(case.cmd, corpus, env)
    else:
        sample = timed_run(case.cmd, corpus, env)
    if sample.returncode not in case.ok_codes:
        sys.exit(f"bench: {case.label} exited {sample.returncode}: {' '.join(case.cmd)}\n"
                 f"{sample.stderr[-3000:]}{sample.stdout[-2000:]}")
    return sample


def run_rounds(cases: Sequence[Case], corpus: Path, rounds: int) -> Dict[str, List[Sample]]:
    samples: Dict[str, List[Sample]] = {case.key: [] for case in cases}
    for number in range(1, rounds + 1):
        say(f"round {number}/{rounds}")
        for case in cases:
            sample = run_case(case, corpus)
            samples[case.key].append(sample)
            say(f"  {case.label:<32} {sample.seconds:8.2f} s {sample.peak_mb:8.1f} MB")
    return samples


def prime_import_linter_cache(cases: Sequence[Case], corpus: Path) -> None:
    """Fill import-linter's own cache once, so that every round's warm run is warm."""
    for case in cases:
        if case.key == "import-linter-warm":
            run_case(case, corpus)


# -- the summary ------------------------------------------------------------------------------------


@dataclass
class Summary:
    label: str
    median: float
    min: float
    max: float
    peak_mb: float
    tree_mb: float
    runs: List[float]


def summarise(case: Case, samples: Sequence[Sample]) -> Summary:
    times = [s.seconds for s in samples]
    return Summary(case.label, statistics.median(times), min(times), max(times),
                   max(s.peak_mb for s in samples), max(s.tree_mb for s in samples), times)


def ratios(summaries: Dict[str, Summary]) -> Dict[str, float]:
    median = {key: s.median for key, s in summaries.items()}
    return {
        "cold / ruff": median["cold"] / median["ruff"],
        "first / ruff": median["first"] / median["ruff"],
        "warm / ruff": median["warm"] / median["ruff"],
        "touched / ruff": median["touched"] / median["ruff"],
        "touched elsewhere / ruff": median["touched-elsewhere"] / median["ruff"],
        "cold / import-linter": median["cold"] / median["import-linter"],
        "warm / import-linter warm": median["warm"] / median["import-linter-warm"],
        "touched / import-linter warm": median["touched"] / median["import-linter-warm"],
    }


def first_int(pattern: str, text: str) -> Optional[int]:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else None


def ssot_lint_findings(ssot: Path, corpus: Path, cold: Sample) -> Dict[str, object]:
    """Violations (from --output-format json, on the warm cache) and files analysed (summary line)."""
    proc = subprocess.run([str(ssot), "check", "--exit-zero", "--output-format", "json"], cwd=corpus,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: ssot-lint --output-format json exited {proc.returncode}\n{proc.stderr[-3000:]}")
    violations = json.loads(proc.stdout)
    by_code: Dict[str, int] = {}
    for violation in violations:
        by_code[violation["code"]] = by_code.get(violation["code"], 0) + 1
    return {
        "violations": len(violations),
        "violations_by_code": dict(sorted(by_code.items())),
        "violations_in_summary_line": first_int(r"Found (\d+) violations?", cold.stdout),
        "files_analysed": first_int(r"(\d+) files? analysed", cold.stdout),
    }


def other_findings(samples: Dict[str, List[Sample]]) -> Dict[str, object]:
    ruff_out = samples["ruff"][0].stdout
    linter_out = samples["import-linter"][0].stdout
    return {
        "ruff_violations": first_int(r"Found (\d+) errors?", ruff_out) or 0,
        "ruff_tid251": len(re.findall(r"^TID251 ", ruff_out, re.M)),
        "import_linter_files": first_int(r"Analyzed (\d+) files", linter_out),
        "import_linter_broken_imports": len(re.findall(r"^-\s+\S+ -> \S+", linter_out, re.M)),
    }


def ruff_file_count(tools: Dict[str, Path], corpus: Path) -> int:
    proc = run_quietly([str(tools["ruff"]), "check", "--no-cache", "--config", RUFF_CONFIG, "--show-files", "."],
                       cwd=corpus)
    return sum(1 for line in proc.stdout.splitlines() if line.endswith((".py", ".pyi")))


def print_table(summaries: Dict[str, Summary]) -> None:
    say(f"{'tool':<32} {'median s':>9} {'min s':>8} {'max s':>8} {'peak MB':>8} {'all procs MB':>13}")
    for s in summaries.values():
        say(f"{s.label:<32} {s.median:9.2f} {s.min:8.2f} {s.max:8.2f} {s.peak_mb:8.1f} {s.tree_mb:13.1f}")


def print_ratios(found: Dict[str, float], peak_mb: float) -> None:
    for name, value in found.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  (target <= {target:g}x: {'met' if value <= target else 'NOT met'})"
        say(f"  {name:<30} {value:8.2f}x{verdict}")
    target = TARGETS["peak MB"]
    say(f"  {'ssot-lint peak MB':<30} {peak_mb:8.1f}   (target <= {target:g} MB, largest process: "
        f"{'met' if peak_mb <= target else 'NOT met'})")


def tool_versions(ssot: Path, tools: Dict[str, Path]) -> Dict[str, str]:
    def version(executable: Path) -> str:
        proc = subprocess.run([str(executable), "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        found = re.search(r"\d+(?:\.\d+)+\S*", proc.stdout)
        return found.group(0) if found else "?"
    return {"ssot-lint": version(ssot), "ruff": version(tools["ruff"]),
            "import-linter": version(tools["lint-imports"])}


# -- history -------------------------------------------------------------------------------------------


def history_repository(corpus: Path, commits: int) -> Path:
    """A git repository holding the corpus and then `commits` commits, in bench/.corpus-history/. Each
    commit adds a function to one Django file, spread evenly over all of them: like real history, some
    commits touch files the analysis reads (their figures are recomputed) and most touch others (their
    figures are reused); a comment-only edit would change no fact at all, so none is made."""
    target = BENCH_DIR / ".corpus-history"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for folder in [*(s.folder for s in SDISTS), "ssot-lint.toml"]:
        source = corpus / folder
        if source.is_dir():
            shutil.copytree(source, target / folder, ignore=shutil.ignore_patterns(".ssot_lint_cache"))
        else:
            shutil.copy2(source, target / folder)
    git = ["git", "-C", str(target), "-c", "user.email=bench@example.com", "-c", "user.name=bench"]
    run_quietly([*git, "init", "-q"])
    run_quietly([*git, "add", "-A"])
    run_quietly([*git, "commit", "-q", "-m", "corpus"])
    candidates = sorted((target / SDISTS[0].folder / "django").rglob("*.py"))
    stride = max(1, len(candidates) // max(1, commits))
    for index in range(commits):
        path = candidates[(index * stride) % len(candidates)]
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\n\ndef _bench_history_{index}():\n    return {index}\n")
        run_quietly([*git, "commit", "-q", "-am", f"add a function to {path.name}"])
    return target


def time_history(ssot: Path, corpus: Path, commits: int) -> Dict[str, float]:
    repository = history_repository(corpus, commits)
    env = dict(os.environ, NO_COLOR="1")
    sample = timed_run([str(ssot), "report", "--no-cache", "--format", "json", "--history",
                        f"HEAD~{commits}..HEAD"], repository, env)
    return {"commits": commits, "seconds": sample.seconds, "peak_mb": sample.peak_mb}


# -- main -------------------------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every tool (default 5)")
    parser.add_argument("--corpus", type=Path, default=BENCH_DIR / ".corpus",
                        help="where the unpacked sdists live (default bench/.corpus)")
    parser.add_argument("--quick", action="store_true", help="one round: a smoke test")
    parser.add_argument("--history-commits", type=int, default=0, metavar="N",
                        help="also time `report --history` over N commits of a git copy of the corpus, each "
                             "touching one file (default 0: not run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 1
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def find_ssot_lint() -> Path:
    ssot = Path(sys.executable).parent / ("ssot-lint.exe" if os.name == "nt" else "ssot-lint")
    if not ssot.exists():
        sys.exit(f"bench: no ssot-lint next to {sys.executable}; run this script with the Python of the "
                 "virtualenv where ssot-lint is installed")
    return ssot


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    corpus = args.corpus.resolve()
    ssot = find_ssot_lint()
    tools = ensure_tools_venv()
    ensure_corpus(corpus)
    verify_corpus(corpus)
    for touched in TOUCHED_FILES.values():
        undo_stale_touch(corpus / touched)
    configs = write_configs(corpus)

    stats = count_corpus(corpus)
    for folder, counts in stats.per_sdist.items():
        say(f"corpus {folder}: {counts['lines']:,} lines in {counts['files']:,} Python files")
    say(f"corpus total: {stats.lines:,} lines in {stats.files:,} Python files ({corpus})")
    versions = tool_versions(ssot, tools)
    say("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    say(f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")

    cases = make_cases(ssot, tools, corpus)
    prime_import_linter_cache(cases, corpus)
    samples = run_rounds(cases, corpus, args.rounds)

    summaries = {case.key: summarise(case, samples[case.key]) for case in cases}
    found_ratios = ratios(summaries)
    ssot_peak = max(summaries[k].peak_mb for k in ("cold", "first", "warm", *TOUCHED_FILES))
    findings = {**ssot_lint_findings(ssot, corpus, samples["cold"][0]), **other_findings(samples),
                "ruff_files": ruff_file_count(tools, corpus)}

    say()
    say(f"{args.rounds} round(s), wall-clock seconds; peak MB = largest single process (max RSS), "
        "all procs MB = summed PSS of the process tree (sampled)")
    print_table(summaries)
    say()
    say("ratios of medians:")
    print_ratios(found_ratios, ssot_peak)
    history = None
    if args.history_commits:
        history = time_history(ssot, corpus, args.history_commits)
        cold = summaries["cold"].median
        say(f"  report --history over {history['commits']} commits: {history['seconds']:.1f} s, "
            f"{history['seconds'] / cold:.1f}x one cold check (target for 100 commits: <= 5x), "
            f"peak {history['peak_mb']:.0f} MB")
    say()
    say(f"ssot-lint: {findings['violations']} violations {findings['violations_by_code']}, "
        f"{findings['files_analysed']} files analysed")
    say(f"ruff: {findings['ruff_violations']} diagnostics ({findings['ruff_tid251']} TID251) "
        f"in {findings['ruff_files']} files; import-linter: {findings['import_linter_broken_imports']} "
        f"forbidden imports in {findings['import_linter_files']} files")

    record = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join([Path(sys.executable).name, "bench/run.py"] + list(argv or sys.argv[1:])),
        "rounds": args.rounds,
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "versions": versions,
        "corpus": {"sdists": [s.requirement for s in SDISTS], **asdict(stats)},
        "touched_files": TOUCHED_FILES,
        "commands": {case.key: " ".join(case.cmd) for case in cases},
        "results": {key: asdict(summary) for key, summary in summaries.items()},
        "ratios": found_ratios,
        "ssot_lint_peak_mb": ssot_peak,
        "targets": TARGETS,
        "findings": findings,
        "configs": configs,
        "history": history,
    }
    RESULTS_FILE.write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    say(f"\nwrote {RESULTS_FILE}")


if __name__ == "__main__":
    main()

"""Benchmark ssot-lint against ruff (TID251 banned-api) and import-linter on real code.

The shapes of code
------------------
- ``monorepo`` (the default): what ssot-lint is for. Five large sdists from PyPI side by side in
  one git repository, each an import root: Home Assistant's core (an application of 6,700 files),
  Salt (with its tests), sympy, pandas and SciPy: 4.2 million lines in 14,500 ``.py`` files, with
  test and script folders that have no ``__init__.py`` (Home Assistant's ``tests/``, pandas'
  ``scripts/``, SciPy's ``tools/``). Two configurations are measured on it:
  ``rare``, a class named in a few hundred files (pandas' ``DatetimeIndex``, re-exported through
  ``pandas``, ``pandas.core.api`` and the legacy aggregator ``pandas.core.indexes.api``, declared a
  shim), and ``hot``, a symbol imported by 4,400 files (Home Assistant's ``HomeAssistant``, also
  bound as ``HomeAssistantType`` in ``homeassistant.helpers.typing``).
- ``libraries``: Django and sympy (1.2 million lines, 4,350 files), five canonical symbols with
  real deprecated shims: the shape of the earlier benchmarks, kept for comparison.

What it measures
----------------
Wall-clock seconds (median, min, max over several rounds) and peak memory, per configuration:

- ssot-lint cold: ``ssot-lint check --no-cache --exit-zero`` (reads no cache, writes none);
- ssot-lint first run: the same without ``--no-cache``, after deleting ``.ssot_lint_cache/``;
- ssot-lint warm: run twice, nothing changed, the second timed (the first leaves this
  configuration's answer in the cache: the configurations share the corpus and its cache);
- ssot-lint touched: one real file that mentions the canonical symbol gets a small function
  appended (a real change to its facts, so the analysis runs again), then ssot-lint runs;
  the file is restored (bytes and mtime) after every round;
- ssot-lint touched elsewhere: the same, in a real file that names nothing tracked but that
  resolution passes through (a utility module every checked file imports): the commonest
  commit, and the case where the last answer stands;
- ssot-lint fresh clone (monorepo): ``git clone`` of the corpus to a new path (new mtimes), the
  previous run's ``.ssot_lint_cache/`` copied in, as CI's ``actions/cache`` restores it, then a
  check: what a CI job pays when it starts warm;
- ``ssot-lint init --discover --print`` (monorepo), with an empty cache;
- ruff: ``ruff check --no-cache --exit-zero --config ruff-<configuration>.toml`` banning the same
  shims (modules, or a module's member) with TID251;
- import-linter: ``lint-imports --no-cache --config importlinter-<configuration>.ini``, a forbidden
  contract that stops every other module from importing the same shim modules, and the same
  with import-linter's own cache warm. It exits 1 on a broken contract: only time counts.

The tools run from the corpus root, interleaved: round 1 runs every case once, then round 2, and
so on, so that machine noise falls on all of them alike. Ratios are of medians. Where the cold
time goes is read from ``check --verbose`` (its ``time:`` line) in a separate run.

With ``--history-commits N``, ``report --history`` is timed over N synthetic commits of a git copy
of the corpus (each adds a function to one file); with ``--history-releases``, over a git
repository with one commit per released version of Django (4.2 to 5.1.x, 34 releases, each sdist
downloaded), with the ``QuerySet`` configuration plus a symbol that only exists from 5.0 on, whose
earlier commits have no figures.

Memory: "peak MB" is the largest resident set of any single process of the run (from
``wait4``'s rusage, what ``/usr/bin/time -f %M`` reports); "all procs MB" adds up the
proportional set size of the whole process tree (workers included), sampled from /proc
every 0.1 s on Linux, so it is a lower bound for short runs.

The corpus
----------
Real code nobody here wrote: pinned sdists from PyPI (name, version and sha256 below),
downloaded over HTTPS from PyPI's simple API and checked against their hashes, unpacked into
``bench/.corpus/<shape>/`` (or ``--corpus DIR``). An unpacked corpus is reused. It is never
committed. ruff and import-linter, pinned, are installed into ``bench/.venv`` (created if missing).

How to run
----------
From the repository root, with the Python of the virtualenv where ssot-lint is installed
(the ssot-lint under test is the ``ssot-lint`` next to that Python)::

    .venv/bin/python bench/run.py --rounds 3                     # the monorepo
    .venv/bin/python bench/run.py --shape libraries --rounds 3   # Django + sympy
    .venv/bin/python bench/run.py --quick                        # one round: a smoke test
    .venv/bin/python bench/run.py --rounds 3 --history-commits 100 --history-releases

It prints a table and the ratios, and writes the same to ``bench/results-<shape>.json``.
Standard library only; Python 3.9 or newer; Linux or macOS.
"""

from __future__ import annotations

import argparse
import hashlib
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
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

BENCH_DIR = Path(__file__).resolve().parent
TOOLS_VENV = BENCH_DIR / ".venv"

RUFF_VERSION = "0.17.6"
IMPORT_LINTER_VERSION = "2.16"

SSOT_CACHE = ".ssot_lint_cache"
SDIST_FOLDER = "_sdists"
PYPI_SIMPLE = "https://pypi.org/simple"

TOUCH_MARKER = b"\n\ndef _ssot_lint_bench_touched():\n    return 1\n"

# The targets of the monorepo-scale issue, as ratios of medians (and MB). `cold` is the rare
# configuration's; `cold hot` the hot one's.
TARGETS = {"cold / ruff": 2.0, "cold hot / ruff": 5.0, "fresh clone / ruff": 1.0, "discover / cold": 1.0,
           "peak MB": 500.0}


# -- what a corpus is made of ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sdist:
    name: str  # as PyPI knows it
    version: str
    sha256: str
    folder: str  # what the sdist unpacks to: one import root of the corpus
    packages: Tuple[str, ...]  # the top-level import packages inside it (import-linter's root packages)

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass(frozen=True)
class Canonical:
    symbol: str  # "module:Name"
    shims: Tuple[str, ...] = ()  # real legacy modules that hand it on
    lookalikes: Tuple[str, ...] = ()
    why: str = ""  # what the shim is, in the project's own words


@dataclass(frozen=True)
class Configuration:
    """One configuration measured on a corpus, and the same shims for ruff and import-linter."""

    key: str  # "rare", "hot", "shims"
    canonicals: Tuple[Canonical, ...]
    ruff_bans: Tuple[Tuple[str, str], ...]  # (module or module.member, why) banned with TID251
    forbidden: Tuple[str, ...]  # modules import-linter forbids every other module to import
    touched: str  # a real file that names the canonical: the "one file edited" case
    touched_elsewhere: str  # a real file that names nothing tracked but that resolution passes through

    @property
    def ssot_config(self) -> str:
        return f"ssot-lint-{self.key}.toml"

    @property
    def ruff_config(self) -> str:
        return f"ruff-{self.key}.toml"

    @property
    def import_linter_config(self) -> str:
        return f"importlinter-{self.key}.ini"


@dataclass(frozen=True)
class Shape:
    name: str
    sdists: Tuple[Sdist, ...]
    configurations: Tuple[Configuration, ...]  # the first is the main one (warm, first and clone rows)
    git: bool  # the corpus is made a git repository (the fresh-clone row, discovery through git)
    discover: bool  # time `init --discover`

    def packages(self) -> List[str]:
        return [p for s in self.sdists for p in s.packages]


PANDAS_DATETIME_INDEX = Configuration(
    "rare",
    (Canonical("pandas.core.indexes.datetimes:DatetimeIndex", ("pandas.core.indexes.api",), ("*DatetimeIndex",),
               "pandas.core.indexes.api: an aggregator of the index classes, imported instead of their modules"),),
    (("pandas.core.indexes.api", "legacy aggregator; import from the index's own module"),),
    ("pandas.core.indexes.api",),
    touched="pandas-2.2.3/pandas/core/resample.py",
    touched_elsewhere="pandas-2.2.3/pandas/util/_decorators.py",
)
HOME_ASSISTANT = Configuration(
    "hot",
    (Canonical("homeassistant.core:HomeAssistant", (), (),
               "imported by 4,400 files; homeassistant.helpers.typing binds it as HomeAssistantType"),),
    (("homeassistant.helpers.typing.HomeAssistantType", "use HomeAssistant from homeassistant.core"),),
    ("homeassistant.helpers.typing",),
    touched="homeassistant-2024.3.3/homeassistant/components/light/__init__.py",
    touched_elsewhere="homeassistant-2024.3.3/homeassistant/util/dt.py",
)

LIBRARY_CANONICALS = (
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
LIBRARY_SHIMS = tuple(shim for canonical in LIBRARY_CANONICALS for shim in canonical.shims)

DJANGO = Sdist("Django", "5.1.4", "de450c09e91879fa5a307f696e57c851955c910a438a35e6b4c895e86bedc82a",
               "Django-5.1.4", ("django",))
SYMPY = Sdist("sympy", "1.13.3", "b27fd2c6530e0ab39e275fc9b683895367e51d5da91baa8d3d64db2565fec4d9",
              "sympy-1.13.3", ("sympy",))

SHAPES = {
    "monorepo": Shape(
        "monorepo",
        (
            Sdist("homeassistant", "2024.3.3", "f62f2c9efa330ca82f70441f93d29361fa87c506c3065baf02b5d85559cdbe70",
                  "homeassistant-2024.3.3", ("homeassistant",)),
            Sdist("salt", "3006.9", "7703c73a71c67327d48b2893ce9cf031ee52e2816df0daf78d6fe18a99b353e3",
                  "salt-3006.9", ("salt",)),
            SYMPY,
            Sdist("pandas", "2.2.3", "4f18ba62b61d7e192368b84517265a99b4d7ee8912f8708660fb4a366cc82667",
                  "pandas-2.2.3", ("pandas",)),
            Sdist("scipy", "1.14.1", "5a275584e726026a5699459aa72f828a610821006228e841b94275c4a7c08417",
                  "scipy-1.14.1", ("scipy",)),
        ),
        (PANDAS_DATETIME_INDEX, HOME_ASSISTANT),
        git=True, discover=True,
    ),
    "libraries": Shape(
        "libraries",
        (DJANGO, SYMPY),
        (Configuration("shims", LIBRARY_CANONICALS,
                       tuple((shim, "legacy shim") for shim in LIBRARY_SHIMS), LIBRARY_SHIMS,
                       touched="Django-5.1.4/django/views/generic/list.py",
                       touched_elsewhere="Django-5.1.4/django/utils/text.py"),),
        git=False, discover=False,
    ),
}


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


def git(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return run_quietly(["git", "-C", str(folder), "-c", "user.email=bench@example.com", "-c", "user.name=bench",
                        "-c", "commit.gpgsign=false", *args])


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


def ensure_corpus(shape: Shape, corpus: Path) -> None:
    """Download and unpack each pinned sdist that is not unpacked yet; the monorepo is then one git
    repository (committed once)."""
    corpus.mkdir(parents=True, exist_ok=True)
    for sdist in shape.sdists:
        if (corpus / sdist.folder).is_dir():
            continue
        archive = download_sdist(sdist, corpus / SDIST_FOLDER)
        say(f"unpacking {archive.name}")
        unpack(archive, corpus, sdist.folder)
    if shape.git and not (corpus / ".git").is_dir():
        say(f"making {corpus} a git repository (one commit of its Python files)")
        (corpus / ".gitignore").write_text(f"/{SDIST_FOLDER}/\n{SSOT_CACHE}/\n", "utf-8")
        git(corpus, "init", "-q")
        git(corpus, "add", "--", ".gitignore", *(f"{s.folder}/*.py" for s in shape.sdists))
        git(corpus, "commit", "-q", "-m", "the corpus")


def sdist_url(sdist: Sdist) -> Tuple[str, str]:
    """The sdist's download URL and sha256, from PyPI's simple API (PEP 691): no build step, unlike
    `pip download`, which runs each sdist's own metadata hooks."""
    request = urllib.request.Request(f"{PYPI_SIMPLE}/{sdist.name.lower()}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        index = json.load(response)
    wanted = {f"{name}-{sdist.version}.tar.gz".lower() for name in
              {sdist.name, sdist.name.lower(), sdist.name.replace("-", "_"), sdist.name.lower().replace("-", "_")}}
    for entry in index["files"]:
        if entry["filename"].lower() in wanted:
            return entry["url"], entry["hashes"]["sha256"]
    sys.exit(f"bench: PyPI has no sdist of {sdist.requirement}")


def download_sdist(sdist: Sdist, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    url, sha256 = sdist_url(sdist)
    if sdist.sha256 and sdist.sha256 != sha256:
        sys.exit(f"bench: PyPI's sdist of {sdist.requirement} is not the pinned one ({sha256} != {sdist.sha256})")
    target = into / url.rsplit("/", 1)[1].split("#")[0]
    if not target.is_file() or hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
        say(f"downloading {sdist.requirement} (sdist)")
        with urllib.request.urlopen(url, timeout=600) as response, tempfile.NamedTemporaryFile(
                dir=into, delete=False) as scratch:
            shutil.copyfileobj(response, scratch)
        if hashlib.sha256(Path(scratch.name).read_bytes()).hexdigest() != sha256:
            os.unlink(scratch.name)
            sys.exit(f"bench: the download of {sdist.requirement} does not match its sha256")
        os.replace(scratch.name, target)
    return target


def unpack(archive: Path, corpus: Path, folder: str) -> None:
    """Unpack into a temporary folder first, so an interrupted run leaves no half corpus."""
    with tempfile.TemporaryDirectory(dir=corpus) as scratch:
        with tarfile.open(archive) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(scratch, filter="data")
            else:  # Python without extraction filters: the archive comes from PyPI, its hash checked
                tar.extractall(scratch)
        unpacked = [p for p in Path(scratch).iterdir() if p.is_dir()]
        if len(unpacked) != 1:
            sys.exit(f"bench: {archive.name} does not unpack to one folder")
        unpacked[0].rename(corpus / folder)


@dataclass
class CorpusStats:
    files: int = 0
    lines: int = 0
    megabytes: float = 0.0
    per_sdist: Dict[str, Dict[str, int]] = field(default_factory=dict)


def count_corpus(shape: Shape, corpus: Path) -> CorpusStats:
    """Python files and lines (newlines) of each sdist; reading them also warms the page cache."""
    stats = CorpusStats()
    for sdist in shape.sdists:
        files = lines = size = 0
        for path in (corpus / sdist.folder).rglob("*.py"):
            data = path.read_bytes()
            files += 1
            size += len(data)
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        stats.per_sdist[sdist.folder] = {"files": files, "lines": lines}
        stats.files += files
        stats.lines += lines
        stats.megabytes += size / 1e6
    return stats


def module_file(shape: Shape, corpus: Path, module: str) -> Optional[Path]:
    parts = module.split(".")
    for sdist in shape.sdists:
        base = corpus / sdist.folder / Path(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def verify_corpus(shape: Shape, corpus: Path) -> None:
    """Every canonical symbol is defined where the config says, every shim exists, the touched files
    are there and the one elsewhere does not name the symbol."""
    problems = []
    for configuration in shape.configurations:
        for canonical in configuration.canonicals:
            module, name = canonical.symbol.split(":")
            path = module_file(shape, corpus, module)
            if path is None or not re.search(rf"^(class|def) {name}\b", path.read_text("utf-8"), re.M):
                problems.append(f"{canonical.symbol}: not defined in the corpus")
            for shim in canonical.shims:
                if module_file(shape, corpus, shim) is None:
                    problems.append(f"{shim}: no such module in the corpus")
        for touched in (configuration.touched, configuration.touched_elsewhere):
            if not (corpus / touched).is_file():
                problems.append(f"{touched}: missing")
        names = [c.symbol.split(":")[1] for c in configuration.canonicals]
        elsewhere = corpus / configuration.touched_elsewhere
        if elsewhere.is_file() and any(re.search(rf"\b{n}\b", elsewhere.read_text("utf-8")) for n in names):
            problems.append(f"{configuration.touched_elsewhere}: names a tracked symbol")
    if problems:
        sys.exit("bench: the corpus is not what the configs expect:\n  " + "\n  ".join(problems))


# -- the three configurations, for the same shims ----------------------------------------------


def ssot_lint_config(shape: Shape, configuration: Configuration) -> str:
    lines = [f"# Written by bench/run.py ({shape.name}, {configuration.key}).",
             f"src = {toml_list([s.folder for s in shape.sdists])}"]
    if not shape.git:
        lines.append("respect-gitignore = false  # the corpus sits in a git-ignored folder of this repository")
    lines.append("")
    for canonical in configuration.canonicals:
        lines += ["[[canonical]]", f"# {canonical.why}", f"symbol = {json.dumps(canonical.symbol)}",
                  f"shims = {toml_list(canonical.shims)}"]
        if canonical.lookalikes:
            lines.append(f"lookalikes = {toml_list(canonical.lookalikes)}")
        lines.append("")
    return "\n".join(lines)


def ruff_config(configuration: Configuration) -> str:
    lines = ["# Written by bench/run.py: TID251 bans the same shims as the ssot-lint config.",
             "respect-gitignore = false  # the corpus may sit in a git-ignored folder of this repository",
             "", "[lint]", 'select = ["TID251"]', "", "[lint.flake8-tidy-imports.banned-api]"]
    lines += [f"{json.dumps(banned)}.msg = {json.dumps(why)}" for banned, why in configuration.ruff_bans]
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


def import_linter_config(shape: Shape, configuration: Configuration, corpus: Path) -> str:
    indent = "\n    "
    shims = configuration.forbidden
    sources = []
    for sdist in shape.sdists:
        for package in sdist.packages:
            if any(shim.startswith(package + ".") for shim in shims):
                sources += modules_around(corpus / sdist.folder / package, package, shims)
            else:
                sources.append(package)
    return (
        "# Written by bench/run.py: the same shim modules as the ssot-lint config, forbidden to every\n"
        "# other module of the root packages (direct imports, as ruff's TID251 sees them).\n"
        "[importlinter]\n"
        f"root_packages ={indent}{indent.join(shape.packages())}\n\n"
        "[importlinter:contract:no-legacy-shims]\n"
        "name = Nothing imports a legacy shim\n"
        "type = forbidden\n"
        f"source_modules ={indent}{indent.join(sources)}\n"
        f"forbidden_modules ={indent}{indent.join(shims)}\n"
        "allow_indirect_imports = True\n"
    )


def write_configs(shape: Shape, corpus: Path) -> Dict[str, str]:
    configs = {}
    for configuration in shape.configurations:
        configs[configuration.ssot_config] = ssot_lint_config(shape, configuration)
        configs[configuration.ruff_config] = ruff_config(configuration)
        configs[configuration.import_linter_config] = import_linter_config(shape, configuration, corpus)
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
    touches: Optional[str] = None  # a file edited for the run (restored after)
    empty_cache: bool = False  # delete .ssot_lint_cache/ first
    primed: bool = False  # run once, untimed, first: the cache then holds this configuration's last answer
    fresh_clone: bool = False  # run in a new git clone of the corpus, the cache copied in


def make_cases(shape: Shape, ssot: Path, tools: Dict[str, Path]) -> List[Case]:
    """Every case of a round, in the order they run: each configuration's cold run and its
    comparisons first, then the main configuration's runs that share the cache."""
    pythonpath = os.pathsep.join(s.folder for s in shape.sdists)  # relative: the corpus is the cwd
    cases = []
    for configuration in shape.configurations:
        key, check = configuration.key, (str(ssot), "check", "--exit-zero", "--config", configuration.ssot_config)
        lint_imports = (str(tools["lint-imports"]), "--config", configuration.import_linter_config)
        cases += [
            Case(f"cold {key}", f"ssot-lint cold ({key})", check + ("--no-cache",)),
            Case(f"ruff {key}", f"ruff --no-cache ({key})",
                 (str(tools["ruff"]), "check", "--no-cache", "--exit-zero", "--config", configuration.ruff_config)),
            Case(f"import-linter {key}", f"import-linter --no-cache ({key})", lint_imports + ("--no-cache",),
                 (0, 1), (("PYTHONPATH", pythonpath),)),
        ]
    if shape.discover:
        cases.append(Case("discover", "ssot-lint init --discover", (str(ssot), "init", "--discover", "--print"),
                          empty_cache=True))
    for index, configuration in enumerate(shape.configurations):
        key, check = configuration.key, (str(ssot), "check", "--exit-zero", "--config", configuration.ssot_config)
        if index == 0:
            cases.append(Case(f"first {key}", f"ssot-lint first run ({key})", check, empty_cache=True))
        cases += [
            Case(f"warm {key}", f"ssot-lint warm ({key})", check, primed=True),
            Case(f"touched {key}", f"ssot-lint touched ({key})", check, touches=configuration.touched),
            Case(f"elsewhere {key}", f"ssot-lint touched elsewhere ({key})", check,
                 touches=configuration.touched_elsewhere),
        ]
        if index == 0:
            lint_imports = (str(tools["lint-imports"]), "--config", configuration.import_linter_config)
            cases.append(Case(f"import-linter warm {key}", f"import-linter, its cache warm ({key})", lint_imports,
                              (0, 1), (("PYTHONPATH", pythonpath),)))
            if shape.git:
                cases.append(Case(f"clone {key}", f"ssot-lint fresh clone, cache restored ({key})", check,
                                  fresh_clone=True))
    return cases


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


def fresh_clone(corpus: Path, configs: Dict[str, str]) -> Path:
    """A new clone of the corpus beside it (new path, new mtimes), with its configs and the corpus's
    `.ssot_lint_cache/` copied in: a CI job whose cache step restored the last run's cache."""
    clone = corpus.parent / f"{corpus.name}-clone"
    shutil.rmtree(clone, ignore_errors=True)
    run_quietly(["git", "clone", "-q", "--no-hardlinks", str(corpus), str(clone)])
    for name, text in configs.items():
        (clone / name).write_text(text, "utf-8")
    if (corpus / SSOT_CACHE).is_dir():
        shutil.copytree(corpus / SSOT_CACHE, clone / SSOT_CACHE)
    return clone


def run_case(case: Case, corpus: Path, configs: Dict[str, str]) -> Sample:
    env = dict(os.environ, NO_COLOR="1", **dict(case.env))
    where = corpus
    if case.empty_cache:
        shutil.rmtree(corpus / SSOT_CACHE, ignore_errors=True)
    if case.primed:
        timed_run(case.cmd, where, env)
    if case.fresh_clone:
        where = fresh_clone(corpus, configs)
    if case.touches is not None:
        with TouchedFile(corpus / case.touches):
            sample = timed_run(case.cmd, where, env)
        # The cache now holds the answer for the touched file; bring back the answer for the corpus as it
        # is (untimed), as a user's next edit would start from.
        timed_run(case.cmd, where, env)
    else:
        sample = timed_run(case.cmd, where, env)
    if case.fresh_clone:
        shutil.rmtree(where, ignore_errors=True)
    if sample.returncode not in case.ok_codes:
        sys.exit(f"bench: {case.label} exited {sample.returncode}: {' '.join(case.cmd)}\n"
                 f"{sample.stderr[-3000:]}{sample.stdout[-2000:]}")
    return sample


def run_rounds(cases: Sequence[Case], corpus: Path, rounds: int, configs: Dict[str, str]) -> Dict[str, List[Sample]]:
    samples: Dict[str, List[Sample]] = {case.key: [] for case in cases}
    for number in range(1, rounds + 1):
        say(f"round {number}/{rounds}")
        for case in cases:
            sample = run_case(case, corpus, configs)
            samples[case.key].append(sample)
            say(f"  {case.label:<44} {sample.seconds:8.2f} s {sample.peak_mb:8.1f} MB")
    return samples


def prime_import_linter_cache(cases: Sequence[Case], corpus: Path, configs: Dict[str, str]) -> None:
    """Fill import-linter's own cache once, so that every round's warm run is warm."""
    for case in cases:
        if case.key.startswith("import-linter warm"):
            run_case(case, corpus, configs)


def where_the_time_goes(ssot: Path, corpus: Path, configuration: Configuration) -> Dict[str, float]:
    """The stages of a cold check, from `check --verbose` (its `time:` line)."""
    proc = subprocess.run([str(ssot), "check", "--exit-zero", "--no-cache", "--verbose", "--config",
                           configuration.ssot_config], cwd=corpus, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=dict(os.environ, NO_COLOR="1"))
    line = next((line for line in proc.stderr.splitlines() if line.startswith("ssot-lint: time: ")), "")
    stages = {}
    for part in line[len("ssot-lint: time: "):].split(", "):
        found = re.match(r"(.+) ([\d.]+) s$", part)
        if found:
            stages[found.group(1)] = float(found.group(2))
    return stages


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


def ratios(shape: Shape, summaries: Dict[str, Summary]) -> Dict[str, float]:
    median = {key: s.median for key, s in summaries.items()}
    found = {}
    for index, configuration in enumerate(shape.configurations):
        key = configuration.key
        name = "" if index == 0 else f" {key}"  # the main configuration's ratios carry no suffix
        ruff = median[f"ruff {key}"]
        found[f"cold{name} / ruff"] = median[f"cold {key}"] / ruff
        found[f"cold{name} / import-linter"] = median[f"cold {key}"] / median[f"import-linter {key}"]
        for row in ("warm", "touched", "elsewhere"):
            found[f"{row}{name} / ruff"] = median[f"{row} {key}"] / ruff
        if index == 0:
            found["first / ruff"] = median[f"first {key}"] / ruff
            found["warm / import-linter warm"] = median[f"warm {key}"] / median[f"import-linter warm {key}"]
            if f"clone {key}" in median:
                found["fresh clone / ruff"] = median[f"clone {key}"] / ruff
    if "discover" in median:
        found["discover / cold"] = median["discover"] / median[f"cold {shape.configurations[0].key}"]
    return found


def first_int(pattern: str, text: str) -> Optional[int]:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else None


def ssot_lint_findings(ssot: Path, corpus: Path, configuration: Configuration) -> Dict[str, object]:
    """Violations by code, from --output-format json on the warm cache."""
    proc = subprocess.run([str(ssot), "check", "--exit-zero", "--output-format", "json", "--config",
                           configuration.ssot_config], cwd=corpus, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode != 0:
        sys.exit(f"bench: ssot-lint --output-format json exited {proc.returncode}\n{proc.stderr[-3000:]}")
    by_code: Dict[str, int] = {}
    for violation in json.loads(proc.stdout):
        by_code[violation["code"]] = by_code.get(violation["code"], 0) + 1
    return {"violations": sum(by_code.values()), "violations_by_code": dict(sorted(by_code.items()))}


def other_findings(samples: Dict[str, List[Sample]], configuration: Configuration) -> Dict[str, object]:
    key = configuration.key
    ruff_out = samples[f"ruff {key}"][0].stdout
    linter_out = samples[f"import-linter {key}"][0].stdout
    return {
        "ruff_tid251": len(re.findall(r"TID251", ruff_out)),
        "import_linter_files": first_int(r"Analyzed (\d+) files", linter_out),
        "import_linter_broken_imports": len(re.findall(r"^-\s+\S+ -> \S+", linter_out, re.M)),
    }


def print_table(summaries: Dict[str, Summary]) -> None:
    say(f"{'case':<44} {'median s':>9} {'min s':>8} {'max s':>8} {'peak MB':>8} {'all procs MB':>13}")
    for s in summaries.values():
        say(f"{s.label:<44} {s.median:9.2f} {s.min:8.2f} {s.max:8.2f} {s.peak_mb:8.1f} {s.tree_mb:13.1f}")


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


def synthetic_history(shape: Shape, corpus: Path, configs: Dict[str, str], commits: int) -> Path:
    """A git repository holding the corpus and then `commits` commits, beside it. Each commit adds a
    function to one file of the first sdist, spread evenly over all of them: like real history, some
    commits touch files the analysis reads (their figures are recomputed) and most touch others (their
    figures are reused); a comment-only edit would change no fact at all, so none is made."""
    target = corpus.parent / f"{corpus.name}-history"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for sdist in shape.sdists:
        shutil.copytree(corpus / sdist.folder, target / sdist.folder,
                        ignore=shutil.ignore_patterns(SSOT_CACHE, ".git"))
    for name, text in configs.items():
        (target / name).write_text(text, "utf-8")
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "corpus")
    candidates = sorted((target / shape.sdists[0].folder).rglob("*.py"))
    stride = max(1, len(candidates) // max(1, commits))
    for index in range(commits):
        path = candidates[(index * stride) % len(candidates)]
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\n\ndef _bench_history_{index}():\n    return {index}\n")
        git(target, "commit", "-q", "-am", f"add a function to {path.name}")
    return target


# Django's releases from 4.2 to 5.1.4 (34 of them), one commit each; `GeneratedField` first came in 5.0.
DJANGO_RELEASES = tuple([f"4.2.{n}" if n else "4.2" for n in range(18)] + [f"5.0.{n}" if n else "5.0" for n in range(11)]
                        + [f"5.1.{n}" if n else "5.1" for n in range(5)])
RELEASES_CONFIG = """\
# Written by bench/run.py: one commit per Django release.
src = ["."]

[[canonical]]
symbol = "django.db.models.query:QuerySet"
shims = ["django.db.models.manager"]
lookalikes = ["*QuerySet"]

[[canonical]]
# new in Django 5.0: the 4.2.x commits have no figures for it
symbol = "django.db.models.fields.generated:GeneratedField"
"""


def releases_history(corpus: Path) -> Path:
    """A git repository with one commit per Django release, oldest first, each the release's `django`
    package as its sdist ships it (files added, changed and deleted between releases)."""
    target = corpus.parent / "django-releases"
    done = target / ".bench-complete"
    if done.is_file() and done.read_text() == ",".join(DJANGO_RELEASES):
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    (target / "ssot-lint.toml").write_text(RELEASES_CONFIG, "utf-8")
    git(target, "init", "-q")
    downloads = corpus.parent / SDIST_FOLDER
    for version in DJANGO_RELEASES:
        archive = download_sdist(Sdist("Django", version, "", f"Django-{version}", ("django",)), downloads)
        shutil.rmtree(target / "django", ignore_errors=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if "/django/" in m.name and m.name.endswith(".py")]
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(scratch, members=members, filter="data")
                else:
                    tar.extractall(scratch, members=members)
            unpacked = next(Path(scratch).iterdir())
            shutil.move(str(unpacked / "django"), str(target / "django"))
        git(target, "add", "-A")
        git(target, "commit", "-q", "-m", f"Django {version}")
    done.write_text(",".join(DJANGO_RELEASES))
    return target


def time_history(ssot: Path, repository: Path, rev_range: str, config: Optional[str]) -> Dict[str, object]:
    env = dict(os.environ, NO_COLOR="1")
    command = [str(ssot), "report", "--no-cache", "--format", "json", "--history", rev_range]
    if config:
        command += ["--config", config]
    sample = timed_run(command, repository, env)
    if sample.returncode != 0:
        sys.exit(f"bench: report --history exited {sample.returncode}\n{sample.stderr[-3000:]}")
    report = json.loads(sample.stdout)
    points = report.get("history", [])
    return {"commits": len(points), "seconds": sample.seconds, "peak_mb": sample.peak_mb,
            "points_with_missing_symbols": sum(1 for p in points if p.get("missing"))}


# -- main -------------------------------------------------------------------------------------------


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="monorepo",
                        help="the corpus: a 4.2M-line monorepo (default) or Django + sympy")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every case (default 5)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="where the unpacked sdists live (default bench/.corpus/<shape>)")
    parser.add_argument("--quick", action="store_true", help="one round: a smoke test")
    parser.add_argument("--history-commits", type=int, default=0, metavar="N",
                        help="also time `report --history` over N synthetic commits of a git copy of the corpus "
                             "(default 0: not run)")
    parser.add_argument("--history-releases", action="store_true",
                        help="also time `report --history` over a git repository of 34 Django releases")
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
    shape = SHAPES[args.shape]
    corpus = (args.corpus or BENCH_DIR / ".corpus" / shape.name).resolve()
    ssot = find_ssot_lint()
    tools = ensure_tools_venv()
    ensure_corpus(shape, corpus)
    verify_corpus(shape, corpus)
    for configuration in shape.configurations:
        for touched in (configuration.touched, configuration.touched_elsewhere):
            undo_stale_touch(corpus / touched)
    configs = write_configs(shape, corpus)

    stats = count_corpus(shape, corpus)
    for folder, counts in stats.per_sdist.items():
        say(f"corpus {folder}: {counts['lines']:,} lines in {counts['files']:,} Python files")
    say(f"corpus total: {stats.lines:,} lines in {stats.files:,} Python files, {stats.megabytes:.0f} MB ({corpus})")
    versions = tool_versions(ssot, tools)
    say("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    say(f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")

    cases = make_cases(shape, ssot, tools)
    prime_import_linter_cache(cases, corpus, configs)
    samples = run_rounds(cases, corpus, args.rounds, configs)
    summaries = {case.key: summarise(case, samples[case.key]) for case in cases}
    found_ratios = ratios(shape, summaries)
    ssot_peak = max(s.peak_mb for key, s in summaries.items() if not key.startswith(("ruff", "import-linter")))
    stages = {c.key: where_the_time_goes(ssot, corpus, c) for c in shape.configurations}
    findings = {c.key: {**ssot_lint_findings(ssot, corpus, c), **other_findings(samples, c)}
                for c in shape.configurations}

    say()
    say(f"{args.rounds} round(s), wall-clock seconds; peak MB = largest single process (max RSS), "
        "all procs MB = summed PSS of the process tree (sampled)")
    print_table(summaries)
    say()
    say("ratios of medians:")
    print_ratios(found_ratios, ssot_peak)
    say()
    for key, times in stages.items():
        say(f"where a cold check's time goes ({key}, from --verbose): "
            + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in times.items()))
    history = {}
    cold = summaries[f"cold {shape.configurations[0].key}"].median
    if args.history_commits:
        repository = synthetic_history(shape, corpus, configs, args.history_commits)
        history["synthetic"] = time_history(ssot, repository, f"HEAD~{args.history_commits}..HEAD",
                                            shape.configurations[0].ssot_config)
        shutil.rmtree(repository, ignore_errors=True)
    if args.history_releases:
        history["releases"] = time_history(ssot, releases_history(corpus), "HEAD", None)
    for kind, figures in history.items():
        say(f"report --history, {kind}: {figures['commits']} commits in {figures['seconds']:.1f} s, "
            f"{figures['seconds'] / cold:.1f}x one cold check ({shape.configurations[0].key}; target for 100 "
            f"commits: <= 5x), peak {figures['peak_mb']:.0f} MB; {figures['points_with_missing_symbols']} "
            "commits with a symbol not there yet")
    say()
    for key, found in findings.items():
        say(f"{key}: ssot-lint {found['violations']} violations {found['violations_by_code']}; ruff "
            f"{found['ruff_tid251']} TID251; import-linter {found['import_linter_broken_imports']} forbidden "
            f"imports in {found['import_linter_files']} files")

    record = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join([Path(sys.executable).name, "bench/run.py"] + list(argv or sys.argv[1:])),
        "shape": shape.name,
        "rounds": args.rounds,
        "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "versions": versions,
        "corpus": {"sdists": [s.requirement for s in shape.sdists], **asdict(stats)},
        "commands": {case.key: " ".join(case.cmd) for case in cases},
        "results": {key: asdict(summary) for key, summary in summaries.items()},
        "ratios": found_ratios,
        "ssot_lint_peak_mb": ssot_peak,
        "targets": TARGETS,
        "stages": stages,
        "findings": findings,
        "configs": configs,
        "history": history,
    }
    results = BENCH_DIR / f"results-{shape.name}.json"
    results.write_text(json.dumps(record, indent=2) + "\n", "utf-8")
    say(f"\nwrote {results}")


if __name__ == "__main__":
    main()

"""Property: `report --history` reusing a commit's figures gives exactly the figures of a full analysis.

A commit's figures are reused when nothing the analysis read changed (history.py, `_same_analysis`).
Hypothesis draws the random package trees of the resolution property test, a random set of shims,
then a random series of commits, each adding one statement to one module: an inert function, a class,
an alias, an import, a star import, an `__all__`, a `try` ladder, a comment, or putting a module back as
it was. The figures at every commit, with reuse, must equal those of a full analysis at every commit.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ssot_lint.commands.history as history
from helpers import generated_config, write_tree
from test_property_resolution import ALIASES, NAMES, package_trees

_counter = itertools.count()


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


@st.composite
def statements(draw, modules, names=NAMES + ALIASES):
    name, alias, module, other = (draw(st.sampled_from(names)), draw(st.sampled_from(ALIASES + names)),
                                  draw(st.sampled_from(modules)), draw(st.sampled_from(modules)))
    return draw(st.sampled_from([
        f"def added_{alias.lower()}():\n    return 1",
        f"def {name}():\n    return 1",
        f"class {name}:\n    pass",
        f"{alias} = {name}",
        f"from {module} import {name}",
        f"from {module} import {name} as {alias}",
        f"from {module} import *",
        f"import {module} as {alias}",
        f"__all__ = [{name!r}]",
        f"try:\n    from {module} import {name}\nexcept ImportError:\n    {name} = None",
        # whether `A` is bound here depends on whether `module` binds `name`
        f"try:\n    from {module} import {name}\nexcept ImportError:\n    from {other} import A",
        f"from {module} import A",
        f"# {name} from {module}",
        None,  # the module as it was at the start
    ]))


@st.composite
def histories(draw):
    package, files = draw(package_trees())
    modules = sorted(p[:-3].replace("/", ".").replace(".__init__", "") for p in files)
    shims = draw(st.lists(st.sampled_from([m for m in modules if m != f"{package}.m0"] or [package]), unique=True))
    edits = draw(st.lists(st.tuples(st.sampled_from(sorted(files)), statements(modules)), min_size=1, max_size=5))
    return package, files, shims, edits


PASSED_THROUGH = ["helper", "B", "C", "Q"]  # names the consumers read from modules that name nothing tracked


@st.composite
def passed_through_histories(draw):
    """Consumers of the canonical `A` also read other names from `util` and `relay`, which name nothing
    tracked: the analysis reads only some of them (the names looked up, the imports), the case the
    reuse of figures is finest on. The canonical module imports `util`, so `util` also lies on the
    import-cycle check's path."""
    package = f"ssot_hist_{next(_counter)}"
    modules = [f"{package}.{m}" for m in ("util", "relay", "other", "shim", "m0", "c1")]

    def random_lines(count):
        lines = []
        for _ in range(count):
            statement = draw(statements(modules, PASSED_THROUGH))
            if statement is not None:
                lines.append(statement)
        return "".join(line + "\n" for line in lines)

    files = {
        f"{package}/__init__.py": "",
        f"{package}/m0.py": f"from {package}.util import helper\n\n\nclass A:\n    pass\n",
        f"{package}/shim.py": f"from {package}.m0 import A\n",
        f"{package}/other.py": f"import {package}.m0\n",
        f"{package}/util.py": "def helper():\n    return 1\n" + random_lines(draw(st.integers(0, 3))),
        f"{package}/relay.py": random_lines(draw(st.integers(0, 3))),
        f"{package}/c1.py": f"from {package}.shim import A\nimport {package}.util as U\nX = U.B\n"
                            + random_lines(draw(st.integers(0, 3))),
        f"{package}/c2.py": f"from {package}.m0 import A\n" + random_lines(draw(st.integers(0, 3))),
    }
    edited = [f"{package}/{m}.py" for m in ("util", "util", "relay", "relay", "c1", "c2", "other")]
    edits = draw(st.lists(st.tuples(st.sampled_from(edited), statements(modules, PASSED_THROUGH)),
                          min_size=1, max_size=6))
    return package, files, [f"{package}.shim"], edits


# 40 in CI; SSOT_LINT_HISTORY_EXAMPLES=1000 for a long run.
@settings(max_examples=int(os.environ.get("SSOT_LINT_HISTORY_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(histories(), passed_through_histories()))
def test_reused_figures_are_those_of_a_full_analysis(case):
    package, files, shims, edits = case
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        git(root, "init", "-q")
        write_tree(root, files)
        git(root, "add", ".")
        git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "start")
        current = dict(files)
        for index, (relpath, statement) in enumerate(edits):
            current[relpath] = edited(files, current, relpath, statement)
            write_tree(root, {relpath: current[relpath]})
            git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty",
                "-am", f"edit {index}")
        config = generated_config(root, package, shims)
        reused, reused_violations = figures_and_violations(config)
        same_analysis = history._same_analysis
        history._same_analysis = lambda *args: False
        try:
            full, full_violations = figures_and_violations(config)
        finally:
            history._same_analysis = same_analysis
        assert [(p.violations, p.symbols, p.missing) for p in reused] == \
            [(p.violations, p.symbols, p.missing) for p in full]
        # Stronger than the figures: reuse claims that the analysis would read exactly the same, so every
        # violation (its place and message) of the last analysis must be what a full analysis finds.
        assert reused_violations == full_violations


def edited(files, current, relpath: str, statement) -> str:
    """The file's text after an edit: `statement` appended, or (None) the file put back as it was at the start."""
    return files[relpath] if statement is None else current[relpath] + statement + "\n"


def figures_and_violations(config):
    """The history's points, and for each the violations of the analysis its figures came from."""
    per_point, last = [], []
    build_report, point_at = history.build_report, history._point

    def capturing_report(project, violations, *rest, **options):
        last[:] = [[(v.code, v.path, v.line, v.column, v.message) for v in violations]]
        return build_report(project, violations, *rest, **options)

    def capturing_point(*args):
        point, analysed = point_at(*args)
        per_point.append(last[0] if analysed is not None else None)  # None: the canonical is not there yet
        return point, analysed

    history.build_report, history._point = capturing_report, capturing_point
    try:
        points = history.compute_history(config, "HEAD", jobs=1, use_cache=False)
    finally:
        history.build_report, history._point = build_report, point_at
    return points, per_point

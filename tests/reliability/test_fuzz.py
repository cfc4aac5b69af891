"""Fuzzing: real Python files mutated byte by byte and token by token, and generated programs, run
through the whole pipeline in-process (check, then fix in memory): no exception may escape.

60 cases of each kind run in CI; `SSOT_LINT_FUZZ_EXAMPLES=10000` for a long run.
"""

from __future__ import annotations

import io
import os
import tempfile
import tokenize
from pathlib import Path
from typing import List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import FIXTURES_REPO, REPO, make_config, write_tree
from ssot_lint.fixes.loop import run_fix
from ssot_lint.engine.run import run_check
from ssot_lint.rule import EXAMPLE_FILES
from test_property_resolution import package_trees

EXAMPLES = int(os.environ.get("SSOT_LINT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Real code: the fixture repository (the motivating case) and ssot-lint's own modules.
SEEDS = sorted([*FIXTURES_REPO.rglob("*.py"), *(REPO / "ssot_lint").rglob("*.py"), *(REPO / "rules").glob("*.py")])
SEED_BYTES = [path.read_bytes() for path in SEEDS]
TOKENS = ["import", "from", "as", "*", "(", ")", ",", ".", "..", ":", "\n", "    ", "\t", "class", "def", "try:",
          "except ImportError:", "if TYPE_CHECKING:", "global", "=", "EngineFactory", "app.legacy", "'''", '"',
          "\\", "#", "# noqa: SSOT002", "__all__ = [", "@", "lambda", "\x00", "\xff", "\r", "\ufeff"]


def token_spans(data: bytes) -> List[tuple]:
    """(start, end) byte offsets of the file's tokens, as far as the tokenizer gets."""
    lines = data.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    spans = []
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            (srow, scol), (erow, ecol) = token.start, token.end
            if 1 <= srow <= len(lines) and 1 <= erow <= len(lines):
                spans.append((offsets[srow - 1] + scol, offsets[erow - 1] + ecol))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        pass
    return [s for s in spans if s[0] < s[1]] or [(0, len(data))]


@st.composite
def mutated_files(draw):
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "token-insert", "token-delete",
                                     "token-duplicate", "token-swap"]))
        if kind.startswith("token"):
            spans = token_spans(bytes(data))
            start, end = draw(st.sampled_from(spans))
            if kind == "token-insert":
                data[start:start] = draw(st.sampled_from(TOKENS)).encode("utf-8", "surrogatepass") + b" "
            elif kind == "token-delete":
                del data[start:end]
            elif kind == "token-duplicate":
                data[end:end] = data[start:end]
            else:
                other_start, other_end = draw(st.sampled_from(spans))
                if other_start >= end:
                    data[start:other_end] = data[other_start:other_end] + data[end:other_start] + data[start:end]
        else:
            position = draw(st.integers(0, len(data)))
            if kind == "insert":
                data[position:position] = draw(st.binary(min_size=1, max_size=8))
            elif kind == "delete":
                del data[position:position + draw(st.integers(1, 40))]
            else:
                data[position:position] = data[position:position + draw(st.integers(1, 200))]
    return bytes(data)


def run_everything(root: Path, config) -> None:
    """The whole pipeline: a check, then every fix (unsafe too) computed in memory."""
    result = run_check(config, jobs=1)
    assert all(v.line >= 1 and v.column >= 1 for v in result.violations)
    outcome = run_fix(config, jobs=1, unsafe=True, write=False)
    for relpath, (before, after) in outcome.changed.items():
        assert (root / relpath).read_bytes() == before, "a fix computed in memory touched the disk"
        assert after != before


@FUZZ
@given(mutated_files(), st.sampled_from(["app/service.py", "app/legacy.py", "app/factory.py", "app/__init__.py"]))
def test_a_mutated_real_file_never_crashes_the_pipeline(data, where):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, {**EXAMPLE_FILES, "app/service.py": "from app.legacy import EngineFactory\n"})
        (root / where).write_bytes(data)
        try:
            config = make_config(root)
        except Exception as exc:  # pragma: no cover - the config is fixed; this would be a test bug
            raise AssertionError(exc)
        try:
            run_everything(root, config)
        except Exception as exc:
            if type(exc).__name__ == "ConfigError" and where in ("app/factory.py", "app/__init__.py"):
                assert "tool.ssot-lint.canonical" in str(exc)  # the canonical itself was broken: one clear line
                return
            raise


@FUZZ
@given(package_trees(), st.data())
def test_a_generated_program_never_crashes_the_pipeline(tree, data):
    package, files = tree
    modules = sorted(p[:-3].replace("/", ".").replace(".__init__", "") for p in files)
    shims = data.draw(st.lists(st.sampled_from([m for m in modules if m != f"{package}.m0"] or [package]),
                               unique=True, max_size=3))
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, files)
        config = make_config(root, {"canonical": [{"symbol": f"{package}.m0:A", "shims": shims,
                                                   "lookalikes": ["*A", "X*"]}], "respect-gitignore": False})
        run_everything(root, config)

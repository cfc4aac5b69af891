"""Bad graphs: alias chains thousands long, long import chains, star-import cycles, self-imports and
relative imports beyond the top package end in a report, never a recursion error or an endless loop."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import write_tree

CHAIN = 3000


def check_json(root, files) -> subprocess.CompletedProcess:
    """`ssot-lint check --output-format json` on a project of these files, in a fresh process."""
    write_tree(root, files)
    return subprocess.run([sys.executable, "-m", "ssot_lint", "check", "--no-cache", "--output-format", "json"],
                          cwd=root, capture_output=True, text=True, timeout=300)


def test_thousands_long_chains_and_cycles(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/base.py": "class Target:\n    pass\n",
        # an alias of an alias ... 3000 deep, read first by a module sorted before it
        "pkg/chain.py": "from pkg.base import Target as A0\n" + "".join(f"A{i} = A{i - 1}\n" for i in range(1, CHAIN)),
        "a_first.py": f"from pkg.chain import A{CHAIN - 1}\n",
        # star imports in a cycle, a module importing itself, dots beyond the top package
        "pkg/s1.py": "from pkg.s2 import *\n",
        "pkg/s2.py": "from pkg.s1 import *\nfrom pkg.base import Target\n",
        "pkg/selfish.py": "from pkg.selfish import Target\nimport pkg.selfish\nfrom .... import Target as Gone\n",
        "b_user.py": "from pkg.s1 import Target\nfrom pkg.selfish import Target as T2\n",
        "ssot-lint.toml": '[[canonical]]\nsymbol = "pkg.base:Target"\n',
    }
    for index in range(300):  # a chain of 300 modules, each re-exporting the one before
        files[f"pkg/m{index}.py"] = f"from pkg.{'base' if index == 0 else f'm{index - 1}'} import Target\n"
    files["c_user.py"] = "from pkg.m299 import Target\n"
    run = check_json(tmp_path, files)
    assert run.returncode == 1, run.stderr
    assert "internal error" not in run.stderr
    found = {(v["filename"], v["code"]) for v in json.loads(run.stdout)}
    assert ("a_first.py", "SSOT002") in found  # A2999 is the canonical, through pkg.chain
    assert ("b_user.py", "SSOT002") in found  # through the star-import cycle
    assert ("c_user.py", "SSOT002") in found  # through 300 modules
    chain_message = next(v["message"] for v in json.loads(run.stdout) if v["filename"] == "c_user.py")
    assert "more modules" in chain_message and len(chain_message) < 300  # a long chain is elided


def test_one_module_reachable_under_two_names(tmp_path):
    """With `src = [".", "pkg"]`, pkg/base.py is both `pkg.base` and `base` (Python loads it twice). ssot-lint
    names each file once (from its innermost root) and finishes, whichever name the code uses."""
    files = {
        "pkg/__init__.py": "from pkg.base import Target\n",
        "pkg/base.py": "class Target:\n    pass\n",
        "pkg/twice.py": "from base import Target\nfrom pkg.base import Target as Again\nimport base, pkg.base\n",
        "user.py": "from pkg import Target\nfrom base import Target as T2\nfrom twice import Again\n",
        "ssot-lint.toml": 'src = [".", "pkg"]\n[[canonical]]\nsymbol = "base:Target"\n',
    }
    run = check_json(tmp_path, files)
    assert run.returncode in (0, 1) and run.stderr == "", run.stderr
    found = {(v["filename"], v["location"]["row"], v["code"]) for v in json.loads(run.stdout)}
    # Only `base.Target` is the canonical: `pkg.base.Target` is another class object at runtime too (the
    # file is loaded once per name), so reads through `pkg` are not paths to the canonical.
    assert found == {("user.py", 2, "SSOT005")}

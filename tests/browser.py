"""A real browser for the report's page: Debian's `chromium`, headless, driven by its own flags.

`measure` loads a copy of the page with `browser_measure.js` appended and reads back, with `--dump-dom`,
what that script measured; `screenshot` keeps a PNG of the whole page in `ARTIFACTS` (git-ignored; the
test session lists what it wrote). Without chromium the tests fail, saying how to get it: `.ci/run`
installs it where it is missing.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"
MEASURE = Path(__file__).with_name("browser_measure.js")
WRITTEN: List[Path] = []  # the screenshots of this session, listed in its summary (conftest.py)
# Errors are collected from the first script on, so that one thrown by the page's own scripts is seen.
ERRORS = ("<script>window.__ssotErrors = []; window.addEventListener('error', function (e) "
          "{ window.__ssotErrors.push(String(e.message)); });</script>")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: the report's browser tests need it (.ci/run installs it; by "
                    "hand: apt-get install -y --no-install-recommends chromium)", pytrace=False)
    return found


def _run(*args: str, timeout: float = 60) -> str:
    with tempfile.TemporaryDirectory() as profile:  # a fresh profile: nothing of a previous run is reused
        run = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                              "--no-first-run", "--disable-extensions", "--force-device-scale-factor=1",
                              f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, f"chromium failed: {run.stderr[-2000:]}"
    return run.stdout


def measure(page: str, folder: Path, width: int = 1280, height: int = 900) -> dict:
    """What `browser_measure.js` found in the page, shown in a window `width` pixels wide."""
    copy = folder / f"measured-{width}.html"
    script = MEASURE.read_text(encoding="utf-8")
    copy.write_text(page.replace("<head>", "<head>" + ERRORS, 1).replace("</body>", f"<script>{script}</script></body>"),
                    encoding="utf-8")
    dom = _run("--virtual-time-budget=5000", f"--window-size={width},{height}", "--dump-dom", copy.as_uri())
    found = re.findall(r'<pre id="ssot-measured">(.*?)</pre>', dom, re.DOTALL)  # the last: the script names it too
    assert found, f"the measuring script did not run: {dom[-2000:]}"
    return json.loads(html.unescape(found[-1]))


def screenshot(page: Path, name: str, width: int, height: int) -> Path:
    """A PNG of the page `width` x `height` pixels (the page's own height shows all of it), kept as an artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / name
    _run(f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri())
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"no screenshot at {out}"
    WRITTEN.append(out)
    return out

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_terminal_summary(terminalreporter):
    """Where the browser tests left their screenshots (tests/browser.py)."""
    from browser import WRITTEN

    if WRITTEN:
        terminalreporter.write_line("report screenshots: " + ", ".join(str(path) for path in WRITTEN))

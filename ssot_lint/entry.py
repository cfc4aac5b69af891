"""The `ssot-lint` command (and `python -m ssot_lint`): `check` is first offered to a running
`ssot-lint server` for the project (commands/check_client.py), before the command line is loaded (typer and
the engine: 0.1 s of imports, most of what such a check takes); every other command, a check with
`--no-server` or SSOT_LINT_NO_SERVER set, and a check no server can answer, go to the command line."""

from __future__ import annotations

import os
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["check"] and not os.environ.get("SSOT_LINT_NO_SERVER"):
        from ssot_lint.commands.check_client import served

        code = served(args[1:])
        if code is not None:
            sys.exit(code)
    from ssot_lint.cli import main as command_line

    command_line(argv)

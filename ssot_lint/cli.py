"""The `ssot-lint` command line (typer). Exit codes: 0 clean, 1 violations, 2 usage or config error
(one line on stderr per problem, never a traceback)."""

from __future__ import annotations

import enum
import functools
import os
import sys
import threading
from pathlib import Path
from typing import List, Optional

import typer

from ssot_lint import __version__
from ssot_lint.atomic import WRITE_LOCK, write_atomically
from ssot_lint.commands.baseline import DEFAULT_BASELINE, load_baseline
from ssot_lint.commands.check_output import (
    EXIT_CLEAN, EXIT_ERROR, EXIT_VIOLATIONS, OutputFormat, apply_baseline, exit_code, known_line, render,
)
from ssot_lint.config import ConfigError, load_project_config
from ssot_lint.engine.run import analyse, run_check, under
from ssot_lint.parallel import allow_deep_recursion
from ssot_lint.commands.output import finish, fix_summary, progress_bar, run_summary
from ssot_lint.rules import all_rules
from ssot_lint.runtime.session import DEFAULT_TIMEOUT

# What only some commands use is imported in them: `check`, in a pre-commit hook on every commit,
# should not pay for importing the fixer, the history, the report and the graph renderers.

app = typer.Typer(
    name="ssot-lint",
    help="Keep a Python codebase to one source of truth for its canonical classes and functions.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Help texts are plain text: as rich markup (typer's default when rich is installed), `[tool.ssot-lint]` vanished.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


# What `graph --format` and `report --format` accept (`check --output-format`: check_output.OutputFormat).
class GraphFormat(str, enum.Enum):
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


class ReportFormat(str, enum.Enum):
    terminal = "terminal"
    markdown = "markdown"
    json = "json"
    html = "html"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ssot-lint {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Keep a Python codebase to one source of truth for its canonical classes and functions."""


def _split(values: Optional[List[str]]) -> List[str]:
    return [part.strip().upper() for value in values or [] for part in value.split(",") if part.strip()]


def _existing(paths: Optional[List[Path]]) -> List[Path]:
    missing = [f"{path}: no such file or folder" for path in paths or [] if not path.exists()]
    if missing:
        raise ConfigError(*missing)
    return list(paths or [])


# The options several commands share, spelt once.
def _config_option():
    return typer.Option(None, "--config", help="The config file (default: found upward).")


def _no_cache_option():
    return typer.Option(False, "--no-cache", help="Neither read nor write .ssot_lint_cache/.")


@app.command()
def check(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Files or folders to report on (default: the whole project). The whole project is "
                   "always analysed, so a file passed alone is still resolved against every other."),
    config: Optional[Path] = _config_option(),
    output_format: OutputFormat = typer.Option(OutputFormat.concise, "--output-format", case_sensitive=False,
                                               help="How to print violations."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Rule codes or prefixes to run "
                                                                      "(comma-separated; default ALL)."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Rule codes or prefixes to skip."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are violations."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Processes for parsing (default: all cores)."),
    no_cache: bool = _no_cache_option(),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Report only violations not recorded in "
                                                                     "this baseline (see `ssot-lint baseline`)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the violations and nothing else."),
    verbose: bool = typer.Option(False, "--verbose", "-v",
                                 help="Also say what was read, parsed and taken from the cache (on stderr)."),
    fix: bool = typer.Option(False, "--fix", help="Apply the safe fixes, then report what is left."),
    unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes", help="Also apply (with --fix) or show (with "
                                                                     "--diff) the fixes that may change behaviour."),
    diff: bool = typer.Option(False, "--diff", help="Print the fixes as a unified diff instead of writing them; "
                                                    "exit 1 if there are any."),
    no_server: bool = typer.Option(False, "--no-server",
                                   help="Analyse in this process even when an `ssot-lint server` for the project "
                                        "is running (also SSOT_LINT_NO_SERVER=1). By default a running server "
                                        "answers, from the files on disk: the same output, at once."),
) -> None:
    """Lint the project: report every path that bypasses a canonical symbol.

    When an `ssot-lint server` (an editor's) is running for the project, with the same version and
    configuration, it answers from the analysis it keeps in memory, for the files as they are on disk (not
    the editor's unsaved text); --verbose says which way the check went. --fix, --diff, --no-cache,
    --select and --ignore always analyse in this process.
    """
    paths = _existing(paths)
    if fix and diff:
        raise ConfigError("--fix and --diff cannot be used together: --diff shows the fixes without writing them")
    if quiet and verbose:
        raise ConfigError("--quiet and --verbose cannot be used together")
    settings = load_project_config(config, paths)
    progress = None if quiet else progress_bar(sys.stderr)
    outcome = None
    if fix or diff:
        from ssot_lint.fixes.loop import run_fix

        outcome = run_fix(settings, paths=paths, select=_split(select), ignore=_split(ignore), jobs=jobs,
                          use_cache=not no_cache, unsafe=unsafe_fixes, write=fix, progress=progress)
        result = outcome.result
    else:
        result = run_check(settings, paths=paths, select=_split(select), ignore=_split(ignore), jobs=jobs,
                           use_cache=not no_cache, progress=progress)
    finish(progress)
    if diff:
        from ssot_lint.fixes.loop import unified_diff

        assert outcome is not None
        sys.stdout.write(unified_diff(settings.root, outcome.changed))
        if not quiet:
            typer.echo(fix_summary(outcome, would=True), err=True)
        raise typer.Exit(EXIT_VIOLATIONS if outcome.changed and not exit_zero else EXIT_CLEAN)
    # From here on, the same as a check answered by a running server (check_client.py): check_output.py.
    result, known = apply_baseline(result, baseline)
    sys.stdout.write(render(output_format, result, settings.root, quiet, unsafe_fixes))
    if outcome is not None and not quiet:
        typer.echo(fix_summary(outcome, would=False), err=output_format not in (OutputFormat.concise,
                                                                                 OutputFormat.text))
    line = known_line(known, baseline, output_format, quiet)
    if line is not None:
        typer.echo(line)
    if verbose:
        typer.echo(run_summary(result, settings), err=True)
    raise typer.Exit(exit_code(result, exit_zero))


@app.command()
def graph(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Count only the importers in these files or folders (default: the whole project). The "
                   "whole project is always analysed."),
    output_format: GraphFormat = typer.Option(GraphFormat.mermaid, "--format", case_sensitive=False,
                                              help="mermaid (renders on GitHub), dot (Graphviz) or json."),
    symbol: Optional[str] = typer.Option(None, "--symbol", help="One canonical symbol, 'module:Name' "
                                                               "(default: all of them)."),
    config: Optional[Path] = _config_option(),
    no_cache: bool = _no_cache_option(),
) -> None:
    """The shim graph: which modules hand each canonical symbol on, and how many import it there."""
    from ssot_lint.commands.graph import render_dot, render_json as render_graph_json, render_mermaid, shim_graphs

    paths = _existing(paths)
    graphs = shim_graphs(load_project_config(config, paths), symbol, paths, use_cache=not no_cache)
    render = {GraphFormat.mermaid: render_mermaid, GraphFormat.dot: render_dot,
              GraphFormat.json: render_graph_json}[output_format]
    sys.stdout.write(render(graphs))


@app.command()
def report(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Count only the import sites and violations in these files or folders (default: the whole "
                   "project). The whole project is always analysed."),
    output_format: Optional[ReportFormat] = typer.Option(None, "--format", case_sensitive=False,
                                                         help="terminal (the default on a terminal), markdown "
                                                              "(the default otherwise), json or html."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="Also count what was fixed and what is "
                                                                     "new since this baseline."),
    history: Optional[str] = typer.Option(None, "--history", help="Also the figures at each commit of this git "
                                                                  "range (e.g. main~50..main), from git objects."),
    every: int = typer.Option(1, "--every", min=1, help="With --history, every Nth commit (and the last)."),
    link_prefix: Optional[str] = typer.Option(
        None, "--link-prefix", help="Link the files left to do, at their lines, in markdown and html: the URL a "
                                    "file's path (relative to the project root) is appended to, e.g. "
                                    "https://github.com/ORG/REPO/blob/COMMIT/ (lines as #L12)."),
    config: Optional[Path] = _config_option(),
    no_cache: bool = _no_cache_option(),
) -> None:
    """Where the migration stands, per canonical symbol: direct vs through each shim, and what is left."""
    from ssot_lint.commands.report import build_report, report_json
    from ssot_lint.commands.report_html import report_html
    from ssot_lint.commands.report_text import report_markdown, report_terminal

    if every != 1 and history is None:
        raise ConfigError("--every goes with --history (every Nth commit of the range)")
    paths = _existing(paths)
    settings = load_project_config(config, paths)
    known = load_baseline(baseline) if baseline is not None else None
    covered = under(settings, paths)
    if history is None:
        project, violations = analyse(settings, use_cache=not no_cache, progress=progress_bar(sys.stderr))
        figures = build_report(project, violations, known, covered=covered)
    else:
        from ssot_lint.commands.history import report_with_history

        figures = report_with_history(settings, history, every, known, covered, use_cache=not no_cache,
                                      progress_bar=functools.partial(progress_bar, sys.stderr),
                                      notify=lambda message: typer.echo(message, err=True))
    chosen = output_format or (ReportFormat.terminal if sys.stdout.isatty() and output is None
                               else ReportFormat.markdown)
    text = {ReportFormat.terminal: report_terminal, ReportFormat.json: report_json,
            ReportFormat.markdown: functools.partial(report_markdown, link_prefix=link_prefix),
            ReportFormat.html: functools.partial(report_html, link_prefix=link_prefix)}[chosen](figures)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomically(output, text.encode("utf-8"))


@app.command()
def verify(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Report only on these files or folders (default: the whole project)."),
    config: Optional[Path] = _config_option(),
    python: Optional[str] = typer.Option(None, "--python", help="The interpreter to import the project with "
                                                                "(default: $VIRTUAL_ENV's, else .venv or venv "
                                                                "in the project, else ssot-lint's own)."),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", min=0.1,
                                  help="Seconds each module may take to import."),
    output_format: OutputFormat = typer.Option(OutputFormat.concise, "--output-format", case_sensitive=False,
                                               help="How to print violations."),
    select: Optional[List[str]] = typer.Option(None, "--select", help="Rule codes or prefixes to run."),
    ignore: Optional[List[str]] = typer.Option(None, "--ignore", help="Rule codes or prefixes to skip."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when there are violations."),
    no_cache: bool = _no_cache_option(),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print the violations and nothing else."),
) -> None:
    """Check the static claims about the tracked names against a real import (runs the project's code).

    In a subprocess of the project's interpreter, each module where the analysis made a claim about a
    tracked name is imported (with a time limit per module) and the names compared with the canonical
    objects with `is`: SSOT201 a name claimed to be the canonical that is not, SSOT202 one claimed not to be
    it that is, SSOT203 what a name handed out at runtime (SSOT011) turned out to be, SSOT204 a module that
    failed to import (the rest is still verified). Exit 1 on any.
    """
    from ssot_lint.commands.verify import render_verification
    from ssot_lint.engine.verify import verify as run_verify

    paths = _existing(paths)
    settings = load_project_config(config, paths)
    violations, verification = run_verify(settings, python=python, timeout=timeout, select=_split(select),
                                          ignore=_split(ignore), paths=paths, use_cache=not no_cache)
    sys.stdout.write(render_verification(output_format, violations, verification, settings.root, quiet))
    raise typer.Exit(EXIT_VIOLATIONS if violations and not exit_zero else EXIT_CLEAN)


@app.command("baseline")
def write_baseline(
    paths: Optional[List[Path]] = typer.Argument(
        None, help="Record only the violations in these files or folders (default: the whole project); with "
                   "--update, the entries of other files are kept as they are."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help=f"The baseline file (default: {DEFAULT_BASELINE} at the project root)."),
    update: bool = typer.Option(False, "--update", help="Drop the entries that were fixed; add no new ones."),
    force: bool = typer.Option(False, "--force", help="With --update, also add the new violations; without, "
                                                      "overwrite an existing baseline."),
    config: Optional[Path] = _config_option(),
) -> None:
    """Record today's violations, so that `check --baseline` fails only on new ones."""
    from ssot_lint.commands.baseline import record_baseline

    paths = _existing(paths)
    settings = load_project_config(config, paths)
    typer.echo(record_baseline(settings, paths, output, update, force, progress=progress_bar(sys.stderr)))


@app.command()
def init(
    discover: bool = typer.Option(False, "--discover", help="Propose canonical symbols, each with its shims, from "
                                                            "the code: deprecated modules, modules that only hand "
                                                            "on what others define, import fallbacks."),
    print_only: bool = typer.Option(False, "--print", help="Print the configuration instead of writing it."),
    limit: int = typer.Option(5, "--limit", min=1, metavar="N",
                              help="With --discover: propose at most N canonical symbols, the best-supported "
                                   "first."),
) -> None:
    """Write a starter [tool.ssot-lint] into ./pyproject.toml (or ./ssot-lint.toml when there is none)."""
    from ssot_lint.commands.init import discovered, refuse_if_configured, target_in, write_config
    from ssot_lint.commands.init_toml import starter

    folder = Path.cwd()
    target = target_in(folder)
    if not print_only:
        refuse_if_configured(folder)
    if discover:
        reading, parsing = progress_bar(sys.stderr, "reading"), progress_bar(sys.stderr, "parsing")
        text = discovered(folder, target.section, limit, progress=reading, parse_progress=parsing)
        finish(reading, parsing)
    else:
        text = starter(target.section)
    if print_only:
        sys.stdout.write(text)
        return
    write_config(target, text)
    typer.echo(f"wrote the ssot-lint configuration to {target.path}; check it with `ssot-lint check`", err=True)


@app.command()
def server(
    config: Optional[Path] = typer.Option(None, "--config", help="The config file (default: the nearest one at "
                                                                 "or above the workspace folder, else above the "
                                                                 "first file opened)."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1,
                                       help="Processes for parsing (default: all cores)."),
    no_cache: bool = _no_cache_option(),
    stdio: bool = typer.Option(False, "--stdio", show_default=False,
                               help="Talk LSP over stdin and stdout: the only transport, and the default "
                                    "(accepted because some clients pass it)."),
) -> None:
    """Run a language server (LSP over stdio) for editors.

    It keeps the analysis in memory and shows what `ssot-lint check` finds as you type: diagnostics on every
    open file (on open, change and save, with the chain's modules as related locations and the rule's
    documentation on hover), each fixable violation's fix as a quick fix (unsafe ones marked), and "Fix all
    safe ssot-lint violations in this file" (kind source.fixAll.ssot-lint). Files changed outside the
    editor are picked up when the client reports them (it is asked to watch **/*.py and the config files).
    The configuration is read as `check` reads it, again whenever it changes; an error in it is shown on
    the config file.
    """
    if config is not None and not config.is_file():
        raise ConfigError(f"{config}: no such config file")
    from ssot_lint.commands.server import serve  # pygls is imported by this command only

    serve(config, jobs=jobs, use_cache=not no_cache)


@app.command("rules")
def list_rules() -> None:
    """List every rule: code, name, summary."""
    rules = all_rules()
    width = max(len(r.name) for r in rules)
    typer.echo(f"{'code':<7}  {'name':<{width}}  {'severity':<8}  {'fix':<6}  summary")
    for rule in rules:
        fix = rule.fixable.value if rule.fixable else "-"
        typer.echo(f"{rule.code:<7}  {rule.name:<{width}}  {rule.severity.value:<8}  {fix:<6}  {rule.summary}")


@app.command()
def explain(code: str = typer.Argument(..., help="A rule code, like SSOT002, or a rule name.")) -> None:
    """Show a rule's documentation."""
    wanted = code.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            typer.echo(f"# {rule.name} ({rule.code})\n")
            typer.echo(f"{rule.summary}.\n")
            typer.echo(rule.documentation())
            return
    raise ConfigError(f"unknown rule {code!r} (see `ssot-lint rules`)")


def main(argv: Optional[List[str]] = None) -> None:
    """Entry point: every error is one line on stderr, never a traceback."""
    outcome: List[int] = []
    allow_deep_recursion()  # the command runs in a thread with a deep stack (and so do the server's)
    worker = threading.Thread(target=lambda: outcome.append(_run(argv)), name="ssot-lint", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)  # in slices, so that Ctrl-C reaches this thread at once
    except KeyboardInterrupt:
        with WRITE_LOCK:  # a file being written is finished first; no other is started
            multiprocessing = sys.modules.get("multiprocessing")  # (not imported: no worker was started)
            for child in multiprocessing.active_children() if multiprocessing else ():
                child.terminate()  # parsing workers would wait for work forever
            typer.echo("ssot-lint: interrupted", err=True)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
    sys.exit(outcome[0] if outcome else EXIT_ERROR)


def _run(argv: Optional[List[str]]) -> int:
    try:
        code = app(args=argv, prog_name="ssot-lint", standalone_mode=False)
    except ConfigError as exc:
        for problem in exc.problems:
            typer.echo(f"ssot-lint: error: {problem}", err=True)
        code = EXIT_ERROR
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("ssot-lint: interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = EXIT_ERROR
    except OSError as exc:
        typer.echo(f"ssot-lint: error: {exc}", err=True)
        code = EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the last guard: one line, never a traceback
        code = _usage_error(exc)
    return code or EXIT_CLEAN


def _usage_error(exc: Exception) -> int:
    """Click's usage errors (vendored by newer typer, so matched by shape), else an internal error."""
    if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
        typer.echo(f"ssot-lint: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
                   "(please report it with the command that caused it)", err=True)
        return EXIT_ERROR
    context = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and context is not None:
        typer.echo(context.get_help())
        return EXIT_CLEAN
    hint = f" (see `{context.command_path} --help`)" if context is not None else ""
    typer.echo(f"ssot-lint: error: {_one_line(exc.format_message())}{hint}", err=True)
    return EXIT_ERROR


def _one_line(text: str) -> str:
    return " ".join(text.split())

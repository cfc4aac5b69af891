"""The README documents every rule, command and output format that exists."""

from __future__ import annotations

from helpers import REPO
from ssot_lint.cli import GraphFormat, OutputFormat, app
from ssot_lint.rules import all_rules

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_rule_is_in_the_readme():
    for rule in all_rules():
        assert f"| {rule.code} | {rule.name} |" in README, rule.code


def test_every_command_and_format_is_in_the_readme():
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"ssot-lint {name}" in README, name
    for output_format in OutputFormat:
        assert f"`{output_format.value}`" in README, output_format
    for graph_format in GraphFormat:
        assert graph_format.value in README, graph_format

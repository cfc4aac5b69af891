"""The README documents every rule, command and output format that exists."""

from __future__ import annotations

from helpers import REPO
from ssot_lint import pytest_plugin
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


def test_the_pytest_plugin_options_are_in_the_readme():
    names = []

    class Recorder:  # what pytest_addoption is given, keeping only the names
        def getgroup(self, name):
            return self

        def addoption(self, *flags, **settings):
            names.extend(flags)

        def addini(self, name, *args, **settings):
            names.append(name)

    pytest_plugin.pytest_addoption(Recorder())
    assert names == ["--ssot-lint", "--ssot-lint-verify", "--ssot-lint-baseline", "ssot_lint_baseline"]
    for name in names:
        assert f"`{name}" in README or f"{name} =" in README, name

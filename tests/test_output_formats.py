"""Every --output-format, read back: SARIF 2.1.0, GitHub workflow commands, JUnit XML, JSON lines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from helpers import FIXTURES_REPO, check_tree
from ssot_lint.config import load_config
from ssot_lint.engine.run import run_check
from ssot_lint.commands.output import (
    display_path, render_github, render_json_lines, render_junit, render_sarif, violation_json,
)
from ssot_lint.rule import EXAMPLE_FILES
from ssot_lint.rules import all_rules


@pytest.fixture(scope="module")
def result():
    return run_check(load_config(FIXTURES_REPO / "pyproject.toml"), jobs=1)


def test_sarif_has_the_version_the_rules_and_located_results(result):
    sarif = json.loads(render_sarif(result.violations, FIXTURES_REPO, all_rules()))
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    run, = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.code for rule in all_rules()]
    for rule, described in zip(all_rules(), rules):
        assert described["shortDescription"]["text"] == rule.summary
        assert described["fullDescription"]["text"] == rule.section("What it does") != ""
        assert "## How to fix" in described["help"]["markdown"]
    assert len(run["results"]) == len(result.violations)
    for violation, found in zip(result.violations, run["results"]):
        assert rules[found["ruleIndex"]]["id"] == found["ruleId"] == violation.code
        region = found["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (violation.line, violation.column)
        uri = found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == display_path(FIXTURES_REPO, violation.path) and "\\" not in uri
        assert found["partialFingerprints"]["ssotLintFingerprint/v1"] == violation.fingerprint


def _unescape(text: str) -> str:
    for code, char in (("%3A", ":"), ("%2C", ","), ("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(code, char)
    return text


def test_github_annotations_parse_back_to_the_violations(result):
    lines = render_github(result.violations, FIXTURES_REPO).splitlines()
    assert len(lines) == len(result.violations)
    for violation, line in zip(result.violations, lines):
        match = re.fullmatch(r"::(error|warning) ([^:]*)::(.*)", line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match.group(2).split(","))
        assert _unescape(properties["file"]) == display_path(FIXTURES_REPO, violation.path)
        assert (int(properties["line"]), int(properties["col"])) == (violation.line, violation.column)
        assert _unescape(properties["title"]) == f"{violation.code} ({violation.rule})"
        assert _unescape(match.group(3)) == f"{violation.code} {violation.message}"


def test_github_escapes_what_would_break_a_command():
    from dataclasses import replace

    violation = replace(run_check(load_config(FIXTURES_REPO / "pyproject.toml"), jobs=1).violations[0],
                        message="50% done\nnext: a, b")
    line, = render_github([violation], FIXTURES_REPO).splitlines()
    assert line.endswith("::" + f"{violation.code} 50%25 done%0Anext: a, b")


def test_junit_has_a_failure_per_violation(result):
    tree = ElementTree.fromstring(render_junit(result.violations, FIXTURES_REPO, result.files_analysed))
    failures = tree.findall(".//failure")
    assert len(failures) == len(result.violations) == int(tree.get("failures"))
    assert [f.get("type") for f in failures] == [v.code for v in result.violations]
    assert {s.get("name") for s in tree.findall("testsuite")} == \
        {display_path(FIXTURES_REPO, v.path) for v in result.violations}


def test_junit_of_a_clean_project_is_one_passing_case(tmp_path):
    clean = check_tree(tmp_path, EXAMPLE_FILES)
    tree = ElementTree.fromstring(render_junit(clean.violations, tmp_path, clean.files_analysed))
    assert tree.get("failures") == "0" and len(tree.findall(".//testcase")) == 1 and not tree.findall(".//failure")


def test_json_lines_is_one_object_per_violation(result):
    lines = render_json_lines(result.violations).splitlines()
    assert [json.loads(line) for line in lines] == [violation_json(v) for v in result.violations]


@pytest.mark.parametrize("output_format", ["concise", "text", "json", "json-lines", "github", "sarif", "junit"])
def test_every_format_from_the_command_line(output_format):
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "check", "--no-cache", "--output-format", output_format,
                          str(FIXTURES_REPO)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and run.stderr == "" and run.stdout
    if output_format in ("concise", "text"):
        assert run.stdout.splitlines()[-2].startswith("Found 60 violations")
        assert run.stdout.splitlines()[-1].startswith("[*] 13 fixable with `--fix`")


def test_quiet_prints_the_violations_only():
    run = subprocess.run([sys.executable, "-m", "ssot_lint", "check", "--no-cache", "-q", str(FIXTURES_REPO)],
                         capture_output=True, text=True, timeout=120)
    lines = run.stdout.splitlines()
    assert len(lines) == 60 and all(re.match(r"\S+:\d+:\d+: SSOT\d{3} ", line) for line in lines)

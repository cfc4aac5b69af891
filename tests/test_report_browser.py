"""The HTML report as a person sees it: rendered by headless Chromium, measured, and kept as screenshots.

Two pages: fixtures_repo's report, and the `report --history` of a generated repository whose share of
direct imports falls while its violations rise (report_story.py). In each, at a wide and a narrow
window: no text leaves its box or the page, every table has a header, the shim graph's labels are in
their boxes and no boxes overlap, and the graph counts what the table counts; in the history page, the
charts are drawn inside the page with titled axes, the commits' dates along the bottom and, on hover,
the values of the commit. The screenshots are in tests/artifacts/ (listed at the end of the session).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import measure, screenshot
from helpers import FIXTURES_REPO, REPO, ssot
from report_story import STORY, SYMBOL, story_repository
from ssot_lint.commands.baseline import Baseline, entry
from ssot_lint.commands.report import build_report
from ssot_lint.commands.report_html import report_html
from ssot_lint.config import load_config
from ssot_lint.engine.run import analyse

WIDE, NARROW = 1280, 600
LINKS = "https://github.com/example/project/blob/0123abc/"


def assert_readable(measured: dict, width: int) -> None:
    """What a reader would be annoyed by, at any page."""
    assert measured["errors"] == []
    assert measured["viewport"][0] == width and measured["page_width"] <= width, "the page scrolls sideways"
    assert measured["texts"] > 50
    assert measured["overflows"] == [], "text leaves its box"
    assert measured["outside"] == [], "text leaves the page"
    for table in measured["tables"]:
        assert table["header"] and all(table["header"]), f"{table['table']} has an empty header cell"
        assert table["rows"], f"{table['table']} has no row"
    for graph in measured["graphs"]:
        assert graph["problems"] == []


def assert_graph_counts_what_the_table_counts(measured: dict) -> None:
    """Each box of the shim graph says the count of the table's row of its module (a wrapper, not the
    symbol, counts its importers and has no row)."""
    tables = [t for t in measured["tables"] if t["table"] == "table.sites"]
    assert len(tables) == len(measured["graphs"]) > 0
    for graph, table in zip(measured["graphs"], tables):
        rows = {row["module"]: int(row["cells"][1]) for row in table["rows"]}
        for node in graph["nodes"]:
            count = node["lines"][-1]
            if count.startswith("wrapper"):
                assert "imported by" in count and node["module"] not in rows
                continue
            sites = int(re.search(r"(\d+) import sites?", count).group(1))
            assert sites == rows.get(node["module"], 0), (node, rows)
        assert {m for m, c in rows.items() if c} <= {n["module"] for n in graph["nodes"]}


@pytest.fixture(scope="module")
def fixtures_page(tmp_path_factory) -> Path:
    """fixtures_repo's report against a baseline that lacks one of its violations and has one fixed since."""
    project, violations = analyse(load_config(FIXTURES_REPO / "pyproject.toml"), jobs=1)
    recorded = Baseline({e["fingerprint"]: e for e in map(entry, violations[1:])})
    recorded.entries["0" * 16] = {"fingerprint": "0" * 16}
    page = tmp_path_factory.mktemp("fixtures") / "report.html"
    page.write_text(report_html(build_report(project, violations, recorded), link_prefix=LINKS), encoding="utf-8")
    return page


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_the_fixtures_repo_report_reads_well(fixtures_page, width, tmp_path):
    measured = measure(fixtures_page.read_text(encoding="utf-8"), tmp_path, width)
    assert_readable(measured, width)
    assert len(measured["graphs"]) == 2 and measured["charts"] == []  # no history: no chart
    assert_graph_counts_what_the_table_counts(measured)
    factory = next(g for g in measured["graphs"] if g["label"].endswith(":ExecutionEngineFactory"))
    compat = next(n for n in factory["nodes"] if n["module"] == "netra_backend.app.agents.engine_compat")
    assert compat["lines"] == ["netra_backend.app.agents.", "engine_compat", "dynamic · 1 import site, at runtime"]
    files = next(t for t in measured["tables"] if t["table"] == "table.files")
    assert files["header"] == ["file", "violations", "lines"]
    assert files["rows"][0]["cells"] == ["tests/legacy/test_old_paths.py", "5", "6 11 12 24 28"]
    if width == WIDE:
        screenshot(fixtures_page, "report-fixtures_repo.png", width, measured["page_height"])


@pytest.fixture(scope="module")
def history_page(tmp_path_factory) -> Path:
    """`report --history --format html` of the generated repository, as a user runs it."""
    folder = story_repository(tmp_path_factory.mktemp("story"))
    run = ssot(folder, "report", "--no-cache", "--history", "HEAD", "--format", "html", "--output", "report.html",
               "--link-prefix", LINKS)
    assert run.returncode == 0, run.stderr
    return folder / "report.html"


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_the_history_report_draws_its_charts(history_page, width, tmp_path):
    page = history_page.read_text(encoding="utf-8")
    assert len(page.encode()) < 400_000  # Chart.js is 205 KB of it
    measured = measure(page, tmp_path, width)
    assert_readable(measured, width)
    assert_graph_counts_what_the_table_counts(measured)
    charts = {chart["kind"]: chart for chart in measured["charts"]}
    assert set(charts) == {"trend", "split", "rules"}
    dates = ["05-27", "05-28", "05-30", "06-01", "06-02", "06-04", "06-06", "06-08", "06-09"]
    for chart in charts.values():
        assert chart["drawn"] and chart["inside_page"] and chart["inside_figure"], chart
        assert chart["inked"] > 0.02, "nothing is drawn on the canvas"
        assert chart["x_title"] == "commit date" and chart["y_title"]
        assert chart["x_ticks"][0] == dates[0] and chart["x_ticks"][-1] == dates[-1]
        assert set(chart["x_ticks"]) <= set(dates) and len(chart["x_ticks"]) >= 3  # (fewer when narrow)
        assert all(len(data["data"]) == len(STORY) for data in chart["datasets"])
        first, last = chart["tooltip_first"], chart["tooltip_last"]
        assert first["title"] == ["2024-05-27 10:00 · " + first["title"][0].split(" · ")[1] + " · " + STORY[0][1]]
        assert last["title"][0].startswith("2024-06-09 10:00 ·") and last["title"][0].endswith(STORY[-1][1])
    trend = charts["trend"]
    assert trend["y_title"] == "% of import sites migrated" and trend["y_ticks"][0] == "0%" and \
        trend["y_ticks"][-1] == "100%"
    # the story: 16 of 18 import sites direct at first; 19 of 33 at the end
    assert trend["tooltip_first"]["body"] == [" % migrated: 88.9%"]
    assert trend["tooltip_last"]["body"] == [" % migrated: 57.6%"]
    split = charts["split"]
    assert split["legend"] == ["direct", "through acme.legacy.engine_factory", "through acme.api",
                               "through acme.agents.compat"]
    assert split["tooltip_first"]["body"] == [" direct: 16", " through acme.legacy.engine_factory: 2"]  # no zeros
    assert split["tooltip_last"]["footer"] == ["import sites: 33"]
    rules = charts["rules"]
    assert rules["legend"][0] == "SSOT001 competing-implementation"
    assert rules["tooltip_first"]["footer"] == ["violations: 2"] and rules["tooltip_last"]["footer"] == ["violations: 23"]
    if width == WIDE:
        screenshot(history_page, "report-history.png", width, measured["page_height"])


def test_the_history_page_links_the_files_to_their_lines(history_page):
    page = history_page.read_text(encoding="utf-8")
    assert f'<a href="{LINKS}acme/agents/compat.py#L4">4</a>' in page
    assert not re.search(r"""(src)=["']?(https?:)?//""", page)  # nothing fetched when viewed


def test_the_measuring_sees_what_it_is_for(tmp_path):
    """The checks above would pass on a page they cannot see into: this page has each fault once."""
    page = ('<!doctype html><html><head></head><body>'
            '<div style="width:80px">an_unbreakable_module_name_far_wider_than_its_box</div>'
            '<table><thead><tr><th></th><th>count</th></tr></thead><tbody><tr><td>a</td><td>1</td></tr></tbody></table>'
            '<svg class="shim-graph" aria-label="g" width="300" height="100"><g class="node" data-module="a">'
            '<rect x="0" y="0" width="40" height="30"/><text x="5" y="20">a long label</text></g>'
            '<g class="node" data-module="b"><rect x="20" y="10" width="40" height="30"/></g></svg>'
            '<p style="margin-left:3000px">far right</p></body></html>')
    measured = measure(page, tmp_path, WIDE)
    assert [o["text"] for o in measured["overflows"]][:1] == ["an_unbreakable_module_name_far_wider_than_its_box"]
    assert measured["outside"] and measured["page_width"] > WIDE
    assert measured["tables"][0]["header"] == ["", "count"]
    assert measured["graphs"][0]["problems"] == ['text "a long label" leaves the box of a',
                                                 "the boxes of a and b overlap"]


def test_the_readme_shows_a_screenshot():
    shown = re.findall(r"!\[[^\]]*\]\((docs/[\w.-]+\.png)\)", (REPO / "README.md").read_text(encoding="utf-8"))
    assert shown, "the README shows no screenshot of the report"
    for path in shown:
        data = (REPO / path).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 300_000


def test_the_json_of_the_history_has_the_charts_figures(history_page):
    """What the charts draw is in the JSON too, commit by commit."""
    run = ssot(history_page.parent, "report", "--no-cache", "--history", "HEAD", "--format", "json")
    points = json.loads(run.stdout)["history"]
    last = points[-1]["symbols"][SYMBOL]
    assert last["through"] == {"acme.legacy.engine_factory": 9, "acme.api": 3, "acme.agents.compat": 2}
    assert sum(last["violations_by_rule"].values()) == 23 and last["direct"] == 19


def test_a_deep_graph_scrolls_rather_than_shrink_its_labels_away(tmp_path):
    """Six columns of long module names are wider than the page: the graph is drawn at 85% at least and
    scrolls in its box, the canonical module in view first."""
    from ssot_lint.commands.graph import ModuleNode, ShimGraph
    from ssot_lint.commands.graph_svg import render_svg

    home = "company.platform.core.engine.execution.factory_module"
    nodes = {home: ModuleNode(home, "canonical", sites=["a.py"] * 120)}
    edges, previous = set(), home
    for depth in range(5):
        for i in range(4):
            name = f"company.services.subsystem_{depth}_{i}.integration_layer.compat_{depth}_{i}_module"
            nodes[name] = ModuleNode(name, "re-export" if i else "shim", sites=["a.py"] * (i + 1))
            edges.add((name, previous))
        previous = name
    css = (REPO / "ssot_lint/commands/report_assets/dashboard.css").read_text(encoding="utf-8")
    page = (f"<!doctype html><html><head><style>{css}</style></head><body><main><section class='symbol'>"
            f"<div class='graph'>{render_svg(ShimGraph('x:F', home, nodes, edges), [])}</div></section></main>"
            "</body></html>")
    measured = measure(page, tmp_path, WIDE)
    graph, = measured["graphs"]
    assert graph["problems"] == [] and measured["overflows"] == [] and measured["page_width"] <= WIDE
    assert 0.84 < graph["scale"] < 1
    shown = {node["module"] for node in graph["nodes"] if node["shown"]}
    assert home in shown and len(shown) < len(nodes)

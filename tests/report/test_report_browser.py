"""The report in a real browser: headless Chromium opens it from a file URL with every
network request refused and recorded, and the page shows every unit with its total,
draws every chart, asks the network for nothing, and prints one A4 page per unit after
the summary.  What it saw is kept in build/test-artifacts/ (a screenshot and the
print-out of each report opened)."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import qscore
from report_kit import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, EXAMPLES, TOWNSHIP, TOWNSHIPS, chromium_or_skip, qscore as run


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Opened:
    """A report open in a page, and every request the page made (each refused but the report's own)."""

    def __init__(self, browser: Any, report: Path) -> None:
        self.url = report.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 900, "height": 1200})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(self.url, wait_until="load")

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def township_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("report")
    data = EXAMPLES / "shizhu" / "townships-2025.csv"
    report = folder / "报告.html"
    done = run("report", "shizhu-township", str(data), "--year", "2025", "-o", str(report))
    assert done.returncode == 0, done.stderr
    batch = qscore.score("shizhu-township", data, year=2025, catalog=qscore.load_plugins())
    return report, batch


@pytest.fixture(scope="module")
def opened(browser: Any, township_report: tuple[Path, Any]) -> Iterator[Opened]:
    report, _ = township_report
    page = Opened(browser, report)
    yield page
    page.close()


def test_the_page_asks_the_network_for_nothing(opened):
    assert opened.requests == [opened.url]
    assert opened.errors == []


def test_every_unit_and_its_total_is_on_the_page(opened, township_report):
    _, batch = township_report
    shown = opened.page.evaluate("""() => Array.from(document.querySelectorAll('table.ranking tbody tr'))
        .map(row => [row.dataset.unit, row.cells[1].textContent, row.cells[2].textContent])""")
    assert shown == [[unit.unit, unit.unit, f"{unit.total:f}"] for unit in batch.units]
    assert len(shown) == 33
    # And each unit's own page, headed with its rank, name and total.
    headings = opened.page.evaluate(
        "() => Array.from(document.querySelectorAll('section.unit h2'), h => h.textContent)")
    assert headings == [f"第 {u.rank} 名\u3000{u.unit}\u3000总分 {u.total:f}\u3000{u.tier}" for u in batch.units]


def test_every_chart_is_drawn(opened, township_report):
    _, batch = township_report
    charts = opened.page.evaluate("""() => Array.from(document.querySelectorAll('.chart')).map(chart => {
        const svg = chart.querySelector('svg.main-svg');
        const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
        return {id: chart.id, width: box.width, height: box.height,
                bars: chart.querySelectorAll('.barlayer .point path').length,
                points: chart.querySelectorAll('.boxlayer .points path').length,
                targets: chart.querySelectorAll('.scatterlayer .points path').length,
                heatmap: chart.querySelectorAll('.heatmaplayer image').length};
    })""")
    indicators = batch.ruleset.indicators
    assert [chart["id"] for chart in charts] == (["chart-totals", "chart-subtotals", "chart-lost"]
                                                 + [f"chart-values-{n}" for n in range(1, len(indicators) + 1)])
    assert all(chart["width"] > 100 and chart["height"] > 100 for chart in charts), charts
    by_id = {chart["id"]: chart for chart in charts}
    units = len(batch.units)
    assert by_id["chart-totals"]["bars"] == units  # a bar per unit
    # Two categories, and bonus and deductions (some unit has each): four bars per unit.
    assert by_id["chart-subtotals"]["bars"] == 4 * units
    assert by_id["chart-lost"]["heatmap"] == 1
    values = batch.units.result_columns("value")
    targets = batch.units.result_columns("target")
    for number, (column, aimed) in enumerate(zip(values, targets), 1):
        chart = by_id[f"chart-values-{number}"]
        scored = [target for value, target in zip(column, aimed) if isinstance(value, Decimal)]
        assert (chart["points"], chart["targets"]) == (len(scored), sum(t is not None for t in scored)), number


def shows(page: str, text: str) -> bool:
    """Whether a PDF page's text holds ``text``.  Both are NFKC-normalised (full-width
    punctuation and Kangxi radicals as the PDF text has them); a CJK radical-supplement
    character the font maps a character to (⻩ for 黄) stands for any character."""
    pattern = "".join(f"(?:{re.escape(char)}|[\u2e80-\u2eff])" for char in unicodedata.normalize("NFKC", text))
    return re.search(pattern, page) is not None


def test_it_prints_a_page_per_unit_after_the_summary(opened, township_report):
    _, batch = township_report
    pdf = opened.page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    first = next(n for n, text in enumerate(pages) if shows(text, "单位："))
    assert 1 <= first <= 12  # the summary: headline, charts, the table, the rules, the provenance
    assert len(pages) == first + len(batch.units)
    count = len(batch.units)
    for page, unit in zip(pages[first:], batch.units):
        assert shows(page, f"单位：{unit.unit} ") and shows(page, f"排名：第 {unit.rank} 名 / {count}"), page
        assert shows(page, f"总分：{unit.total:f}")
        assert page.count(unicodedata.normalize("NFKC", "单位：")) == 1
    assert shows(pages[0], "总体情况")
    assert all(shows(page, f"第 {n} 页，共 {len(pages)} 页") for n, page in enumerate(pages, 1))
    screenshot = keep(opened, "report", pdf)
    assert screenshot.stat().st_size > 50_000


def keep(opened: Opened, name: str, pdf: bytes) -> Path:
    """Keep the page's screenshot and print-out as test artifacts; the screenshot's path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    screenshot = ARTIFACTS / f"{name}.png"
    opened.page.screenshot(path=str(screenshot), full_page=True)
    print(f"the report as Chromium showed and printed it: {screenshot}, {ARTIFACTS / f'{name}.pdf'}")
    return screenshot


def test_the_year_over_year_report_opens_offline_and_prints_its_unit_after_the_summary(browser, tmp_path):
    new, old = EXAMPLES / "shizhu" / "county-2025.csv", EXAMPLES / "shizhu" / "county-2024.csv"
    report = tmp_path / "对比.html"
    done = run("report", "shizhu-county", str(new), "--year", "2025", "--compare", str(old), "--compare-year", "2024",
               "-o", str(report))
    assert done.returncode == 0, done.stderr
    compared = json.loads(run("compare", "shizhu-county", str(old), str(new), "--year-old", "2024", "--year-new",
                              "2025", "--format", "json").stdout, parse_float=Decimal)["units"]
    opened = Opened(browser, report)
    try:
        assert opened.requests == [opened.url] and opened.errors == []
        shown = opened.page.evaluate("""() => Array.from(document.querySelectorAll('#year-over-year tbody tr'),
            row => Array.from(row.cells, cell => cell.textContent).slice(0, 4))""")
        assert shown == [[unit["unit"], f"{unit['old']['total']:f}", f"{unit['new']['total']:f}",
                          f"{unit['change']:+f}"] for unit in compared]
        assert opened.page.evaluate("() => document.querySelectorAll('table.ranking tbody tr').length") == 1
        drawn = opened.page.evaluate("() => Array.from(document.querySelectorAll('.chart'), "
                                     "chart => chart.querySelectorAll('svg.main-svg').length > 0)")
        assert drawn and all(drawn)
        pdf = opened.page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
        # The summary, then 石柱县's explanation from the top of a fresh page (its 32
        # indicators take several), ending with its change since last year.  The summary
        # ends with 结果来源, which may itself run over a page: its last line, the way to
        # re-check the file, is on the page before the explanation.
        first = next(n for n, text in enumerate(pages) if shows(text, "单位：石柱县"))
        assert any(shows(page, "与2024年度对比") for page in pages[:first])
        assert any(shows(page, "结果来源") for page in pages[:first])
        assert shows(pages[first - 1], "复核：qscore verify 本文件")
        heading = pages[first].split("\n")[1]  # under the page number
        assert shows(heading, f"第 1 名 石柱县 总分 {compared[0]['new']['total']:f}"), heading
        assert shows(pages[-1], f"较上年：【石柱县】总分 2024年 {compared[0]['old']['total']:f} → 2025年")
        keep(opened, "report-compare", pdf)
    finally:
        opened.close()


def test_names_from_the_data_are_text_not_markup(browser, tmp_path):
    # Unit names that would run a script, load an image or end the page's script
    # if they were written into the page as they are.
    hostile = ['<img src="x.png" onerror="window.pwned=1">', "</script><script>window.pwned=2</script>",
               '"><svg onload="window.pwned=3">', "南宾街道"]
    lines = TOWNSHIPS.read_text(encoding="utf-8").splitlines()
    rows = [lines[0]] + ['"' + name.replace('"', '""') + '",' + line.split(",", 1)[1]
                         for name, line in zip(hostile, lines[1:])]
    data = tmp_path / "hostile.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = tmp_path / "hostile.html"
    done = run("report", str(TOWNSHIP), str(data), "--year", "2025", "-o", str(report), plugins="")
    assert done.returncode == 0, done.stderr
    page = Opened(browser, report)
    try:
        assert page.page.evaluate("() => window.pwned") is None
        shown = page.page.evaluate("() => Array.from(document.querySelectorAll('table.ranking tbody tr'), "
                                   "row => row.cells[1].textContent)")
        assert sorted(shown) == sorted(hostile)
        assert page.requests == [page.url] and page.errors == []
        assert page.page.evaluate("() => document.querySelectorAll('.chart svg.main-svg').length") > 0
    finally:
        page.close()


def test_the_table_of_every_unit_fits_the_width_of_an_a4_page(browser, tmp_path):
    # 石柱县's six categories make sixteen columns; a long unit name must wrap, not
    # push the last columns off the page (or make the browser shrink every page).
    data = EXAMPLES / "shizhu" / "county-2025.csv"
    long_name = "石柱土家族自治县" + "某" * 30 + "乡镇街道办事处"
    text = data.read_text(encoding="utf-8-sig")
    row = text.splitlines()[1]
    renamed = tmp_path / "county-2025.csv"
    renamed.write_text(text + row.replace("石柱县,", f"{long_name},", 1) + "\n", encoding="utf-8")
    roster = tmp_path / "units.txt"
    roster.write_text(f"石柱县\n{long_name}\n", encoding="utf-8")
    report = tmp_path / "宽表.html"
    done = run("report", "shizhu-county", str(renamed), "--year", "2025", "--units", str(roster), "-o", str(report))
    assert done.returncode == 0, done.stderr
    opened = Opened(browser, report)
    try:
        opened.page.emulate_media(media="print")
        opened.page.set_viewport_size({"width": 680, "height": 1000})  # A4's 180 mm of text
        edges = opened.page.evaluate("""() => [document.querySelector('#ranking').getBoundingClientRect().right,
            document.querySelector('table.ranking').getBoundingClientRect().right]""")
        assert edges[1] <= edges[0] <= 681
        pdf = opened.page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        pages = ["".join(unicodedata.normalize("NFKC", page.extract_text()).split())
                 for page in PdfReader(io.BytesIO(pdf)).pages]
        table = next(page for page in pages if "各单位得分" in page)
        assert "进度达标" in table and "加减分事项" in table  # the last columns are on the page
        assert long_name in table
    finally:
        opened.close()


#: The lines each cell of a table's columns takes, by column: a cell's text as laid out.
CELL_LINES = """selector => { const table = document.querySelector(selector);
    const lines = cell => { const range = document.createRange(); range.selectNodeContents(cell);
        return new Set(Array.from(range.getClientRects(), box => Math.round(box.top))).size; };
    return {header: Array.from(table.tHead.rows[0].cells, cell => [cell.textContent, lines(cell)]),
            rows: Array.from(table.tBodies[0].rows, row => Array.from(row.cells, cell => [cell.textContent, lines(cell)])),
            right: table.getBoundingClientRect().right}; }"""


def printed_table(browser, tmp_path: Path, ruleset: str, data: Path, selector: str) -> dict[str, Any]:  # noqa: ANN001
    """The report of ``data`` as printed on A4 (180 mm of text): the table at ``selector``,
    each cell's text and the lines it takes (:data:`CELL_LINES`)."""
    report = tmp_path / "report.html"
    done = run("report", ruleset, str(data), "--year", "2025", "-o", str(report))
    assert done.returncode == 0, done.stderr
    opened = Opened(browser, report)
    try:
        opened.page.emulate_media(media="print")
        opened.page.set_viewport_size({"width": 680, "height": 1000})
        return opened.page.evaluate(CELL_LINES, selector)
    finally:
        opened.close()


def test_printed_unit_names_and_tiers_keep_to_one_line(browser, tmp_path):
    # 38 districts in three 方阵: on paper, "第二方阵" broken after 第二方 and "南宾街道"
    # after 南宾街 read badly, while the last column had room to spare.
    table = printed_table(browser, tmp_path, "chongqing-districts", EXAMPLES / "chongqing" / "districts-2025.csv",
                          "table.ranking")
    assert table["right"] <= 681
    assert len(table["rows"]) == 38
    names = [row[1] for row in table["rows"]]
    tiers = [row[3] for row in table["rows"]]
    assert {tier for tier, _ in tiers} == {"第一方阵", "第二方阵", "第三方阵"}
    assert [cell for cell in names + tiers if cell[1] != 1] == []
    assert "秀山土家族苗族自治县" in {name for name, _ in names}  # ten characters, the longest
    two = [cell for cell in table["header"] if len(cell[0]) == 2]
    assert {name for name, _ in two} >= {"排名", "加分", "扣分"} and all(lines == 1 for _, lines in two), two


def test_the_printed_table_of_indicators_gives_names_and_departments_room(browser, tmp_path):
    # The long 出处 and 备注 took the width, and 类别, 方向, 计分方法 and 牵头部门 were
    # printed one character to a line (县/市/场/监/管/局).
    table = printed_table(browser, tmp_path, "shizhu-county", EXAMPLES / "shizhu" / "county-2025.csv",
                          "table.indicators")
    assert table["right"] <= 681
    assert len(table["rows"]) == 32
    header = [name for name, _ in table["header"]]
    assert all(lines <= 2 for _, lines in table["header"]), table["header"]
    for column in ("指标", "类别", "方向", "计分方法", "牵头部门"):
        at = header.index(column)
        cells = [row[at] for row in table["rows"]]
        assert any(len(text) >= 2 for text, _ in cells), column
        # At least four characters to a line (a short text on one).
        squeezed = [(text, lines) for text, lines in cells if lines > max(1, -(-len(text) // 4))]
        assert squeezed == [], (column, squeezed)

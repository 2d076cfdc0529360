"""The XLSX result explains itself: a title row with the ruleset's title and year, a
filter, A4 landscape print setup with the title and header on every page, a native chart
of the totals, the bonus, deduction and veto items applied to each unit, the rules and
assumptions (说明) and where the result comes from (来源)."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import attrs
import openpyxl
import pytest

import qscore
from qscore.model import UnitTuple
from qscore.writing import xlsx
from qscore.writing.xlsx import write_xlsx
from conftest import townships_missing
from report_kit import EXAMPLES, TOWNSHIP, TOWNSHIPS

TOWNSHIPS_2025 = EXAMPLES / "shizhu" / "townships-2025.csv"


@pytest.fixture
def workbook(cli, tmp_path):
    output = tmp_path / "r.xlsx"
    result = cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "-o", str(output))
    assert (result.exit_code, result.output) == (0, townships_missing(TOWNSHIPS))  # 黄水镇 scored 0
    return output


def test_each_table_has_a_title_a_filter_and_prints_on_a4_landscape(workbook):
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["排名", "总分图", "指标明细", "加减分", "数据提示", "说明", "来源", "图表数据"]
    for name, columns, rows in (("排名", "L", 4), ("指标明细", "K", 12), ("加减分", "G", 2)):  # 南宾街道 bonus, 黄水镇 veto
        sheet = book[name]
        assert sheet["A1"].value == "测试县乡镇质量工作考核（2025年度）"
        assert sheet["A2"].value == "排名" and sheet.max_row == 2 + rows
        assert sheet.auto_filter.ref == f"A2:{columns}{2 + rows}"
        setup = sheet.page_setup
        # A page wide (fitToWidth's default, 1, is left out of the file), as many pages long as it takes.
        assert (setup.orientation, setup.paperSize, setup.fitToWidth or 1, setup.fitToHeight) == ("landscape", 9, 1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2" and sheet.freeze_panes == "C3"
        assert "第 &P 页，共 &N 页" in sheet.oddFooter.center.text
    assert book["图表数据"].sheet_state == "hidden"


def test_the_chart_of_totals_is_a_native_excel_chart(workbook):
    archive = zipfile.ZipFile(workbook)
    names = archive.namelist()
    assert "xl/charts/chart1.xml" in names and "xl/chartsheets/sheet1.xml" in names
    chart = archive.read("xl/charts/chart1.xml").decode("utf-8")
    # A series per grade, each drawing its units' totals from the hidden sheet; best first.
    series = [chart.index(f"<c:v>{name}</c:v>") for name in ("优秀", "良好", "合格", "不合格")]
    assert series == sorted(series)
    assert '<c:barDir val="col"/><c:grouping val="stacked"/>' in chart and "<c:f>图表数据!$B$2:$B$5</c:f>" in chart
    data = openpyxl.load_workbook(workbook)["图表数据"]
    # Each unit's total in its grade's column, rank order: 南宾街道 105 and 悦崃镇 100 优秀,
    # 西沱镇 78 良好, 黄水镇 0 不合格 (vetoed).
    assert [list(row) for row in data.iter_rows(values_only=True)] == [
        ["单位", "优秀", "良好", "合格", "不合格"], ["南宾街道", 105, None, None, None], ["悦崃镇", 100, None, None, None],
        ["西沱镇", None, 78, None, None], ["黄水镇", None, None, None, 0]]


def test_the_chart_keeps_a_copy_of_the_names_and_totals_it_draws(workbook):
    # What a reader that does not recalculate shows: the units' names as text (a category
    # axis of names, not numbers) and each grade's totals where its units stand.
    chart = zipfile.ZipFile(workbook).read("xl/charts/chart1.xml").decode("utf-8")
    names = ('<c:strCache><c:ptCount val="4"/><c:pt idx="0"><c:v>南宾街道</c:v></c:pt><c:pt idx="1"><c:v>悦崃镇</c:v>'
             '</c:pt><c:pt idx="2"><c:v>西沱镇</c:v></c:pt><c:pt idx="3"><c:v>黄水镇</c:v></c:pt></c:strCache>')
    assert chart.count(names) == 4  # one series per grade
    caches = [part.split("</c:numCache>")[0] for part in chart.split("<c:numCache>")[1:]]
    assert caches == ['<c:formatCode>General</c:formatCode><c:ptCount val="4"/><c:pt idx="0"><c:v>105</c:v></c:pt>'
                      '<c:pt idx="1"><c:v>100</c:v></c:pt>',
                      '<c:formatCode>General</c:formatCode><c:ptCount val="4"/><c:pt idx="2"><c:v>78</c:v></c:pt>',
                      '<c:formatCode>General</c:formatCode><c:ptCount val="4"/>',
                      '<c:formatCode>General</c:formatCode><c:ptCount val="4"/><c:pt idx="3"><c:v>0</c:v></c:pt>']


def test_each_units_explanations_are_read_as_rows_in_rank_order():
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025, explain=True)
    by_unit = [[result.explanation for result in unit.indicators] for unit in batch.units]
    assert all(text for row in by_unit for text in row)
    assert [list(row) for row in batch.units.explanation_rows()] == by_unit
    assert [list(row) for row in UnitTuple(list(batch.units)).explanation_rows()] == by_unit
    unexplained = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025).units
    assert [list(row) for row in unexplained.explanation_rows()] == [[""] * len(row) for row in by_unit]


def test_the_chart_shows_the_first_units_and_says_so(monkeypatch):
    monkeypatch.setattr(xlsx, "CHART_MAX_UNITS", 2)
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025, explain=True)
    book = zipfile.ZipFile(io.BytesIO(write_xlsx(batch)))
    assert "各单位总分（前 2 名，共 4 个单位）" in book.read("xl/charts/chart1.xml").decode("utf-8")
    data = openpyxl.load_workbook(io.BytesIO(write_xlsx(batch)))["图表数据"]
    assert [row[0] for row in data.iter_rows(min_row=2, values_only=True)] == ["南宾街道", "悦崃镇"]


def test_the_items_applied_to_each_unit(allow_plugins, tmp_path):
    allow_plugins("shizhu")
    batch = qscore.score("shizhu-township", TOWNSHIPS_2025, year=2025, explain=True)
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(batch)))["加减分"]
    # From examples/shizhu/townships-2025.csv: 西沱镇 one 地理标志 (2 points each), 黄水镇 one
    # 市长质量管理奖 (3), 三河镇 criticised once (2), 冷水镇 a major incident (veto), 中益乡 two
    # 地理标志 (2 × 2 = 4).
    by_unit = {row[1]: row[2:] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert by_unit == {
        "中益乡": ("加分", "new_brand", "新获地理标志或重庆老字号", 2, 4),
        "西沱镇": ("加分", "new_brand", "新获地理标志或重庆老字号", 1, 2),
        "黄水镇": ("加分", "mayor_quality_award", "辖区企业获重庆市市长质量管理奖（含提名奖）", 1, 3),
        "三河镇": ("扣分", "criticised", "被通报批评", 1, 2),
        "冷水镇": ("一票否决", "major_incident", "发生重大质量安全事故", 1, 0)}
    ranks = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert ranks == sorted(ranks) and ranks == [batch.unit(name).rank for name in by_unit]


def test_the_notes_sheet_states_the_rules_and_every_assumption(allow_plugins):
    allow_plugins("shizhu")
    batch = qscore.score("shizhu-township", TOWNSHIPS_2025, year=2025, explain=True)
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(batch)))["说明"]
    rows = [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    notes = dict(row for row in rows if row[0] and row[1])
    assert notes["等次划分"] == "优秀：总分 ≥ 90 分；良好：总分 ≥ 80 分；合格：总分 ≥ 60 分；其余为不合格；一票否决的单位定为不合格"
    assert notes["加分项"] == ("辖区企业获重庆市市长质量管理奖（含提名奖）：每次加 3 分；新获地理标志或重庆老字号：每次加 2 分；"
                            "合计不超过 5 分")
    assert notes["计分取整"] == "每项指标得分保留 2 位小数（四舍五入），总分为各项得分之和"
    assumptions = [text for label, text in rows if label and label.startswith("假设 ")]
    assert assumptions == list(batch.ruleset.assumptions) and len(assumptions) == 12
    indicators = [row[1] for row in sheet.iter_rows(values_only=True) if row[0] and str(row[0]).isdigit()]
    assert indicators == [indicator.name for indicator in batch.ruleset.indicators]


def test_the_provenance_sheet_names_each_file_by_its_sha256(workbook):
    import hashlib

    rows = list(openpyxl.load_workbook(workbook)["来源"].iter_rows(min_row=2, max_row=16, values_only=True))
    digest = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in (TOWNSHIP, TOWNSHIPS)}
    assert rows[0] == ("项目", "内容", "SHA-256", "说明")
    assert rows[2:7] == [("规则集", "test-township", None, None),
                         ("规则集文件", str(TOWNSHIP), digest[TOWNSHIP], None),
                         ("考核年度", "2025", None, None), ("指定年度", "2025", None, "--year"),
                         ("数据文件", str(TOWNSHIPS), digest[TOWNSHIPS], None)]
    assert rows[7:] == [("文本编码", None, None, "自动识别（BOM，否则 UTF-8，否则 GB18030）"),
                        ("工作表", None, None, "打开时显示的工作表"), ("忽略未知列", "否", None, None),
                        ("部分单位", "否", None, None), ("单位名单", None, None, "规则集所列名单"),
                        ("隐藏行列", "拒绝", None, None), ("合并单元格", "拒绝", None, None),
                        ("小数形式的百分比", "拒绝", None, None)]


def test_the_notices_sheet_says_what_was_done_with_the_data(cli, tmp_path):
    data = tmp_path / "titled.csv"
    data.write_text("测试县2025年度乡镇考核得分表\n" + TOWNSHIPS.read_text(encoding="utf-8"), encoding="utf-8")
    output = tmp_path / "r.xlsx"
    result = cli("rank", str(TOWNSHIP), str(data), "-o", str(output))
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(output)["数据提示"].iter_rows(min_row=2, values_only=True))
    # The title row above the header is skipped, and it names the year; 黄水镇 has no
    # 食品抽检合格率 and is scored 0: as rank says on stderr.
    assert rows[0] == ("提示", "文件", "工作表", "位置", "内容")
    assert [(row[0], row[1], row[3]) for row in rows[1:]] == [("标题行", str(data), "第1行"), ("考核年度", str(data), None),
                                                              ("缺失数值", str(data), "食品抽检合格率（%）")]
    assert rows[3][4] == ("1 unit(s) have no value for 食品抽检合格率 (黄水镇): scored 0 under the missing-value "
                          "policy 'zero'")
    said = [line.split(": ", 1)[1] for line in result.stderr.splitlines()]
    assert [row[4] for row in rows[1:]] == [line.split(": ", 1)[1] if ": " in line else line for line in said]


def test_points_are_still_numbers_under_the_title(workbook):
    sheet = openpyxl.load_workbook(workbook)["排名"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=3)}
    total = rows["西沱镇"][2]
    assert (total.value, total.data_type, total.number_format) == (78, "n", "0.00")
    assert Decimal(str(rows["南宾街道"][2].value)) == Decimal("105")


def test_units_sharing_a_case_each_read_back_their_own_detail_rows(tmp_path, monkeypatch):
    # The detail lays out a case's results once; kept two at a time here, they are
    # dropped and laid out again as the units go on.
    monkeypatch.setattr(xlsx, "CASES_KEPT", 2)
    header, *rows = TOWNSHIPS.read_text(encoding="utf-8").splitlines()
    data = tmp_path / "many.csv"
    data.write_text("\n".join([header] + [f"第{n:02}镇," + rows[n % len(rows)].split(",", 1)[1] for n in range(40)]),
                    encoding="utf-8")
    batch = qscore.score(TOWNSHIP, data, year=2025, explain=True)
    # 40 units with the figures of the file's four rows: four foods, four drugs, three tasks (完成 twice).
    assert [len(set(cases)) for cases in batch.units.result_cases()] == [4, 4, 3]
    shared = write_xlsx(batch)
    # The same units, each a case of its own, give the same sheets.
    own = write_xlsx(attrs.evolve(batch, units=UnitTuple(list(batch.units))))
    books = zipfile.ZipFile(io.BytesIO(shared)), zipfile.ZipFile(io.BytesIO(own))
    assert [books[0].read(part) for part in books[0].namelist()] == [books[1].read(part) for part in books[1].namelist()]
    detail = openpyxl.load_workbook(io.BytesIO(shared))["指标明细"]
    shown = {True: "是", False: "否", None: None}
    assert list(detail.iter_rows(min_row=3, values_only=True)) == [
        (unit.rank, unit.unit, indicator.id, indicator.name, indicator.unit or None,
         *(None if figure is None else figure if isinstance(figure, str) else float(figure)
           for figure in (result.value, result.target, result.points, result.max_points)),
         shown[result.met], result.explanation)
        for unit in batch.units for indicator, result in zip(batch.ruleset.indicators, unit.indicators)]


def test_long_headers_wrap_over_narrow_columns_of_points(tmp_path):
    # 38 districts, 11 indicators: each points column was as wide as its header
    # (制造业质量竞争力指数（得分）, 28 wide over 9.20), so the sheet printed at a quarter size.
    from wcwidth import wcswidth
    from report_kit import qscore as run

    output = tmp_path / "结果.xlsx"
    done = run("rank", "chongqing-districts", str(EXAMPLES / "chongqing" / "districts-2025.csv"), "--year", "2025",
               "-o", str(output))
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(output)["排名"]
    header = [cell.value for cell in sheet[2]]
    widths = {}
    for column in range(1, len(header) + 1):
        widths[column] = next(d.width for d in sheet.column_dimensions.values() if d.min <= column <= d.max)
    points = [column for column, name in enumerate(header, 1) if name.endswith("（得分）")]
    assert len(points) == 11
    for column in points:
        name = header[column - 1]
        assert sheet.cell(2, column).alignment.wrap_text
        shown = [sheet.cell(row, column).number_format for row in range(3, sheet.max_row + 1)]
        assert set(shown) == {"0.00"}  # figures up to 12.00: 5 wide
        assert widths[column] <= 17, (name, widths[column])
        assert wcswidth(name) <= 3 * (widths[column] - 2), name  # three lines at most
    assert widths[2] >= wcswidth("秀山土家族苗族自治县")  # the longest unit name on one line
    assert sum(widths.values()) < 320  # 491 before

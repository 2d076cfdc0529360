"""``qscore template``: the form an examiner sends out, read back with openpyxl as Excel
would show it (sheets, title, headers, validations, input messages, protection, panes,
print setup, the 填报说明 sheet), for every unit and for one department; the long and
CSV variants; and the refusals.

石柱's township form for 2025, worked by hand from shizhu-township.toml: the year's
targets lie halfway from 2023 to 2027 — 食品抽检合格率 95 + (98 − 95) × 2 ÷ 4 = 96.5,
注册商标量 1050 + (1150 − 1050) × 2 ÷ 4 = 1100, both 满意度 84 + (85 − 84) × 2 ÷ 4 = 84.5;
农产品 stays at 98 (its baseline and target are both 98).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from collect_kit import read_csv

TOWNSHIP_HEADER = ["乡镇（街道）", "农产品质量安全例行监测合格率（%）", "食品抽检合格率（%）", "每万户市场主体有效注册商标量（件）",
                   "公共服务质量满意度", "生活性服务业质量满意度", "辖区企业获重庆市市长质量管理奖（含提名奖）",
                   "新获地理标志或重庆老字号", "被通报批评", "发生重大质量安全事故"]
TITLE = "2025年度石柱县乡镇（街道）质量强县工作考核填报表"


@pytest.fixture
def township_form(cli, allow_plugins, tmp_path) -> Path:
    allow_plugins("shizhu")
    out = tmp_path / "填报表.xlsx"
    result = cli("template", "shizhu-township", "--year", "2025", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"{out}：{TITLE}，33个单位，9项\n"
    assert result.stdout == ""
    return out


def validations(sheet) -> dict[str, object]:
    return {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}


def test_the_form_sheet_has_the_title_the_header_and_the_roster(township_form, catalog, allow_plugins):
    book = openpyxl.load_workbook(township_form)
    assert book.sheetnames == ["填报", "填报说明"]
    assert book.active.title == "填报"
    sheet = book["填报"]
    assert sheet["A1"].value == TITLE
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:J1"]
    assert [cell.value for cell in sheet[2]] == TOWNSHIP_HEADER
    roster = ["南宾街道", "万安街道", "下路街道", "西沱镇", "悦崃镇", "临溪镇", "黄水镇", "马武镇", "沙子镇", "王场镇", "沿溪镇",
              "龙沙镇", "鱼池镇", "三河镇", "大歇镇", "桥头镇", "万朝镇", "冷水镇", "黄鹤镇", "枫木镇", "黎场乡", "三星乡", "六塘乡",
              "三益乡", "王家乡", "河嘴乡", "石家乡", "中益乡", "洗新乡", "新乐乡", "金铃乡", "金竹乡", "龙潭乡"]
    assert [sheet.cell(row, 1).value for row in range(3, 36)] == roster
    assert sheet.max_row == 35
    assert all(sheet.cell(row, column).value is None for row in range(3, 36) for column in range(2, 11))


def test_only_the_input_cells_are_unlocked_and_the_sheet_is_protected(township_form):
    sheet = openpyxl.load_workbook(township_form)["填报"]
    assert sheet.protection.sheet is True
    assert sheet.protection.insertRows is True and sheet.protection.deleteColumns is True  # True: not allowed
    assert sheet.protection.formatColumns is False  # widening columns is allowed
    locked = {(row, column) for row in range(1, 36) for column in range(1, 11)
              if sheet.cell(row, column).protection.locked}
    inputs = {(row, column) for row in range(3, 36) for column in range(2, 11)}
    assert locked == {(row, column) for row in range(1, 36) for column in range(1, 11)} - inputs


def test_every_input_cell_is_validated(township_form):
    found = validations(openpyxl.load_workbook(township_form)["填报"])
    percent, count, score = found["B3:B35"], found["D3:D35"], found["E3:E35"]
    assert (percent.type, percent.operator, percent.formula1, percent.formula2) == ("decimal", None, "0", "100")
    assert percent.prompt == "填0到100之间的数：98.5% 填 98.5，不要填 0.985；没有数据的留空。"
    assert percent.error == "农产品质量安全例行监测合格率（%）：填0到100之间的数：98.5% 填 98.5，不要填 0.985。"
    assert found["C3:C35"].formula2 == "100"
    assert (count.type, count.operator, count.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert score.type == "decimal"
    for items in ("G3:G35", "H3:H35", "I3:I35"):
        assert (found[items].type, found[items].operator, found[items].formula1) == ("whole", "greaterThanOrEqual", "0")
    assert (found["J3:J35"].type, found["J3:J35"].formula1) == ("list", '"是,否"')
    assert all(dv.showErrorMessage and dv.allow_blank for dv in found.values())
    inputs = {key for key in found if key.endswith("35")}
    assert inputs == {f"{letter}3:{letter}35" for letter in "BCDEFGHIJ"}


def test_each_header_cell_gives_the_definition_unit_and_the_years_target(township_form):
    found = validations(openpyxl.load_workbook(township_form)["填报"])
    food = found["C2"]
    assert food.promptTitle == "食品抽检合格率（%）"
    assert food.prompt == ("食品抽检合格率。单位：%；越高越好；2025年度目标：96.5%；牵头部门：县市场监管局；石柱府发〔2024〕14号 "
                           "附件第9行：食品抽检合格率（%），2023年 95，2027年 98，牵头部门 县市场监管局")
    assert "2025年度目标：1100；" in found["D2"].prompt
    assert "2025年度目标：84.5；" in found["E2"].prompt and "2025年度目标：84.5；" in found["F2"].prompt
    assert "2025年度目标：98%；" in found["B2"].prompt
    assert found["I2"].promptTitle == "扣分项"
    assert found["I2"].prompt == "被通报批评：每次2分。填发生的次数（0、1、2……），没有发生的填0或留空。"
    assert found["J2"].prompt == "发生重大质量安全事故：发生的填“是”，没有发生的填“否”或留空。"
    assert all(len(dv.prompt) <= 255 and len(dv.promptTitle) <= 32 for dv in found.values())


def test_the_panes_are_frozen_and_it_prints_on_a4(township_form):
    sheet = openpyxl.load_workbook(township_form)["填报"]
    assert sheet.freeze_panes == "B3"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.print_area == "'填报'!$A$1:$J$35"


def test_a_form_too_wide_for_one_page_prints_over_several_with_the_units_on_each(cli, allow_plugins, tmp_path):
    allow_plugins("guizhou", "shizhu")
    # guizhou-prefectures asks 49 columns of 9 prefectures.  A4 landscape holds about 146
    # characters of column width; at 70% about 146 / 0.7 = 208.6, less the unit column
    # (黔西南布依族苗族自治州, 22 wide + 2 = 24) leaves 184.6 per page for the 49 × 14 = 686 of
    # the input columns: 686 / 184.6 = 3.7, so 4 pages wide instead of one page at about 20%.
    out = tmp_path / "贵州.xlsx"
    assert cli("template", "guizhou-prefectures", "--year", "2025", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["填报"]
    assert sheet.max_column == 50
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (4, 0)
    assert sheet.print_title_cols == "$A:$A" and sheet.print_title_rows == "$1:$2"
    assert sheet["A1"].alignment.horizontal == "left"  # not centred 25 columns away, off the screen
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:AX1"]
    township = openpyxl.load_workbook(_township(cli, tmp_path))["填报"]
    assert township.sheet_properties.pageSetUpPr.fitToPage is True
    assert township.page_setup.fitToWidth is None and township.print_title_cols is None  # one page wide: the default
    assert township["A1"].alignment.horizontal == "center"


def _township(cli, tmp_path) -> Path:
    out = tmp_path / "乡镇.xlsx"
    assert cli("template", "shizhu-township", "--year", "2025", "-o", str(out)).exit_code == 0
    return out


def test_the_guide_sheet_lists_every_indicator_and_how_to_fill_the_form_in(township_form):
    rows = [[cell for cell in row if cell is not None]
            for row in openpyxl.load_workbook(township_form)["填报说明"].iter_rows(values_only=True)]
    assert rows[0] == [f"{TITLE}·填报说明"]
    assert ["二、百分比只填数字：98.5% 填 98.5，不要填 0.985，也可以带百分号填 98.5%。"] in rows
    assert ["三、没有数据的单元格留空，不要填 0，也不要删除行、列；不要改动标题和表头，qscore 按表头读取数据。"] in rows
    header = ["序号", "表头", "类别", "单位", "方向", "基期值", "期末目标", "2025年度目标", "牵头部门", "计分规则", "分值", "依据",
              "备注"]
    table = rows[rows.index(header) + 1:rows.index(header) + 6]
    assert [row[:11] for row in table] == [
        ["1", "农产品质量安全例行监测合格率（%）", "产品质量水平", "%", "越高越好", "98（2023年）", "98（2027年）", "98%",
         "县农业农村委", "扣分（每档扣分 5，每档 1，不足一档 按比例扣）", "25"],
        ["2", "食品抽检合格率（%）", "产品质量水平", "%", "越高越好", "95（2023年）", "98（2027年）", "96.5%", "县市场监管局",
         "进度", "25"],
        ["3", "每万户市场主体有效注册商标量（件）", "服务质量水平", "件", "越高越好", "1050（2023年）", "1150（2027年）", "1100",
         "县市场监管局", "完成率", "20"],
        ["4", "公共服务质量满意度", "服务质量水平", "越高越好", "84（2023年）", "85（2027年）", "84.5", "县市场监管局",
         "扣分（每档扣分 3，每档 1，不足一档 按比例扣）", "15",
         "石柱府发〔2024〕14号 附件第15行：公共服务质量满意度，2023年 84，2027年 85，牵头部门 县市场监管局"],
        ["5", "生活性服务业质量满意度", "服务质量水平", "越高越好", "84（2023年）", "85（2027年）", "84.5", "县市场监管局",
         "扣分（每档扣分 3，每档 1，不足一档 按比例扣）", "15",
         "石柱府发〔2024〕14号 附件第16行：生活性服务业质量满意度，2023年 84，2027年 85，牵头部门 县市场监管局"],
    ]
    assert table[1][11] == "石柱府发〔2024〕14号 附件第9行：食品抽检合格率（%），2023年 95，2027年 98，牵头部门 县市场监管局"
    items = rows[rows.index(["序号", "表头", "类别", "每次分值", "本项上限", "填法", "依据"]) + 1:]
    assert items == [["1", "辖区企业获重庆市市长质量管理奖（含提名奖）", "加分项", "3", "填发生的次数"],
                     ["2", "新获地理标志或重庆老字号", "加分项", "2", "填发生的次数"],
                     ["3", "被通报批评", "扣分项", "2", "填发生的次数"],
                     ["4", "发生重大质量安全事故", "一票否决", "填“是”或“否”"],
                     ["加分累计不超过5分"]]


def test_the_guide_names_the_return_file_after_a_unit_of_the_form(cli, allow_plugins, tmp_path):
    # the file name it asks for is the form's own first unit, or the department a form is for,
    # not a township of another jurisdiction
    allow_plugins("guizhou", "shizhu")
    lines = {}
    for name, args in (("贵州", ("guizhou-prefectures",)), ("农业", ("shizhu-township", "--lead", "县农业农村委")),
                       ("乡镇", ("shizhu-township",))):
        out = tmp_path / f"{name}.xlsx"
        assert cli("template", *args, "--year", "2025", "-o", str(out)).exit_code == 0
        lines[name] = [row[0] for row in openpyxl.load_workbook(out)["填报说明"].iter_rows(values_only=True)
                       if isinstance(row[0], str) and row[0].startswith("六、")]
    assert lines == {"贵州": ["六、填好后保存为 .xlsx 文件发回，文件名写明单位，如“贵阳市.xlsx”。"],
                     "农业": ["六、填好后保存为 .xlsx 文件发回，文件名写明单位，如“县农业农村委.xlsx”。"],
                     "乡镇": ["六、填好后保存为 .xlsx 文件发回，文件名写明单位，如“南宾街道.xlsx”。"]}


def test_the_same_form_is_the_same_bytes(cli, allow_plugins, tmp_path, township_form):
    again = tmp_path / "again.xlsx"
    assert cli("template", "shizhu-township", "--year", "2025", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == township_form.read_bytes()


def test_a_department_gets_the_indicators_it_leads_for_the_units_it_reports_on(cli, allow_plugins, tmp_path):
    # 县农业农村委 leads three of shizhu-members' indicators, each assessed for itself only
    # (applies_to), and 农产品质量安全例行监测合格率 of every township.
    allow_plugins("shizhu")
    members = tmp_path / "农业农村委.xlsx"
    assert cli("template", "shizhu-members", "--year", "2025", "--lead", "县农业农村委", "-o", str(members)).exit_code == 0
    sheet = openpyxl.load_workbook(members)["填报"]
    assert sheet["A1"].value == "2025年度石柱县质量强县建设成员单位考核填报表（县农业农村委）"
    assert [cell.value for cell in sheet[2]] == ["成员单位", "全国优势农业特色产业集群（个）", "农产品质量安全例行监测合格率（%）",
                                                 "农产品区域公用品牌（个）"]
    assert [sheet.cell(row, 1).value for row in range(3, sheet.max_row + 1)] == ["县农业农村委"]
    townships = tmp_path / "乡镇.csv"
    assert cli("template", "shizhu-township", "--year", "2025", "--lead", "县农业农村委", "-o", str(townships)).exit_code == 0
    rows = read_csv(townships)
    assert rows[0][0] == "2025年度石柱县乡镇（街道）质量强县工作考核填报表（县农业农村委）"
    assert rows[1] == ["乡镇（街道）", "农产品质量安全例行监测合格率（%）"]
    assert len(rows) == 2 + 33 and rows[2] == ["南宾街道", ""]


def test_cells_of_an_indicator_that_does_not_apply_say_so_and_are_locked(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    out = tmp_path / "成员单位.xlsx"
    assert cli("template", "shizhu-members", "--year", "2025", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["填报"]
    header = [cell.value for cell in sheet[2]]
    units = {sheet.cell(row, 1).value: row for row in range(3, 9)}
    column = header.index("重庆老字号（个）") + 1
    assert sheet.cell(units["县商务委"], column).value is None
    assert sheet.cell(units["县商务委"], column).protection.locked is False
    assert sheet.cell(units["县市场监管局"], column).value == "不适用"
    assert sheet.cell(units["县市场监管局"], column).protection.locked is True
    letter = openpyxl.utils.get_column_letter(column)
    assert f"{letter}{units['县商务委']}" in validations(sheet)  # only the one input cell


def test_the_figures_a_ruleset_needs_get_their_own_columns(cli, allow_plugins, tmp_path):
    # lixian-departments compares 亿元GDP生产安全事故死亡率 with last year's (持续降低), 地表水水质优良比例
    # with what the province assigns (省下达) and 万台特种设备事故起数 with the provincial average.
    allow_plugins("lixian")
    result = cli("template", "lixian-departments", "--year", "2027", "--format", "csv")
    assert result.exit_code == 0, result.output
    header = read_csv_text(result.stdout)[1]
    for pair in (("地表水水质优良比例（%）", "地表水水质优良比例@省下达（%）"),
                 ("亿元GDP生产安全事故死亡率（人/亿元）", "亿元GDP生产安全事故死亡率@上年（人/亿元）"),
                 ("万台特种设备事故起数（起/万台）", "万台特种设备事故起数@全省平均（起/万台）")):
        assert header[header.index(pair[0]) + 1] == pair[1]
    assert not any("@基期" in name for name in header)  # the plan gives every baseline it needs


def read_csv_text(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_a_task_list_gets_a_drop_down_of_its_levels(cli, allow_plugins, tmp_path):
    allow_plugins("lixian")
    out = tmp_path / "澧县.xlsx"
    assert cli("template", "lixian-departments", "--year", "2027", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["填报"]
    lists = {dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"}
    assert lists == {'"完成,基本完成,未完成"'}


def test_a_task_is_neither_higher_nor_lower_is_better_and_has_no_empty_target(cli, allow_plugins, tmp_path):
    # 强化质量发展引擎建设 is a task of lixian-departments (完成/基本完成/未完成, led by 县科技局, no target
    # figure): the form says how to fill it in, not 越高越好 or a target of —
    allow_plugins("lixian")
    out = tmp_path / "澧县.xlsx"
    assert cli("template", "lixian-departments", "--year", "2027", "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    sheet = book["填报"]
    assert sheet["B2"].value == "强化质量发展引擎建设"
    assert validations(sheet)["B2"].prompt.startswith(
        "强化质量发展引擎建设。牵头部门：县科技局；从下拉列表选择：完成、基本完成、未完成；二、重点任务")
    header = [cell.value for cell in sheet[2]]
    death = validations(sheet)[f"{openpyxl.utils.get_column_letter(header.index('亿元GDP生产安全事故死亡率（人/亿元）') + 1)}2"]
    assert "越低越好；2027年度目标：亿元GDP生产安全事故死亡率持续降低；牵头部门：县应急管理局；" in death.prompt
    rows = [list(row) for row in book["填报说明"].iter_rows(values_only=True)]
    task = next(row for row in rows if row[1] == "强化质量发展引擎建设")
    assert task[3:9] == [None, "—", "—", "—", "—", "县科技局"]


def test_the_long_layout_lists_a_row_per_unit_and_indicator(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    out = tmp_path / "long.xlsx"
    assert cli("template", "shizhu-township", "--year", "2025", "--layout", "long", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["填报"]
    assert [cell.value for cell in sheet[2]] == ["乡镇（街道）", "指标", "值"]
    assert sheet.max_row == 2 + 33 * 9
    assert [sheet.cell(row, 2).value for row in range(3, 12)] == TOWNSHIP_HEADER[1:]
    assert {sheet.cell(row, 1).value for row in range(3, 12)} == {"南宾街道"}
    found = validations(sheet)
    assert (found["C3"].type, found["C3"].formula2) == ("decimal", "100")
    assert found["C3"].promptTitle == "农产品质量安全例行监测合格率（%）"
    assert found["C3"].prompt.startswith("填0到100之间的数：98.5% 填 98.5，不要填 0.985；没有数据的留空。"
                                         "农产品质量安全例行监测合格率。单位：%；越高越好；2025年度目标：98%；")
    assert found["C11"].prompt == "填“是”或“否”；没有数据的留空。发生重大质量安全事故：发生的填“是”，没有发生的填“否”或留空。"
    assert all(len(dv.prompt) <= 255 for dv in found.values())
    assert found["C11"].formula1 == '"是,否"'
    assert sheet["C3"].protection.locked is False and sheet["B3"].protection.locked is True
    csv_form = cli("template", "shizhu-township", "--year", "2025", "--layout", "long", "--format", "csv")
    rows = read_csv_text(csv_form.stdout)
    assert rows[1] == ["乡镇（街道）", "指标", "值"] and rows[2] == ["南宾街道", "农产品质量安全例行监测合格率（%）", ""]


def test_the_csv_form_is_the_title_the_header_and_the_units(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("template", "shizhu-members", "--year", "2025", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeff2025年度石柱县质量强县建设成员单位考核填报表,,")
    rows = read_csv_text(result.stdout)
    assert rows[1][:3] == ["成员单位", "制造业质量竞争力指数", "高新技术企业（家）"]
    assert rows[2][:3] == ["县市场监管局", "", "不适用"]
    assert rows[3][:3] == ["县经济信息委", "不适用", ""]


def test_without_a_year_the_form_is_for_the_horizon_year_and_says_so(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("template", "shizhu-township", "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == "notice: a form for 2027, the plan's horizon year (give --year for another)\n"
    assert result.stdout.startswith("\ufeff2027年度石柱县乡镇（街道）质量强县工作考核填报表,")


def test_a_roster_file_stands_in_for_the_rulesets(cli, allow_plugins, write):
    allow_plugins("shizhu")
    roster = write("units.txt", "乡镇（街道）\n西沱镇\n黄水镇\n")
    result = cli("template", "shizhu-township", "--year", "2025", "--units", str(roster), "--format", "csv")
    assert [row[0] for row in read_csv_text(result.stdout)[2:]] == ["西沱镇", "黄水镇"]


def test_what_cannot_make_a_form_is_refused(cli, allow_plugins, write, tmp_path):
    allow_plugins("shizhu")
    result = cli("template", "shizhu-township", "--year", "2025", "--lead", "县农业委")
    assert result.exit_code == 2
    assert result.output.endswith("Error: '县农业委' leads and shares no indicator of ruleset 'shizhu-township'; did you "
                                  "mean 县农业农村委? (the departments that lead one: 县农业农村委, 县市场监管局)\n")
    result = cli("template", "shizhu-township", "--year", "2030")
    assert result.exit_code == 2
    assert result.output.endswith("Error: Invalid value for '--year': 2030 is outside the plan (2023 → 2027)\n")
    ruleset = write("no-roster.toml", (Path(__file__).parent.parent / "data" / "township.toml").read_text(encoding="utf-8"))
    result = cli("template", str(ruleset), "--year", "2025", "--format", "csv")
    assert result.exit_code == 2
    assert result.output.endswith("Error: ruleset 'test-township' lists no units ([roster]); give --units FILE with one "
                                  "unit name per line\n")

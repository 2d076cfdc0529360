"""``qscore merge`` and several files given to ``rank`` and ``explain``: 石柱's six member
departments each fill in the form ``qscore template --lead`` made for them, the office
adds its list of 被通报批评; merged, they are the bundled members-2025.csv, cell by cell,
and score as it scores.  A unit given two different values, a unit off the roster and a
file given twice are refused with the files and cells named; what is still missing is
checklisted by unit and by lead department; every figure keeps its source, which
``explain`` shows, from the several files and from the merged workbook alike.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from collect_kit import example_cells, fill_by_key

ROOT = Path(__file__).parent.parent.parent
MEMBERS = ROOT / "examples" / "shizhu" / "members-2025.csv"
DEPARTMENTS = ("县市场监管局", "县经济信息委", "县农业农村委", "县住房城乡建委", "县文化旅游委", "县商务委")
DEDUCTIONS = "成员单位,被通报批评\n县市场监管局,1\n县商务委,1\n"


@pytest.fixture
def submissions(cli, allow_plugins, tmp_path, monkeypatch) -> list[str]:
    """The six departments' forms, filled in with the example's figures, and the office's
    list of 被通报批评, in a folder that is the working directory (files named as sent)."""
    allow_plugins("shizhu")
    monkeypatch.chdir(tmp_path)
    cells = example_cells("shizhu-members", MEMBERS)
    names = []
    for department in DEPARTMENTS:
        blank = tmp_path / f"blank-{department}.xlsx"
        result = cli("template", "shizhu-members", "--year", "2025", "--lead", department, "-o", str(blank))
        assert result.exit_code == 0, result.output
        fill_by_key(blank, tmp_path / f"{department}.xlsx", cells, "shizhu-members", 2025, lead=department)
        names.append(f"{department}.xlsx")
    (tmp_path / "通报批评.csv").write_text(DEDUCTIONS, encoding="utf-8-sig")
    return [*names, "通报批评.csv"]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_departments_forms_merge_into_the_bundled_members_table(cli, submissions):
    result = cli("merge", "shizhu-members", *submissions, "-o", "汇总.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "缺报清单：无，6个单位的数据均已报齐\n"
    assert result.stderr == ("notice: 县市场监管局.xlsx + 6 more files: assessment year 2025, as the title in row 1 "
                             "('2025年度石柱县质量强县建设成员单位考核填报表（县市场监管…') in 县市场监管局.xlsx and 5 more "
                             "file(s) says (give --year to score for another)\n")
    merged = rows_of(Path("汇总.csv").read_text(encoding="utf-8-sig"))
    assert merged[0][0] == "2025年度石柱县质量强县建设成员单位考核汇总表"
    expected = rows_of(MEMBERS.read_text(encoding="utf-8-sig"))
    # The same table: the headers as the ruleset writes them (the example leaves off three
    # units of measure), the same units in the same order, the same figure in every cell
    # (a percentage written with its sign).
    assert [h for h in merged[1] if h not in expected[0]] == ["参与地方标准制定（个）", "企业标准（个）", "团体标准（个）"]
    assert [row[0] for row in merged[2:]] == [row[0] for row in expected[1:]]
    for got, want in zip(merged[2:], expected[1:]):
        assert [Decimal(cell.rstrip("%")) if cell else None for cell in got[1:]] == \
               [Decimal(cell) if cell else None for cell in want[1:]], got[0]
    assert {cell[-1:] for row in merged[2:] for cell in row[8:12] if cell} == {"%"}
    plain = cli("rank", "shizhu-members", str(MEMBERS), "--year", "2025", "--format", "csv").stdout_bytes
    assert cli("rank", "shizhu-members", "汇总.csv", "--format", "csv").stdout_bytes == plain


def test_rank_takes_the_submissions_directly_and_scores_what_the_example_scores(cli, submissions):
    plain = cli("rank", "shizhu-members", str(MEMBERS), "--year", "2025", "--format", "csv").stdout_bytes
    result = cli("rank", "shizhu-members", *submissions, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == plain
    quiet = cli("rank", "shizhu-members", *submissions, "--year", "2025", "--format", "csv")
    assert (quiet.stderr, quiet.stdout_bytes) == ("", plain)


def test_explain_names_the_file_and_cell_of_every_figure(cli, submissions):
    result = cli("explain", "shizhu-members", *submissions, "县商务委", "--year", "2025")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    sources = [line.strip() for line in lines if "来源" in line]
    # 县商务委's form has one column, 重庆老字号 (B), in its one row (3); its 被通报批评 is
    # the office list's row 3, column B.
    assert sources == ["来源：县商务委.xlsx 填报!B3", "扣分：被通报批评 1 次 → 2（来源：通报批评.csv B3）；合计 2"]
    shown = lines.index("     来源：县商务委.xlsx 填报!B3")
    assert lines[shown - 2].startswith(" 21. 重庆老字号（个）") and lines[shown - 1] == "     实际值：4，进度达标"
    market = cli("explain", "shizhu-members", *submissions, "县市场监管局", "--year", "2025").stdout
    # Its form: 制造业质量竞争力指数 first (B), 食品抽检合格率 fifth (F); an indicator that does not
    # apply to it has no 来源 line.
    assert "     实际值：87.8，进度滞后\n     来源：县市场监管局.xlsx 填报!B3\n" in market
    assert "     来源：县市场监管局.xlsx 填报!F3\n" in market
    assert market.count("来源：") == 16  # its 15 figures and its 被通报批评


def test_the_merged_workbook_keeps_each_values_source_and_the_checklist(cli, submissions):
    # Without the office's list, 被通报批评 is missing for every department.
    result = cli("merge", "shizhu-members", *submissions[:-1], "-o", "汇总.xlsx")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("缺报清单：6项未填报，涉及6个单位\n")
    book = openpyxl.load_workbook("汇总.xlsx")
    assert book.sheetnames == ["汇总", "缺报", "来源"]
    sources = [row for row in book["来源"].iter_rows(values_only=True)]
    assert sources[0] == ("单位", "项目", "代码", "值", "来源文件", "工作表", "单元格")
    assert ("县商务委", "重庆老字号（个）", "chongqing_time_honoured_brands", "4", "县商务委.xlsx", "填报", "B3") in sources
    # Every figure of the example (15 + 3 + 3 + 3 + 1 + 1) but its two 被通报批评.
    assert len(sources) == 1 + 26
    missing = [row for row in book["缺报"].iter_rows(values_only=True)]
    assert missing[0][0] == "缺报清单：6项未填报，涉及6个单位"
    assert ("（未定牵头部门）", "被通报批评", "6", "县市场监管局、县经济信息委、县农业农村委、县住房城乡建委、县文化旅游委、县商务委") in missing
    explained = cli("explain", "shizhu-members", "汇总.xlsx", "县商务委", "--year", "2025")
    assert "     来源：县商务委.xlsx 填报!B3\n" in explained.stdout
    assert explained.stderr.startswith("notice: 汇总.xlsx, sheet '汇总': the sheet 汇总 still lacks 6 value(s) the "
                                       "form asks for, scored as missing: 县市场监管局 被通报批评; ")


def test_a_value_changed_in_the_merged_workbook_is_its_own_source_with_a_notice(cli, submissions):
    assert cli("merge", "shizhu-members", *submissions, "-o", "汇总.xlsx").exit_code == 0
    book = openpyxl.load_workbook("汇总.xlsx")
    sheet = book["汇总"]
    header = [cell.value for cell in sheet[2]]
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 1).value == "县商务委")
    column = header.index("重庆老字号（个）") + 1
    sheet.cell(row, column).value = 5
    book.save("汇总.xlsx")
    letter = openpyxl.utils.get_column_letter(column)
    result = cli("explain", "shizhu-members", "汇总.xlsx", "县商务委", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert f"     来源：汇总.xlsx 汇总!{letter}{row}\n" in result.stdout
    assert result.stderr == (f"notice: 汇总.xlsx, sheet '汇总', cell {letter}{row}: 县商务委 重庆老字号（个）: 汇总 holds 5 "
                             f"where 县商务委.xlsx 填报!B3 gave 4; it was changed in this workbook, which is taken as "
                             f"its source (汇总!{letter}{row})\n")


def test_two_different_values_for_one_cell_name_both_files_and_cells(cli, submissions):
    Path("复核.csv").write_text("成员单位,重庆老字号（个）\n县商务委,5\n", encoding="utf-8-sig")
    result = cli("merge", "shizhu-members", *submissions, "复核.csv")
    assert result.exit_code == 1
    assert result.output == ("Error: unit '县商务委' is given two values for 重庆老字号（个）: 4 in 县商务委.xlsx 填报!B3 "
                             "and 5 in 复核.csv B2; correct the file that is wrong (or clear its cell)\n")
    # The same value twice is no conflict.
    Path("复核.csv").write_text("成员单位,重庆老字号（个）\n县商务委,4.0\n", encoding="utf-8-sig")
    assert cli("merge", "shizhu-members", *submissions, "复核.csv").exit_code == 0
    same = cli("rank", "shizhu-members", *submissions, "复核.csv", "--format", "csv")
    assert same.exit_code == 0, same.output


def test_a_unit_off_the_roster_and_a_file_given_twice_are_refused(cli, submissions):
    Path("错名.csv").write_text("成员单位,被通报批评\n县市监局,1\n", encoding="utf-8-sig")
    result = cli("merge", "shizhu-members", "县商务委.xlsx", "错名.csv")
    assert result.exit_code == 1
    assert result.output == ("Error: 错名.csv, row 2: unit '县市监局' is not on the roster of 6 units (石柱府发〔2024〕14号 "
                             "附件《石柱县质量发展主要指标》“牵头部门”一列); did you mean 县市场监管局? (a new or renamed unit: "
                             "update the roster, or give --units FILE)\n")
    twice = cli("merge", "shizhu-members", "县商务委.xlsx", "./县商务委.xlsx")
    assert twice.exit_code == 2
    assert twice.output.endswith("Error: Invalid value for DATA: ./县商务委.xlsx is given twice; give each submission "
                                 "once\n")


def test_units_no_file_names_are_on_the_checklist_and_refused_by_rank(cli, submissions):
    result = cli("merge", "shizhu-members", "县商务委.xlsx", "县农业农村委.xlsx", "-o", "两家.csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "缺报清单：28项未填报，涉及6个单位"
    assert lines[3].split() == ["单位", "缺报数", "缺报项目"]
    assert lines[5].split()[:2] == ["县市场监管局", "16"]
    assert [line.split()[:2] for line in lines[6:11]] == [["县经济信息委", "4"], ["县农业农村委", "1"],
                                                          ["县住房城乡建委", "4"], ["县文化旅游委", "2"], ["县商务委", "1"]]
    ranked = cli("rank", "shizhu-members", "县商务委.xlsx", "县农业农村委.xlsx", "--year", "2025")
    assert ranked.exit_code == 1
    assert ranked.output.splitlines()[:2] == [
        "Error: 4 problems:",
        "  unit '县市场监管局' of the roster of 6 units (石柱府发〔2024〕14号 附件《石柱县质量发展主要指标》“牵头部门”一列) is "
        "in none of the 2 files (add its file, or give --partial)"]


def test_the_guides_department_forms_score_as_the_townships_example(cli, allow_plugins):
    # docs/zh/examples: 县农业农村委 and 县市场监管局 filled in their --lead forms with
    # townships-2025.csv's figures (leaving 洗新乡's 注册商标量 and 石家乡's 生活性服务业质量满意度
    # empty, as the example has no figure for them), the office's list of 加分/扣分/否决.
    allow_plugins("shizhu")
    guide = ROOT / "docs" / "zh" / "examples"
    files = [str(guide / name) for name in ("县农业农村委.xlsx", "县市场监管局.xlsx", "加减分.csv")]
    for name, lead, width in (("县农业农村委.xlsx", "县农业农村委", 2), ("县市场监管局.xlsx", "县市场监管局", 5)):
        sheet = openpyxl.load_workbook(guide / name)["填报"]
        assert sheet["A1"].value == f"2025年度石柱县乡镇（街道）质量强县工作考核填报表（{lead}）"
        assert (sheet.max_row, sheet.max_column) == (35, width)
    plain = cli("rank", "shizhu-township", str(ROOT / "examples" / "shizhu" / "townships-2025.csv"), "--year", "2025",
                "--format", "csv").stdout_bytes
    result = cli("rank", "shizhu-township", *files, "--year", "2025", "--format", "csv")
    assert (result.exit_code, result.stdout_bytes) == (0, plain), result.output


def test_forms_of_two_years_need_the_year_and_then_say_it(cli, submissions, monkeypatch):
    blank = Path("blank-2026.xlsx")
    assert cli("template", "shizhu-members", "--year", "2026", "--lead", "县商务委", "-o", str(blank)).exit_code == 0
    book = openpyxl.load_workbook(blank)
    book["填报"]["B3"] = 5
    book.save("县商务委2026.xlsx")
    result = cli("merge", "shizhu-members", "县农业农村委.xlsx", "县商务委2026.xlsx")
    assert result.exit_code == 1
    assert result.output == ("Error: 县农业农村委.xlsx + 县商务委2026.xlsx: the data (县农业农村委.xlsx 2025, 县商务委2026.xlsx "
                             "2026) names the years 2025, 2026; give --year with the assessment year\n")
    monkeypatch.setenv("QSCORE_LANG", "zh")  # as an examiner reads it: each file with its year
    result = cli("merge", "shizhu-members", "县农业农村委.xlsx", "县商务委2026.xlsx")
    assert result.output == ("错误：文件 县农业农村委.xlsx + 县商务委2026.xlsx：数据（县农业农村委.xlsx 为 2025 年，"
                             "县商务委2026.xlsx 为 2026 年）写明了多个年份 2025，2026，请用 --year 指定考核年度\n")
    monkeypatch.setenv("QSCORE_LANG", "en")
    result = cli("merge", "shizhu-members", "县农业农村委.xlsx", "县商务委2026.xlsx", "--year", "2026")
    assert result.exit_code == 0
    assert result.stderr.startswith("notice: 县农业农村委.xlsx + 县商务委2026.xlsx: scored for 2026, as --year says, though "
                                    "the data (县农业农村委.xlsx 2025, 县商务委2026.xlsx 2026) names the years 2025, 2026\n")


# -- the property ------------------------------------------------------------------------------

TOWNSHIPS = ROOT / "examples" / "shizhu" / "townships-2025.csv"


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_townships_split_any_way_into_files_merge_back_to_the_example(cli, allow_plugins, tmp_path, data):
    # Each cell of the example goes to one or two of up to four files (the same value twice
    # is no conflict); a file has the columns and the units it got a cell of.
    allow_plugins("shizhu")
    rows = rows_of(TOWNSHIPS.read_text(encoding="utf-8-sig"))
    header, body = rows[0], rows[1:]
    count = data.draw(st.integers(1, 4), label="files")
    given_to: dict[tuple[int, int], set[int]] = {}
    for row in range(len(body)):
        for column in range(1, len(header)):
            if body[row][column]:
                given_to[(row, column)] = data.draw(st.sets(st.integers(0, count - 1), min_size=1, max_size=2),
                                                    label=f"{body[row][0]} {header[column]}")
    files = []
    for number in range(count):
        mine = {key for key, chosen in given_to.items() if number in chosen}
        columns = sorted({column for _, column in mine})
        units = sorted({row for row, _ in mine})
        if not columns:
            continue
        path = tmp_path / f"part{number}.csv"
        lines = [[header[0], *(header[c] for c in columns)]]
        lines += [[body[r][0], *(body[r][c] if (r, c) in mine else "" for c in columns)] for r in units]
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            csv.writer(stream).writerows(lines)
        files.append(str(path))
    plain = cli("rank", "shizhu-township", str(TOWNSHIPS), "--year", "2025", "--format", "csv").stdout_bytes
    ranked = cli("rank", "shizhu-township", *files, "--year", "2025", "--format", "csv")
    assert (ranked.exit_code, ranked.stdout_bytes) == (0, plain), ranked.output
    merged = tmp_path / "汇总.xlsx"
    assert cli("merge", "shizhu-township", *files, "--year", "2025", "-o", str(merged)).exit_code == 0
    assert cli("rank", "shizhu-township", str(merged), "--format", "csv").stdout_bytes == plain


def test_a_unit_missing_a_figure_in_files_scored_together_is_pointed_to_in_its_own_file(cli, tmp_path, monkeypatch):
    # Two files scored together: the error for a missing value names the file and row
    # where the unit's line is (西沱镇 is row 2 of b.csv's data, line 3), not a row of the
    # merged table, which exists in no file.
    monkeypatch.chdir(tmp_path)
    ruleset = (ROOT / "tests" / "data" / "township.toml").read_text(encoding="utf-8")
    Path("strict.toml").write_text(ruleset.replace('base_year = 2023', 'base_year = 2023\nmissing = "error"', 1),
                                   encoding="utf-8")
    header = "单位,食品抽检合格率（%）,流通领域药品抽检合格率,重点任务完成情况,获市长质量管理奖,发生重大质量安全事故\n"
    Path("a.csv").write_text(header + "南宾街道,97.5,99.2,完成,,\n", encoding="utf-8")
    Path("b.csv").write_text(header + "万安街道,96.1,99.0,完成,,\n西沱镇,,98.5,基本完成,,\n", encoding="utf-8")
    result = cli("rank", "strict.toml", "a.csv", "b.csv", "--year", "2025", "--partial")
    assert result.exit_code == 1
    assert result.stderr.endswith("Error: b.csv, row 3, column '食品抽检合格率（%）': unit '西沱镇' has no value for "
                                  "食品抽检合格率, and the ruleset's missing-value policy is 'error'\n")


def test_a_department_filling_a_column_it_does_not_lead_is_used_and_said(cli, allow_plugins, tmp_path, monkeypatch):
    # 县农业农村委's form asks only for 农产品质量安全例行监测合格率; the office there adds
    # 县市场监管局's 每万户市场主体有效注册商标量 and fills 洗新乡 (which 县市场监管局 left
    # empty: examples/shizhu/townships-2025.csv has no figure for it).  The figure lands at
    # 洗新乡 × 商标量, so nothing is missing any more; the examiner is told whose it is.
    allow_plugins("shizhu")
    monkeypatch.chdir(tmp_path)
    header = "每万户市场主体有效注册商标量（件）"
    for lead in ("县农业农村委", "县市场监管局"):
        assert cli("template", "shizhu-township", "--year", "2025", "--lead", lead, "-o", f"{lead}空表.xlsx").exit_code == 0
    book = openpyxl.load_workbook("县市场监管局空表.xlsx")
    sheet = book["填报"]
    assert sheet.cell(2, 3).value == header
    sheet.cell(3, 3).value = 1449  # 南宾街道, the first unit
    book.save("县市场监管局.xlsx")
    book = openpyxl.load_workbook("县农业农村委空表.xlsx")
    sheet = book["填报"]
    assert [cell.value for cell in sheet[2]] == ["乡镇（街道）", "农产品质量安全例行监测合格率（%）"]
    rows = {sheet.cell(row, 1).value: row for row in range(3, sheet.max_row + 1)}
    sheet.protection.sheet = False
    sheet.cell(2, 3).value = header
    sheet.cell(rows["洗新乡"], 3).value = 1200
    book.save("县农业农村委.xlsx")
    result = cli("merge", "shizhu-township", "县农业农村委.xlsx", "县市场监管局.xlsx", "-o", "汇总.xlsx")
    assert result.exit_code == 0, result.output
    assert ("notice: 县农业农村委.xlsx, sheet '填报', column '每万户市场主体有效注册商标量（件）': this is the form of "
            "县农业农村委, which neither leads nor shares 每万户市场主体有效注册商标量 (lead: 县市场监管局); the values "
            "it gives for 1 unit(s) (洗新乡) are used: check them with the lead department\n") in result.stderr
    merged = openpyxl.load_workbook("汇总.xlsx")["汇总"]
    column = [cell.value for cell in merged[2]].index(header) + 1
    units = {merged.cell(row, 1).value: row for row in range(3, merged.max_row + 1)}
    assert merged.cell(units["洗新乡"], column).value == 1200
    assert merged.cell(units["南宾街道"], column).value == 1449
    # Each department's own columns alone: no such notice.
    alone = cli("merge", "shizhu-township", "县农业农村委空表.xlsx", "县市场监管局.xlsx", "-o", "汇总2.xlsx")
    assert alone.exit_code == 0, alone.output
    assert "neither leads nor shares" not in alone.stderr

"""A form filled in as a person types (numbers, 98.5, 98.5%, 完成, 是) reads back through
``rank`` with no notice but the year's and those of the units without a value, and scores
exactly what the same values in a plain CSV score: the same bytes of CSV output.  A form
of one year is scored as another only as --year says, with a notice.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import SEED_EXAMPLES
from collect_kit import Percent, fill, fill_long, plain_csv, typed

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "shizhu" / "townships-2025.csv"
YEAR_NOTICE = ("notice: {file}: assessment year {year}, as the title in row 1 ('{title}') says (give --year to score "
               "for another)\n")


def year_notice(path: Path, year: int, title: str) -> str:
    shown = title if len(title) <= 30 else title[:30] + "…"
    return YEAR_NOTICE.format(file=path, year=year, title=shown)


def missing_notice(path: Path, header: str, name: str, units: list[str], sheet: str | None = "填报") -> str:
    """The notice of the units without a value for indicator ``name`` (in column ``header``),
    which the 'zero' policy scores 0."""
    where = f"{path}, sheet '{sheet}'" if sheet else f"{path}"
    shown = "、".join(units[:5]) + (" …" if len(units) > 5 else "")
    return (f"notice: {where}, column '{header}': {len(units)} unit(s) have no value for {name} ({shown}): "
            "scored 0 under the missing-value policy 'zero'\n")


def example_missing(path: Path, sheet: str | None = "填报") -> str:
    """The notices for the township example's two empty cells: 洗新乡 gave no 商标量, 石家乡
    "-" for 生活性服务业质量满意度."""
    return (missing_notice(path, "每万户市场主体有效注册商标量（件）", "每万户市场主体有效注册商标量", ["洗新乡"], sheet)
            + missing_notice(path, "生活性服务业质量满意度", "生活性服务业质量满意度", ["石家乡"], sheet))


def form(cli, tmp_path: Path, ruleset: str, year: int, *options: str) -> Path:
    out = tmp_path / f"{ruleset}-{year}{'-'.join(options)}.xlsx"
    result = cli("template", ruleset, "--year", str(year), *options, "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def example_values() -> tuple[list[str], list[list[str]]]:
    with EXAMPLE.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    return rows[0], rows[1:]


def test_the_townships_example_typed_into_the_form_scores_what_the_csv_scores(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    blank = form(cli, tmp_path, "shizhu-township", 2025)
    header, rows = example_values()
    assert [cell.value for cell in openpyxl.load_workbook(blank)["填报"][2]] == header
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {(row[0], name): typed(text) for row in rows for name, text in zip(header[1:], row[1:])
                         if text})
    from_form = cli("rank", "shizhu-township", str(filled), "--format", "csv")
    assert from_form.exit_code == 0, from_form.output
    assert from_form.stderr == (year_notice(filled, 2025, "2025年度石柱县乡镇（街道）质量强县工作考核填报表")
                                + example_missing(filled))
    from_csv = cli("rank", "shizhu-township", str(EXAMPLE), "--year", "2025", "--format", "csv")
    assert from_csv.stderr == example_missing(EXAMPLE, sheet=None)
    assert from_form.stdout_bytes == from_csv.stdout_bytes
    # With --year saying the form's own year there is no notice but the empty cells'.
    assert cli("rank", "shizhu-township", str(filled), "--year", "2025",
               "--format", "csv").stderr == example_missing(filled)


def test_a_form_of_one_year_is_scored_as_another_only_as_year_says(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    blank = form(cli, tmp_path, "shizhu-township", 2025)
    header, rows = example_values()
    filled = tmp_path / "西沱镇等.xlsx"
    fill(blank, filled, {(row[0], name): typed(text) for row in rows for name, text in zip(header[1:], row[1:])
                         if text})
    own = cli("rank", "shizhu-township", str(filled), "--format", "csv")
    assert own.exit_code == 0 and own.stderr == (f"notice: {filled}: assessment year 2025, as the title in row 1 "
                                                 "('2025年度石柱县乡镇（街道）质量强县工作考核填报表') says (give --year "
                                                 "to score for another)\n" + example_missing(filled))
    assert own.stdout_bytes == cli("rank", "shizhu-township", str(EXAMPLE), "--year", "2025",
                                   "--format", "csv").stdout_bytes
    other = cli("rank", "shizhu-township", str(filled), "--year", "2026", "--format", "csv")
    assert other.exit_code == 0, other.output
    assert other.stderr == (f"notice: {filled}: scored for 2026, as --year says, though the title in row 1 "
                            "('2025年度石柱县乡镇（街道）质量强县工作考核填报表') says 2025\n" + example_missing(filled))
    plain = cli("rank", "shizhu-township", str(EXAMPLE), "--year", "2026", "--format", "csv")
    assert other.stdout_bytes == plain.stdout_bytes


def test_the_long_and_csv_forms_read_back_too(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    header, rows = example_values()
    plain = cli("rank", "shizhu-township", str(EXAMPLE), "--year", "2025", "--format", "csv").stdout_bytes
    long_form = form(cli, tmp_path, "shizhu-township", 2025, "--layout", "long")
    filled = tmp_path / "long-filled.xlsx"
    fill_long(long_form, filled, {(row[0], name): typed(text) for row in rows for name, text in zip(header[1:], row[1:])
                                  if text})
    result = cli("rank", "shizhu-township", str(filled), "--format", "csv")
    assert (result.exit_code, result.stdout_bytes) == (0, plain), result.output
    # The long layout has one column of values, 值, for every indicator: the notice names it.
    assert result.stderr == (year_notice(filled, 2025, "2025年度石柱县乡镇（街道）质量强县工作考核填报表")
                             + missing_notice(filled, "值", "每万户市场主体有效注册商标量", ["洗新乡"])
                             + missing_notice(filled, "值", "生活性服务业质量满意度", ["石家乡"]))
    csv_form = tmp_path / "form.csv"
    assert cli("template", "shizhu-township", "--year", "2025", "-o", str(csv_form)).exit_code == 0
    lines = csv_form.read_text(encoding="utf-8-sig").splitlines()
    csv_form.write_text("\n".join(lines[:2] + [",".join(row) for row in rows]) + "\n", encoding="utf-8-sig")
    result = cli("rank", "shizhu-township", str(csv_form), "--format", "csv")
    assert (result.exit_code, result.stdout_bytes) == (0, plain), result.output
    assert result.stderr == (year_notice(csv_form, 2025, "2025年度石柱县乡镇（街道）质量强县工作考核填报表")
                             + example_missing(csv_form, sheet=None))


def test_a_title_row_that_is_not_the_forms_is_still_a_notice(cli, allow_plugins, tmp_path):
    # qscore's own title row needs no notice; an office's title row above the same table does.
    allow_plugins("shizhu")
    header, rows = example_values()
    data = tmp_path / "data.csv"
    data.write_text("\n".join(["2025年度乡镇质量工作考核数据表", ",".join(header), *(",".join(r) for r in rows)]) + "\n",
                    encoding="utf-8-sig")
    result = cli("rank", "shizhu-township", str(data), "--format", "csv")
    assert result.stderr.startswith(f"notice: {data}, row 1: skipped a title row above the header: "
                                    "'2025年度乡镇质量工作考核数据表'\n")


# -- the property ------------------------------------------------------------------------------

def _numbers(low: str, high: str) -> st.SearchStrategy[Decimal]:
    return st.decimals(Decimal(low), Decimal(high), places=2, allow_nan=False, allow_infinity=False)


def cell_strategy(column, missing: str) -> st.SearchStrategy[object]:
    """A value in the column's range as a person types it; or nothing, for a value of an
    indicator whose missing values score 0 (a figure a target needs is always given)."""
    if column.levels:
        value: st.SearchStrategy[object] = st.sampled_from(column.levels)
    elif column.item_kind == "veto":
        value = st.sampled_from(["是", "否"])
    elif column.item is not None:
        value = st.integers(0, 3)
    elif column.unit == "%":
        # Figures above 1.5: a column of small ones reads as fractions (refused, as tested elsewhere).
        value = _numbers("2", "100").flatmap(lambda d: st.sampled_from([d, Percent(d), f"{d}"]))
    else:
        value = _numbers("0", "2000")
    return st.one_of(st.none(), value) if column.kind != "figure" and missing == "zero" else value


def as_typed(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Percent):
        return f"{value.figure}%"
    return str(value)


@pytest.mark.parametrize("ruleset, year", [("shizhu-township", 2025), ("lixian-departments", 2027)])
@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_values_in_range_typed_into_the_form_score_as_the_same_csv(cli, allow_plugins, tmp_path, ruleset, year,
                                                                       data):
    from qscore import load_plugins
    from qscore.collect.forms import form_columns, form_units

    allow_plugins("shizhu", "lixian")
    loaded = load_plugins().ruleset(ruleset)
    columns = form_columns(loaded, year)
    units = form_units(loaded, None)
    blank = tmp_path / f"{ruleset}.xlsx"
    if not blank.exists():
        assert cli("template", ruleset, "--year", str(year), "-o", str(blank)).exit_code == 0
    policy = {column.key: (column.indicator.missing if column.indicator else None) or loaded.missing
              for column in columns}
    values = {(unit, column.header): data.draw(cell_strategy(column, policy[column.key]),
                                               label=f"{unit} {column.header}")
              for unit in units for column in columns if column.applies(unit)}
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {key: as_typed(value) for key, value in values.items() if value is not None})
    header = [loaded.unit_kind, *(column.header for column in columns)]
    rows = [[unit, *(as_text(values.get((unit, column.header))) if column.applies(unit) else column.exempt_text(unit)
                     for column in columns)] for unit in units]
    plain = plain_csv(tmp_path / "plain.csv", header, rows)
    from_form = cli("rank", ruleset, str(filled), "--format", "csv")
    from_csv = cli("rank", ruleset, str(plain), "--year", str(year), "--format", "csv")
    assert from_csv.exit_code == 0, from_csv.output
    assert from_form.exit_code == 0, from_form.output
    # Each indicator with units left empty gives one notice, in the form's order of columns.
    empty = [(column, [unit for unit in units if column.applies(unit) and values[(unit, column.header)] is None])
             for column in columns if column.kind == "value"]
    assert from_form.stderr == year_notice(filled, year, f"{year}年度{loaded.title}填报表") + "".join(
        missing_notice(filled, column.header, column.name, lacking) for column, lacking in empty if lacking)
    assert from_csv.stderr == "".join(missing_notice(plain, column.header, column.name, lacking, sheet=None)
                                      for column, lacking in empty if lacking)
    assert from_form.stdout_bytes == from_csv.stdout_bytes


#: Every seed example but the township one, which the tests above type in, and last year's county one.
BUNDLED = [case for case in SEED_EXAMPLES if case[1] not in ("shizhu/townships-2025.csv", "shizhu/county-2024.csv")]

#: The examples' units without a value for an indicator they are assessed on, as read in
#: the files: (the form's header, the indicator, the unit).
EMPTY = {"chongqing-districts": [("装配式建筑面积占新建建筑面积的比例（%）", "装配式建筑面积占新建建筑面积的比例", "城口县")],  # —
         "guizhou-prefectures": [("数字经济占地区生产总值比重（%）", "数字经济占地区生产总值比重", "毕节市"),
                                 ("农村公路优良中等路率（%）", "农村公路优良中等路率", "铜仁市")],  # empty, -
         "kaizhou-towns": [("食品抽检合格率（%）", "食品抽检合格率", "五通乡"),  # —
                           ("制造业产品质量合格率（%）", "制造业产品质量合格率", "紫水乡")],
         "kaizhou-departments": [("提升标准的引领作用", "提升标准的引领作用", "区城市管理局")],  # it applies_to
         "lixian-departments": [("加快服务质量升级", "加快服务质量升级", "县统计局")],
         "yongchuan-towns": [("食品抽检合格率（%）", "食品抽检合格率", "双石镇")],
         "yongchuan-departments": [("加强质量信用建设", "加强质量信用建设", "区公共资源事务中心")]}


@pytest.mark.parametrize("ruleset, example, year", BUNDLED, ids=[case[0] for case in BUNDLED])
def test_every_bundled_example_typed_into_its_form_scores_what_the_example_scores(cli, allow_plugins, tmp_path,
                                                                                  ruleset, example, year):
    # Every seed's form: its @ figures (上年, 省下达, 全省平均 …), task levels, 不适用 cells and
    # items, typed in as a person types them.
    from collect_kit import example_cells, fill_by_key

    allow_plugins(ruleset.split("-")[0])
    data = EXAMPLE.parent.parent / example
    blank = tmp_path / "blank.xlsx"
    assert cli("template", ruleset, "--year", str(year), "-o", str(blank)).exit_code == 0
    filled = tmp_path / "filled.xlsx"
    fill_by_key(blank, filled, example_cells(ruleset, data), ruleset, year)
    from_form = cli("rank", ruleset, str(filled), "--year", str(year), "--format", "csv")
    expected = "".join(missing_notice(filled, header, name, [unit]) for header, name, unit in EMPTY.get(ruleset, []))
    assert (from_form.exit_code, from_form.stderr) == (0, expected), from_form.output
    assert from_form.stdout_bytes == cli("rank", ruleset, str(data), "--year", str(year), "--format", "csv").stdout_bytes

"""`qscore import-table`: a plan's indicator table (石柱's annex) to a ruleset to finish by hand."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from qscore.rulesets import load_ruleset
from qscore.targets import Absolute, Maintain

ANNEX = DATA / "shizhu_annex.csv"  # 石柱's annex (seed 000), saved from Excel as UTF-8 with BOM


def test_shizhu_annex_becomes_a_loadable_ruleset(cli, catalog, tmp_path):
    out = tmp_path / "shizhu.toml"
    result = cli("import-table", str(ANNEX), "-o", str(out), "--id", "shizhu-annex",
                 "--jurisdiction", "重庆市石柱土家族自治县")
    assert result.exit_code == 0, result.output
    assert result.stderr == "26 indicators, 2023 → 2027; 8 flagged for review (# 待核对)\n"
    ruleset = load_ruleset(out, catalog.rule_types)
    assert (ruleset.id, ruleset.base_year, ruleset.horizon_year) == ("shizhu-annex", 2023, 2027)
    # The annex repeats 服务质量水平 after a page break and splits 产品质量/水平 over two lines.
    assert [c.name for c in ruleset.categories] == ["产业质量竞争力水平", "产品质量水平", "工程质量水平",
                                                    "服务质量水平", "质量基础设施建设水平"]
    assert len(ruleset.indicators) == 26
    # 100 points over 26 indicators: 3.84 each, the 0.16 left over goes to the first (4.00).
    assert ruleset.full_marks == Decimal(100)
    assert ruleset.indicators[0].points == Decimal(4) and ruleset.indicators[1].points == Decimal("3.84")


def indicators_by_name(cli, catalog, tmp_path):
    out = tmp_path / "shizhu.toml"
    assert cli("import-table", str(ANNEX), "-o", str(out)).exit_code == 0
    return {i.name: i for i in load_ruleset(out, catalog.rule_types).indicators}, out.read_text(encoding="utf-8")


def test_units_come_from_brackets_and_baselines_from_the_2023_column(cli, catalog, tmp_path):
    found, _ = indicators_by_name(cli, catalog, tmp_path)
    firms = found["高新技术企业"]
    assert (firms.unit, firms.baseline, firms.direction, firms.rule.type) == ("家", 17, "higher", "progress")
    assert isinstance(firms.target, Absolute) and firms.target.value == 35
    assert firms.lead == "县经济信息委" and firms.category == "c1"
    assert found["农产品质量安全例行监测合格率"].unit == "%"
    assert found["每万人口高价值发明专利拥有量"].baseline == Decimal("0.4")
    # The full-width brackets of a name part that is not a unit stay as the plan wrote them.
    assert "重庆市市长质量管理奖（含提名奖）" in found


def test_98_to_98_is_a_value_to_hold(cli, catalog, tmp_path):
    found, _ = indicators_by_name(cli, catalog, tmp_path)
    held = found["农产品质量安全例行监测合格率"]
    assert isinstance(held.target, Maintain) and held.target.value == 98 and held.rule.type == "pass_fail"


def test_a_dash_baseline_is_flagged_and_scored_pass_fail(cli, catalog, tmp_path):
    found, text = indicators_by_name(cli, catalog, tmp_path)
    cluster = found["全国优势农业特色产业集群"]
    assert cluster.baseline is None and cluster.rule.type == "pass_fail" and cluster.unit == "个"
    block = text[:text.index('name = "全国优势农业特色产业集群"')].rsplit("\n\n", 1)[1]
    assert block.splitlines()[:2] == ["# 待核对: 无基期值（-），规则设为达标制（pass_fail）",
                                      "# 待核对: 方向无从判断（无基期值），按名称猜作「越高越好」"]


def test_units_not_in_brackets_are_guessed_and_flagged(cli, catalog, tmp_path):
    found, text = indicators_by_name(cli, catalog, tmp_path)
    assert found["公共服务质量满意度"].unit == "分"
    assert found["企业标准"].unit == ""
    assert text.count("# 待核对: 单位未标注，请补 unit") == 3  # 参与地方标准制定, 企业标准, 团体标准


def test_lower_is_better_and_wording_in_cells(cli, catalog, write):
    table = write("plan.csv", """
        类别,指标名称,基期值,目标值,牵头单位
        绿色发展,单位GDP能耗（吨标煤/万元）,0.5,0.45,县发展改革委
        ,食品抽检合格率（%）,96,≥98,县市场监管局
        ,亿元GDP生产安全事故死亡率,-,≤0.05,县应急管理局
        ,地表水水质优良比例,90,完成市下达任务,县生态环境局
        """)
    result = cli("import-table", str(table), "--base-year", "2024", "--horizon-year", "2028")
    assert result.exit_code == 0, result.output
    text = result.stdout
    blocks = {re.search(r'name = "([^"]+)"', b).group(1): b for b in text.split("\n\n") if "[[indicators]]" in b}
    assert 'direction = "lower"' in blocks["单位GDP能耗"]
    assert "# 待核对: 目标值低于基期值，按「越低越好」处理，请核对" in blocks["单位GDP能耗"]
    assert 'unit = "吨标煤/万元"' in blocks["单位GDP能耗"]
    assert "target = 98" in blocks["食品抽检合格率"] and 'notes = ["表中目标值为「≥98」"]' in blocks["食品抽检合格率"]
    assert 'direction = "lower"' in blocks["亿元GDP生产安全事故死亡率"] and "target = 0.05" in blocks["亿元GDP生产安全事故死亡率"]
    assert "# target = ?   ← 目标值不是数值，请填写" in blocks["地表水水质优良比例"]
    assert "# 待核对: 目标值「完成市下达任务」不是数值，请手工填写" in blocks["地表水水质优良比例"]
    assert "base_year = 2024\nhorizon_year = 2028" in text


def test_a_table_without_years_needs_them_given(cli, write):
    table = write("plan.csv", "指标名称,基期值,目标值\n食品抽检合格率（%）,96,98\n")
    result = cli("import-table", str(table))
    assert result.exit_code == 1
    assert result.output == f"Error: {table}, row 1: the header '基期值' names no year; give --base-year\n"


def test_a_table_without_a_name_column_is_refused(cli, write):
    table = write("plan.csv", "类别,2023年,2027年\n产品,96,98\n")
    result = cli("import-table", str(table))
    assert result.exit_code == 1
    assert result.output == (f"Error: {table}, row 1: no name column; expected a header such as "
                             "指标名称 / 指标 / 名称\n")


def test_xlsx_goes_through_the_registered_readers(cli, tmp_path):
    import csv
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    with ANNEX.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            workbook.active.append(row)
    workbook.save(tmp_path / "shizhu_annex.xlsx")
    from_csv, from_xlsx = tmp_path / "csv.toml", tmp_path / "xlsx.toml"
    assert cli("import-table", str(ANNEX), "-o", str(from_csv)).exit_code == 0
    result = cli("import-table", str(tmp_path / "shizhu_annex.xlsx"), "-o", str(from_xlsx))
    assert result.exit_code == 0, result.output
    drop_source = lambda path: [line for line in path.read_text(encoding="utf-8").splitlines()  # noqa: E731
                                if "shizhu_annex." not in line and "指标表第" not in line]
    # Row numbers differ: the CSV has a cell split over two lines (产品质量/水平), a sheet does not.
    assert drop_source(from_xlsx) == drop_source(from_csv)


def test_a_plug_in_reader_is_used_by_suffix(cli, write, tmp_path):
    # A folder plug-in reading tab-separated tables: import-table finds it by the suffix.
    plugins = tmp_path / "plugins"
    write("plugins/tsv_reader.py", '''
        from qscore import hookimpl
        from qscore.reading.table import RawTable

        def read_tsv(path, options):
            lines = [line.split("\\t") for line in path.read_text(encoding="utf-8").splitlines()]
            return RawTable(file=str(path), header=tuple(lines[0]), rows=lines[1:],
                            row_numbers=list(range(2, len(lines) + 1)))

        @hookimpl
        def qscore_register_readers(register):
            register("tsv", read_tsv, suffixes=(".tsv",))
        ''')
    table = write("plan.tsv", "指标名称\t2023年\t2027年\n高新技术企业（家）\t17\t35\n")
    result = cli("--plugins-dir", str(plugins), "import-table", str(table))
    assert result.exit_code == 0, result.output
    assert 'name = "高新技术企业"\nunit = "家"\ndirection = "higher"\nbaseline = 17\ntarget = 35' in result.stdout


def test_the_output_file_is_not_left_half_written(cli, write, tmp_path):
    table = write("plan.csv", "类别,2023年,2027年\n产品,96,98\n")
    out = tmp_path / "out.toml"
    assert cli("import-table", str(table), "-o", str(out)).exit_code == 1
    assert not out.exists() and list(tmp_path.glob(".out.toml.*")) == []


NAMES = ["食品抽检合格率", "高新技术企业", "地理标志", "企业标准", "质量满意度", "能耗", "商标量", "景区"]


@st.composite
def indicator_tables(draw):
    """Indicator tables with random baselines (sometimes `-`) and targets."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=len(NAMES), unique=True))
    rows = []
    for name in names:
        unit = draw(st.sampled_from(["%", "家", "个"]))
        figure = st.decimals(min_value=0, max_value=100, places=draw(st.integers(0, 2)))
        baseline = draw(st.one_of(st.none(), figure))
        rows.append((f"{name}（{unit}）", baseline, draw(figure)))
    return rows


@settings(max_examples=60, deadline=None)
@given(indicator_tables())
def test_any_numeric_table_imports_to_a_ruleset_that_keeps_its_figures(rows):
    from qscore.reading.table import RawTable
    from qscore.authoring.importer import read_table, to_toml
    from qscore.plugins.manager import load_plugins
    from qscore.rulesets import parse_ruleset

    raw = RawTable(file="t.csv", header=("类别", "指标名称", "2023年", "2027年", "牵头部门"),
                   rows=[["产品" if n == 0 else "", name, "-" if b is None else f"{b:f}", f"{t:f}", "县市场监管局"]
                         for n, (name, b, t) in enumerate(rows)], row_numbers=list(range(2, len(rows) + 2)))
    text = to_toml(read_table(raw), ruleset_id="t", title="测试", jurisdiction="测试县")
    ruleset = parse_ruleset(tomllib.loads(text, parse_float=Decimal), load_plugins(entry_points=False).rule_types)
    assert ruleset.full_marks == 100
    for indicator, (name, baseline, target) in zip(ruleset.indicators, rows):
        assert indicator.name + f"（{indicator.unit}）" == name
        assert indicator.baseline == baseline
        assert indicator.target.value == target
        assert indicator.category == "c1"  # continuation rows take the category above
        if baseline is not None:
            assert indicator.direction == ("lower" if target < baseline else "higher")
            assert isinstance(indicator.target, Maintain) == (target == baseline)


def test_an_annex_laid_out_by_an_office_imports_like_the_clean_one(cli, tmp_path):
    # The same layout recognition as data files: a title row, a 序号 column, a note row.
    import csv
    import io

    clean = tmp_path / "clean.toml"
    assert cli("import-table", str(ANNEX), "-o", str(clean), "--id", "annex").exit_code == 0
    rows = list(csv.reader(io.StringIO(ANNEX.read_text(encoding="utf-8-sig"), newline="")))
    office = tmp_path / "shizhu_annex.csv"
    with office.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["附件：石柱县质量强县主要指标"])
        writer.writerow(["序号", *rows[0]])
        writer.writerows([[n, *row] for n, row in enumerate(rows[1:], 1)])
        writer.writerow(["注：指标值以统计部门公布数据为准。"])
    out = tmp_path / "office.toml"
    result = cli("import-table", str(office), "-o", str(out), "--id", "annex")
    assert result.exit_code == 0, result.output
    last = len(rows) + 2  # rows as Excel numbers them (some cells of the annex span two lines of text)
    assert result.stderr == (f"notice: {office}, row 1: skipped a title row above the header: '附件：石柱县质量强县主要指标'\n"
                             f"notice: {office}, row 2, column '序号': skipped: row numbers, not scored\n"
                             f"notice: {office}, row {last}: skipped a note row: '注：指标值以统计部门公布数据为准。'\n"
                             "26 indicators, 2023 → 2027; 8 flagged for review (# 待核对)\n")
    # Only the file's name and the rows' numbers (one more, under the title) differ.
    expected = clean.read_text(encoding="utf-8").replace(str(ANNEX), str(office))
    expected = re.sub(r"指标表第(\d+)行", lambda m: f"指标表第{int(m.group(1)) + 1}行", expected)
    assert out.read_text(encoding="utf-8") == expected


def test_an_xlsx_annex_with_merged_categories_imports_like_the_csv(cli, tmp_path):
    # Annexes merge a category's cell over its indicators' rows; each row takes the category.
    import csv
    import io

    from openpyxl import Workbook

    rows = list(csv.reader(io.StringIO(ANNEX.read_text(encoding="utf-8-sig"), newline="")))
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    starts = [n for n, row in enumerate(rows, 1) if n > 1 and row[0]] + [len(rows) + 1]
    for first, after in zip(starts, starts[1:]):
        if after - first > 1:
            workbook.active.merge_cells(start_row=first, start_column=1, end_row=after - 1, end_column=1)
    workbook.save(tmp_path / "shizhu_annex.xlsx")
    from_csv, from_xlsx = tmp_path / "csv.toml", tmp_path / "xlsx.toml"
    assert cli("import-table", str(ANNEX), "-o", str(from_csv)).exit_code == 0
    result = cli("import-table", str(tmp_path / "shizhu_annex.xlsx"), "-o", str(from_xlsx))
    assert result.exit_code == 0, result.output
    assert "are merged: the value '产业质量竞争力水平' was used for each of them" in result.stderr
    drop_source = lambda path: [line for line in path.read_text(encoding="utf-8").splitlines()  # noqa: E731
                                if "shizhu_annex." not in line and "指标表第" not in line]
    assert drop_source(from_xlsx) == drop_source(from_csv)

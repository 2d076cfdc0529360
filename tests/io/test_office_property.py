"""Property: office decorations around a clean table never change a total silently.

Hypothesis draws what offices put around the township table (title rows, a 序号 column,
another name for the unit column, a two-row header, summary, section and note rows, blank
rows, a remarks column, the units in another order, hidden title rows) and what must not
be read unseen (a hidden column or unit row, a value merged across two units).  Written
as CSV, XLSX or XLS, the file either ranks to exactly the clean table's CSV bytes, with a
notice for each decoration, or, when it holds something unsafe, is refused naming it.
Ranked, it also says (as the clean table does) that 黄水镇 has no 食品抽检合格率.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import DATA, townships_missing
from office import Sheet, Book, write
from test_office_layouts import HEADER, RULESET, TITLE, UNITS

GROUPS = ["产品质量水平", None, "重点任务", "加分项", "一票否决"]


@dataclass
class Decorated:
    """A drawn sheet and what is expected of it."""

    rows: list[list] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    notices: Counter = field(default_factory=Counter)  # kind → how many
    unsafe: list[str] = field(default_factory=list)  # what the refusal must say


@st.composite
def decorated(draw: st.DrawFn, workbook: bool) -> Decorated:
    sheet = Decorated()
    sheet.notices["missing"] += 1  # 黄水镇's "-" under 食品抽检合格率（%）, whatever is around it
    serial = draw(st.booleans())
    remarks = draw(st.booleans())
    helper = workbook and draw(st.booleans())  # a hidden helper column with figures
    unit_header = draw(st.sampled_from(["单位", "乡镇（街道）", "乡镇名称", "考核单位", "单位名称"]))
    lead = ["序号"] if serial else []
    tail = (["备注"] if remarks else []) + (["辅助列"] if helper else [])

    def row(cells: list, number: int | None = None, note: str = "", extra: object = "") -> list:
        front = [number] if serial else []
        back = ([note] if remarks else []) + ([extra] if helper else [])
        return [*front, *cells, *back]

    for text in draw(st.lists(st.sampled_from([TITLE, "填报单位：测试县市场监管局", "（2025年12月31日止）"]), max_size=2)):
        sheet.rows.append([text])
        sheet.notices["title"] += 1
        if workbook and draw(st.booleans()):
            sheet.hidden_rows.append(len(sheet.rows))  # a hidden title row is skipped all the same
    if draw(st.booleans()):  # a two-row header: groups above, indicators below
        first = len(sheet.rows) + 1
        sheet.rows.append([*lead, unit_header, *GROUPS, *tail])
        sheet.rows.append([*([None] if serial else []), None, *HEADER[1:], *([None] * len(tail))])
        sheet.notices["header"] += 1
        if workbook:
            sheet.merged += [(first, n, first + 1, n) for n in range(len(lead) + 1)]
            sheet.merged.append((first, len(lead) + 1, first, len(lead) + 2))
    else:
        sheet.rows.append([*lead, unit_header, *HEADER[1:], *tail])
    header_row = len(sheet.rows)
    sheet.notices["column"] += serial + remarks
    if helper:
        sheet.hidden_columns.append(len(lead) + len(HEADER) + remarks)
        sheet.unsafe.append("is hidden in Excel and holds data")

    units = draw(st.permutations(UNITS))
    extras = draw(st.lists(st.sampled_from(["合计", "小计", "平均", "全县平均", "blank", "section"]), max_size=3))
    slots = [draw(st.integers(min_value=1, max_value=len(units))) for _ in extras]
    unit_rows: list[int] = []
    for position, unit in enumerate(units, 1):
        sheet.rows.append(row(list(unit), position, "待核实" if position == 2 else "", position * 7))
        unit_rows.append(len(sheet.rows))
        for kind, slot in zip(extras, slots):
            if slot != position:
                continue
            if kind == "blank":
                sheet.rows.append([])
            elif kind == "section":
                sheet.rows.append(row(["一、街道", None, None, None, None, None]))
                sheet.notices["row"] += 1
            else:
                sheet.rows.append(row([kind, 97.1, 98.2, None, 2, 1], None, "", 1))
                sheet.notices["row"] += 1
    for note in draw(st.lists(st.sampled_from(["注：“-”表示无数据。", "填表人：张三", "联系电话：023-7333"]), max_size=2)):
        sheet.rows.append([note])
        sheet.notices["row"] += 1

    if workbook and draw(st.booleans()):  # a unit row hidden
        sheet.hidden_rows.append(draw(st.sampled_from(unit_rows)))
        sheet.unsafe.append("is hidden in Excel and holds data")
    adjacent = [n for n in unit_rows if n + 1 in unit_rows]
    if workbook and adjacent and draw(st.booleans()):  # a 药品 value merged over two units
        first = draw(st.sampled_from(adjacent))
        column = len(lead) + 2
        sheet.rows[first][column] = sheet.rows[first - 1][column]  # the second's own figure is gone
        sheet.merged.append((first, column, first + 1, column))
        sheet.unsafe.append("are merged")
    assert header_row
    return sheet


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), suffix=st.sampled_from([".csv", ".xlsx", ".xls"]))
def test_decorations_never_change_a_total_silently(cli, tmp_path_factory, data, suffix):
    sheet = data.draw(decorated(workbook=suffix != ".csv"), label="sheet")
    path = write(tmp_path_factory.mktemp("office") / f"data{suffix}",
                 Book([Sheet("数据", sheet.rows, hidden_rows=sheet.hidden_rows, hidden_columns=sheet.hidden_columns,
                             merged=sheet.merged)]))
    result = cli("rank", RULESET, str(path), "--year", "2025", "--format", "csv")
    event("refused" if sheet.unsafe else f"scored with {sum(sheet.notices.values())} notices")
    if sheet.unsafe:
        assert result.exit_code == 1, result.output
        assert all(words in result.output for words in sheet.unsafe), result.output
        return
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == clean_csv()
    said = Counter(line.split(": ", 1)[0] and kind_of(line) for line in result.stderr.splitlines())
    assert said == +sheet.notices, result.stderr
    # The two-row header's lower row names the column, as the one-row header does.
    assert townships_missing(path, HEADER[1], None if suffix == ".csv" else "数据") in result.stderr.splitlines(
        keepends=True), result.stderr


def kind_of(line: str) -> str:
    """The kind of a notice line, from its wording."""
    if "title row" in line:
        return "title"
    if "read as one header" in line:
        return "header"
    if "skipped: " in line:
        return "column"
    if "skipped a" in line:
        return "row"
    if "have no value for" in line:
        return "missing"
    raise AssertionError(f"an unexpected notice: {line}")


_CLEAN: list[bytes] = []


def clean_csv() -> bytes:
    if not _CLEAN:
        from click.testing import CliRunner

        from qscore.cli import main

        result = CliRunner().invoke(main, ["rank", RULESET, str(DATA / "townships.csv"), "--year", "2025",
                                           "--format", "csv"], catch_exceptions=False)
        _CLEAN.append(result.stdout_bytes)
    return _CLEAN[0]

"""Hypothesis fuzzing of every reader and the cell parser: whatever the bytes or strings,
only qscore's own errors escape, and well-formed tables read back exactly."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import DATA
from qscore.cells import CellError, parse_count, parse_number
from qscore.reading.binding import bind
from qscore.scoring.engine import score_batch
from qscore.errors import QscoreError
from qscore.plugins.manager import load_plugins
from qscore.reading.table import ReadOptions
from qscore.reading.text import read_csv, read_json
from qscore.rulesets import load_ruleset
from qscore.writing.text import write_csv, write_json, write_table
from qscore.reading.xlsx import read_xlsx
from qscore.writing.xlsx import write_xlsx

IO = DATA / "io"
RULESET = load_ruleset(IO / "county.toml", load_plugins().rule_types)
READERS = {".csv": read_csv, ".json": read_json, ".xlsx": read_xlsx}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_and_bind(suffix: str, raw: bytes, options: ReadOptions | None = None) -> str:
    """Read ``raw`` as a ``suffix`` file, bind, score and write it in every format.

    Returns ``"refused"`` when qscore refused the file with its own error, which must
    name the file; ``"scored"`` when every unit was scored and written.  Any other
    exception fails the test."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"data{suffix}"
        path.write_bytes(raw)
        try:
            dataset = bind(READERS[suffix](path, options or ReadOptions()), RULESET)
            batch = score_batch(RULESET, dataset, year=2025, explain=True)
        except QscoreError as exc:
            assert str(path) in str(exc), f"the message does not name the file: {exc}"
            event("refused")
            return "refused"
        event("scored and written")
        assert [u.unit for u in sorted(batch.units, key=lambda u: dataset.units.index(u.unit))] == list(dataset.units)
        for write in (write_table, write_csv, write_json, write_xlsx):
            assert write(batch)
        return "scored"


def valid_workbook() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["区县", "食品抽检合格率", "安全事故死亡人数", "质量标杆企业"])
    sheet.write_row(1, 0, ["甲区", 98.5, 3, 2])
    workbook.close()
    return buffer.getvalue()


VALID = {".csv": (IO / "awkward.csv").read_bytes(), ".xlsx": valid_workbook(),
         ".json": json.dumps([{"区县": "甲区", "食品抽检合格率": 98.5, "安全事故死亡人数": 3,
                               "质量标杆企业": 2}]).encode()}


@pytest.mark.parametrize("suffix", sorted(READERS))
@FUZZ
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_qscore_errors(suffix, raw):
    assert read_and_bind(suffix, raw) in ("refused", "scored")


@pytest.mark.parametrize("suffix", sorted(READERS))
@FUZZ
@given(data=st.data())
def test_damaged_valid_files_raise_only_qscore_errors(suffix, data):
    raw = bytearray(VALID[suffix])
    for _ in range(data.draw(st.integers(0, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    assert read_and_bind(suffix, bytes(raw[:cut])) in ("refused", "scored")


@FUZZ
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_arbitrary_text_in_any_encoding_raises_only_qscore_errors(text, encoding):
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:  # lone surrogates have no encoding
        return
    assert read_and_bind(".csv", raw) in ("refused", "scored")
    assert read_and_bind(".csv", raw, ReadOptions(encoding=encoding)) in ("refused", "scored")


CELL_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(max_size=20),
                        st.floats(allow_nan=False, allow_infinity=False))


@FUZZ
@given(rows=st.lists(st.lists(CELL_VALUES, max_size=6), max_size=6),
       header=st.lists(st.sampled_from(["区县", "食品抽检合格率", "food", "deaths@上年", "质量标杆企业（家）",
                                        "安全事故死亡人数", "", "x"]), max_size=6),
       percent=st.booleans())
def test_arbitrary_workbook_cells_raise_only_qscore_errors(rows, header, percent):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    style = workbook.add_format({"num_format": "0.0%"}) if percent else None
    sheet.write_row(0, 0, header)
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(number, column, value, style)
    workbook.close()
    assert read_and_bind(".xlsx", buffer.getvalue()) in ("refused", "scored")


HEADERS = st.sampled_from(["区县", "单位", "食品抽检合格率（%）", "food", "deaths@上年", "食品抽检合格率@全省平均",
                           "质量标杆企业（家）", "安全事故死亡人数", "指标", "值", "字段", "", "x"])
CELLS = st.one_of(st.sampled_from(["98%", "９８．５", "1,150", " 96 ", "-", "—", "／", "", "是", "1e20", "nan",
                                   "-1", "101", "甲区", "food", "上年"]), st.text(max_size=12))


@FUZZ
@given(header=st.lists(HEADERS, min_size=1, max_size=7), rows=st.lists(st.lists(CELLS, max_size=8), max_size=6))
def test_arbitrary_csv_tables_raise_only_qscore_errors(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    assert read_and_bind(".csv", buffer.getvalue().encode("utf-8", "surrogatepass")) in ("refused", "scored")


@given(text=st.text(max_size=40))
def test_cell_parsing_raises_only_cell_errors(text):
    for parse in (parse_number, parse_count):
        try:
            value = parse(text)
        except CellError as exc:
            assert str(exc), "a refusal says what was expected"
        else:
            assert value is None or value.is_finite()


# Values an examiner might type for a percentage, and the ways Excel users spell them.
PERCENTS = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
SPELLINGS = [lambda d: f"{d}", lambda d: f"{d}%", lambda d: f" {d} ", lambda d: f"{d}".translate(FULL_WIDTH),
             lambda d: f"{d} %"]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.tuples(PERCENTS, st.sampled_from(range(len(SPELLINGS)))), min_size=1, max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_csv_round_trip_reads_back_the_values_written(values, encoding):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["区县", "食品抽检合格率（%）", "安全事故死亡人数", "质量标杆企业"])
    for number, (value, spelling) in enumerate(values):
        writer.writerow([f"单位{number}", SPELLINGS[spelling](value), "", ""])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        dataset = bind(read_csv(path, ReadOptions()), RULESET)
    assert dataset.values["food"] == [value for value, _ in values]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(PERCENTS, min_size=1, max_size=8), percent=st.booleans())
def test_xlsx_round_trip_reads_back_the_values_written(values, percent):
    """Numbers stored as floats, plain or as percent-formatted fractions, read back as
    exactly the decimals written."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["区县", "食品抽检合格率（%）", "安全事故死亡人数", "质量标杆企业"])
    for number, value in enumerate(values):
        sheet.append([f"单位{number}", float(value / 100) if percent else float(value)])
        if percent:
            sheet.cell(row=number + 2, column=2).number_format = "0.00%"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.xlsx"
        workbook.save(path)
        dataset = bind(read_xlsx(path, ReadOptions()), RULESET)
    # Stored as the float nearest value / 100, read back through its shortest spelling:
    # exactly the value typed, with no binary noise.
    assert dataset.values["food"] == values

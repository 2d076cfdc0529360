"""Small inputs that used to cost gigabytes or hours are refused within a memory and CPU
budget, naming the limit; figures a ruleset cannot mean are refused when it loads."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from hostile_kit import RULESET, check_cli, check_process, copy_inputs

# The smallest workbook Excel and openpyxl read, fixed byte for byte.
PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                           b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                           b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
                           b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                           b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
                           b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                           b'officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
                       b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                       b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                  b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                                  b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                  b'Target="worksheets/sheet1.xml"/></Relationships>',
}
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
              b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"


def workbook_with_sheet(path: Path, write_sheet: Callable[[IO[bytes]], None]) -> Path:
    """A workbook whose sheet's XML ``write_sheet`` streams, deflated: the same bytes
    every time."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in PARTS.items():
            archive.writestr(_member(name), data)
        with archive.open(_member(SHEET), "w", force_zip64=True) as stream:
            write_sheet(stream)
    return path


def _member(name: str) -> zipfile.ZipInfo:
    member = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    member.compress_type = zipfile.ZIP_DEFLATED
    return member


def rows(*cells: tuple[str, ...]) -> Callable[[IO[bytes]], None]:
    """A sheet of inline-string cells, one tuple per row."""
    def write(stream: IO[bytes]) -> None:
        stream.write(SHEET_HEAD)
        for number, row in enumerate(cells, 1):
            stream.write(f'<row r="{number}">'.encode())
            for text in row:
                stream.write(f'<c t="inlineStr"><is><t>{text}</t></is></c>'.encode())
            stream.write(b"</row>")
        stream.write(SHEET_TAIL)
    return write


def spaces(megabytes: int) -> Callable[[IO[bytes]], None]:
    def write(stream: IO[bytes]) -> None:
        stream.write(SHEET_HEAD)
        for _ in range(megabytes):
            stream.write(b" " * 2**20)
        stream.write(SHEET_TAIL)
    return write


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 KB that inflate to 300 MiB: more than the 256 MiB a zip member may."""
    return workbook_with_sheet(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", spaces(300))


def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path, bomb):
    (ruleset, data) = copy_inputs(tmp_path, RULESET, bomb)
    assert data.stat().st_size < 400_000
    check_process(tmp_path, "rank", ruleset.name, data.name, code=1,
                  stderr="Error: bomb.xlsx: the workbook's part xl/worksheets/sheet1.xml inflates to 314,572,950 "
                         "bytes; the limit xlsx_member_inflated is 268,435,456 (raise it with "
                         "--limit xlsx_member_inflated=N)\n",
                  memory=256 * 2**20, cpu=10)


def test_the_workbooks_made_here_are_read_as_workbooks(tmp_path):
    # The control: the same making, with a sheet of figures, scores.
    data = workbook_with_sheet(tmp_path / "ok.xlsx", rows(("单位", "食品抽检合格率", "流通领域药品抽检合格率", "重点任务完成情况"),
                                                          ("甲镇", "98", "99", "完成")))
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    check_process(tmp_path, "rank", ruleset.name, data.name, "--year", "2027", "--format", "csv", code=0, stderr="",
                  stdout="\ufeff排名,单位,总分,等次,产品质量水平,加分,扣分,一票否决,距上一等次,食品抽检合格率（得分）,"
                         "流通领域药品抽检合格率（得分）,重点任务完成情况（得分）\n1,甲镇,100.00,优秀,70.00,0,0,否,,40.00,30.00,"
                         "30.00\n")


@pytest.mark.parametrize(("limit", "message"), [
    ("xlsx_member_inflated=2000000", "the workbook's part xl/worksheets/sheet1.xml inflates to 2,097,302 bytes; the "
                                     "limit xlsx_member_inflated is 2,000,000"),
    ("xlsx_inflated=2000000", "the workbook's parts inflate to 2,098,665 bytes; the limit xlsx_inflated is 2,000,000"),
    ("xlsx_member_compressed=1000", "the workbook's part xl/worksheets/sheet1.xml is 2,183 bytes compressed; the "
                                    "limit xlsx_member_compressed is 1,000"),
    ("xlsx_compressed=2500", "the workbook's parts are 2,929 bytes compressed; the limit xlsx_compressed is 2,500"),
], ids=lambda v: v.split("=")[0] if "=" in v else "")
def test_every_zip_limit_is_named_and_adjustable(tmp_path, limit, message):
    data = workbook_with_sheet(tmp_path / "two.xlsx", spaces(2))
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    name = limit.split("=")[0]
    check_process(tmp_path, "rank", ruleset.name, data.name, "--limit", limit, code=1,
                  stderr=f"Error: two.xlsx: {message} (raise it with --limit {name}=N)\n")


def test_a_sheet_of_empty_cells_far_apart_is_refused_at_the_cells_limit(tmp_path):
    # 20,000 rows, each a cell in A and one in XFD (column 16,384): 150 KB that imply
    # 327 million cells.  The reading stops at 4,000,000.
    def far_apart(stream: IO[bytes]) -> None:
        stream.write(SHEET_HEAD)
        for row in range(1, 20_001):
            stream.write(b'<row r="%d"><c r="A%d"/><c r="XFD%d"/></row>' % (row, row, row))
        stream.write(SHEET_TAIL)
    data = workbook_with_sheet(tmp_path / "empty.xlsx", far_apart)
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    assert data.stat().st_size < 200_000
    check_process(tmp_path, "rank", ruleset.name, data.name, code=1,
                  stderr="Error: empty.xlsx, sheet 'Sheet1': the sheet has more than 4,000,000 cells, counting the "
                         "empty cells "
                         "between those it stores; the limit xlsx_cells is 4,000,000 (raise it with "
                         "--limit xlsx_cells=N)\n",
                  memory=384 * 2**20, cpu=15)


# -- text: headers, cells, nesting ----------------------------------------------------------------

def test_a_900_kb_header_is_refused_before_it_is_matched(tmp_path):
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    key = "食品抽检合格率（" + "%）（" * 300_000  # 900,008 characters
    (tmp_path / "key.json").write_text(json.dumps([{"单位": "甲镇", key: 98}], ensure_ascii=False), encoding="utf-8")
    check_process(tmp_path, "rank", ruleset.name, "key.json", code=1, cpu=10,
                  stderr=f"Error: key.json, row 1, column '{key[:40]}…': the header has 900,008 characters; the "
                         "limit header_length is 1,000 (raise it with --limit header_length=N)\n")


def test_a_header_of_brackets_is_matched_in_linear_time(tmp_path):
    # Within the limits the match is linear too: a title row makes the next row the
    # header, whose cell may be 32,767 characters of brackets to strip one by one
    # (quadratic, that took minutes).
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    brackets = "乙" + "()" * 16_383
    (tmp_path / "title.csv").write_text(f"2025年度考核表\n单位,{brackets}\n甲镇,98\n", encoding="utf-8")
    missing = "add it, leaving cells empty or '-' where there is no data"
    check_process(tmp_path, "rank", ruleset.name, "title.csv", code=1, cpu=5,
                  stderr=f"Error: title.csv: 4 problems:\n"
                         f"  row 2: no column for indicator food (食品抽检合格率); {missing}\n"
                         f"  row 2: no column for indicator drug (流通领域药品抽检合格率); {missing}\n"
                         f"  row 2: no column for indicator task (重点任务完成情况); {missing}\n"
                         f"  row 2, column '{brackets}': column names no indicator or item of ruleset 'test-township' "
                         "(use --ignore-unknown to skip such columns)\n")


def test_a_cell_longer_than_the_limit_is_refused(cli, tmp_path):
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    (tmp_path / "long.csv").write_text(f"单位,食品抽检合格率\n甲镇,98\n{'乙' * 40_000},97\n", encoding="utf-8")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(tmp_path / "long.csv"), code=1,
              output=f"Error: {tmp_path / 'long.csv'}, row 3, column '单位': the cell has 40,000 characters; the limit "
                     "cell_length is 32,767 (raise it with --limit cell_length=N)\n")


@pytest.mark.parametrize("depth", [40, 100_000])
def test_json_nested_deeper_than_the_limit_is_refused(cli, tmp_path, depth):
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    (tmp_path / "deep.json").write_text('[{"单位": "甲镇", "食品抽检合格率": ' + "[" * depth + "]" * depth + "}]",
                                        encoding="utf-8")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(tmp_path / "deep.json"), code=1,
              output=f"Error: {tmp_path / 'deep.json'}: the JSON nests lists and objects more than 32 deep; the "
                     "limit json_depth is 32 (raise it with --limit json_depth=N)\n")


def test_a_lone_surrogate_in_json_is_refused(cli, tmp_path):
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    (tmp_path / "half.json").write_text('[{"单位": "甲镇\\ud800", "食品抽检合格率": 98}]', encoding="utf-8")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(tmp_path / "half.json"), "--format", "json", code=1,
              output=f"Error: {tmp_path / 'half.json'}, row 1, column '单位': the text holds a lone surrogate (such as "
                     "\\ud800 in JSON), which is half of a character and not text; correct the file\n")


# -- ruleset figures: the bounds of a data cell, checked when the ruleset loads --------------------

FIGURES = {
    "an example input of 1e999999999": (
        '[[examples]]\nname = "大"\ninputs = { "单位" = "甲镇", "食品抽检合格率" = 1e999999999 }\n',
        "examples[1] (大): field 'inputs.食品抽检合格率': 1E+999999999 is too large to be a ruleset figure "
        "(limit 1,000,000,000,000,000)"),
    "a target of 1e30": (
        None, "indicators[1] (食品抽检合格率): field 'target': 1E+30 is too large to be a ruleset figure "
              "(limit 1,000,000,000,000,000)"),
    "a target of 1e-30": (
        None, "indicators[1] (食品抽检合格率): field 'target': 1E-30 has more than 20 decimal places; expected a "
              "ruleset figure"),
    "a target of 1e-999999999": (
        None, "indicators[1] (食品抽检合格率): field 'target': 1E-999999999 has more than 20 decimal places; "
              "expected a ruleset figure"),
    "points of 1e27 with 8 places": (
        None, "indicators[1] (食品抽检合格率): field 'points': 1E+27 is too large to be a ruleset figure "
              "(limit 1,000,000,000,000,000)"),
    "a bonus of 1e999990": (
        None, "adjustments.bonus[1] (获市长质量管理奖): field 'points': 1E+999990 is too large to be a ruleset figure "
              "(limit 1,000,000,000,000,000)"),
    "a whole number of 5,000 digits": (
        None, "a whole number has thousands of digits; figures are below 1,000,000,000,000,000"),
    "arrays nested 100,000 deep": (
        None, "not valid TOML: arrays or tables nested too deeply"),
}
EDITS = {
    "a target of 1e30": ("target = 98", "target = 1e30"),
    "a target of 1e-30": ("target = 98", "target = 1e-30"),
    "a target of 1e-999999999": ("target = 98", "target = 1e-999999999"),
    "points of 1e27 with 8 places": ("points = 40\n", "points = 1e27\n"),
    "a bonus of 1e999990": ("points = 3\n", "points = 1e999990\n"),
    "a whole number of 5,000 digits": ("points = 3\n", "points = " + "9" * 5000 + "\n"),
    "arrays nested 100,000 deep": ("points = 3\n", "points = 3\nnotes = " + "[" * 100_000 + "]" * 100_000 + "\n"),
}


@pytest.mark.parametrize("case", sorted(FIGURES))
def test_a_ruleset_figure_out_of_bounds_fails_validate(cli, tmp_path, case):
    text = RULESET.read_text(encoding="utf-8")
    appended, message = FIGURES[case]
    if case in EDITS:
        old, new = EDITS[case]
        assert old in text
        text = text.replace(old, new, 1)
        marker = new
    if case == "points of 1e27 with 8 places":
        text += "\n[rounding]\nplaces = 8\n"
    if appended:
        text += appended
        marker = "inputs = "
    path = tmp_path / "figures.toml"
    path.write_text(text, encoding="utf-8")
    # The finding names the line of the figure, where the file still parses as TOML.
    where = f"{path}:{text[:text.index(marker)].count(chr(10)) + 1}" if "TOML" not in message and \
        "digits" not in message else str(path)
    check_cli(cli, tmp_path, "validate", str(path), code=1,
              output=f"{where}: error: {message}\n✗ {path}: 1 error(s)\nError: 1 of 1 file(s) failed validation\n")


def test_docs_data_md_lists_every_limit_with_its_default():
    import re

    import attrs

    from qscore.limits import Limits

    doc = (Path(__file__).parent.parent.parent / "docs" / "data.md").read_text(encoding="utf-8")
    section = doc.split("## Limits\n", 1)[1].split("\n## ", 1)[0]
    listed = {name: int(value.replace(",", "")) for name, value in re.findall(r"^\| `(\w+)` \| ([\d,]+)", section, re.M)}
    assert listed == {field.name: field.default for field in attrs.fields(Limits)}

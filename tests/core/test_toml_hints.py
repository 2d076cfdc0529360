"""A ruleset that is not valid TOML is refused with the mistake named and the fix, on
the line (and column) the parser stopped at: Chinese quotation marks and full-width
punctuation, keys and text in Chinese without quotes, units after numbers, a missing
[[indicators]] line, full-width header brackets, files saved as GB18030 or UTF-16."""

from __future__ import annotations

import codecs
import tomllib

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qscore.errors import RulesetError
from qscore.rulesets import load_ruleset

from conftest import DATA

TOWNSHIP = (DATA / "township.toml").read_text(encoding="utf-8")
LINES = TOWNSHIP.split("\n")


def line_of(text: str) -> int:
    """The 1-based line of township.toml that is exactly ``text``."""
    return LINES.index(text) + 1


def edited(old: str, new: str) -> str:
    assert TOWNSHIP.count(old) >= 1, old
    return TOWNSHIP.replace(old, new, 1)


@pytest.fixture
def load(write, catalog):
    def load_text(text: str, encoding: str = "utf-8") -> str:
        path = write("规则.toml", "")
        path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        with pytest.raises(RulesetError) as caught:
            load_ruleset(path, catalog.rule_types, catalog.target_kinds)
        assert str(caught.value).startswith(f"{path}: ")
        return str(caught.value).removeprefix(f"{path}: ")
    return load_text


TITLE = line_of('title = "测试县乡镇质量工作考核"')
PLACE = line_of('jurisdiction = "测试县"')
GRADES = line_of('grades = [{name="优秀", min_score=90}, {name="良好", min_score=75}, {name="合格", min_score=60}, '
                 '{name="不合格"}]')
LEVELS = line_of('rule = { type = "levels", levels = { "完成" = 1, "基本完成" = 0.6, "未完成" = 0 } }')
LEAD = line_of('lead = "县市场监管局"')
FOOD_TARGET = line_of("target = 98")
FOOD_POINTS = line_of("points = 40")
FOOD_HEADER = LINES.index('id = "food"')  # the [[indicators]] line above it
DRUG_HEADER = LINES.index('id = "drug"')
CLASSIFICATION = line_of("[classification]")
PRODUCT = line_of('id = "product"')
BANDS = next(n for n, line in enumerate(LINES, 1) if line.startswith('rule = { type = "bands"'))

MISTAKES = [
    # Chinese quotation marks: opening, closing, single.
    (edited('title = "测试县乡镇质量工作考核"', "title = “测试县乡镇质量工作考核”"),
     f'line {TITLE}, column 9: “ is a Chinese quotation mark; TOML needs the ASCII " here'),
    (edited('title = "测试县乡镇质量工作考核"', 'title = "测试县乡镇质量工作考核”'),
     f'line {TITLE}, column 21: ” is a Chinese quotation mark; TOML needs the ASCII " here'),
    (edited('title = "测试县乡镇质量工作考核"', "title = ‘测试县乡镇质量工作考核’"),
     f"line {TITLE}, column 9: ‘ is a Chinese quotation mark; TOML needs the ASCII ' here"),
    (edited('"完成" = 1', "“完成” = 1"),
     f'line {LEVELS}, column 38: “ is a Chinese quotation mark; TOML needs the ASCII " here'),
    # Full-width punctuation.
    (edited('{name="优秀", min_score=90}', '{name="优秀"， min_score=90}'),
     f"line {GRADES}, column 21: ， is a full-width comma; TOML needs the ASCII , here"),
    (edited('{name="优秀", min_score=90}', '{name="优秀"、 min_score=90}'),
     f"line {GRADES}, column 21: 、 is a Chinese enumeration comma; TOML needs the ASCII , here"),
    (edited('jurisdiction = "测试县"', 'jurisdiction： "测试县"'),
     f"line {PLACE}, column 13: ： is a full-width colon; TOML needs = between a key and its value"),
    (edited('jurisdiction = "测试县"', 'jurisdiction: "测试县"'),
     f"line {PLACE}, column 13: TOML needs = between a key and its value, not :"),
    (edited('jurisdiction = "测试县"', 'jurisdiction ＝ "测试县"'),
     f"line {PLACE}, column 14: ＝ is a full-width equals sign; TOML needs the ASCII = here"),
    (edited('jurisdiction = "测试县"', 'jurisdiction\u3000= "测试县"'),
     f"line {PLACE}, column 13: the full-width space (U+3000) is not a space to TOML; type an ASCII space here"),
    (edited("points = 40", "points = 40（分）"),
     f"line {FOOD_POINTS}, column 12: （ is a full-width parenthesis, which TOML reads only inside quotes; put the "
     "text in quotes or after #"),
    (edited("points = 40", "points = ４0"),
     f"line {FOOD_POINTS}, column 10: ４ is a full-width digit; TOML needs the ASCII 4 here"),
    (edited('rule = { type = "bands", bands = [', 'rule = { type = "bands", bands = 【'),
     f"line {BANDS}, column 34: 【 is a Chinese square bracket; TOML needs the ASCII [ here"),
    # Headers in full-width or Chinese brackets.
    (edited('[[indicators]]\nid = "drug"', '［［indicators］］\nid = "drug"'),
     f"line {DRUG_HEADER}, column 1: ［［indicators］］ is written with full-width brackets; TOML needs "
     "[[indicators]]"),
    (edited('[[indicators]]\nid = "drug"', '[[indicators］］\nid = "drug"'),
     f"line {DRUG_HEADER}, column 13: [[indicators］］ is written with full-width brackets; TOML needs "
     "[[indicators]]"),
    (edited("[classification]", "【classification】"),
     f"line {CLASSIFICATION}, column 1: 【classification】 is written with full-width brackets; TOML needs "
     "[classification]"),
    # Chinese without quotes: keys, text values, units after numbers.
    (edited('"完成" = 1', "完成 = 1"),
     f"line {LEVELS}, column 38: the key 完成 must be quoted, as a bare key holds only A-Z, a-z, 0-9, _ and -: "
     'write "完成"'),
    (edited("base_year = 2023", "基期年份 = 2023"),
     'line 5, column 1: the key 基期年份 must be quoted, as a bare key holds only A-Z, a-z, 0-9, _ and -: '
     'write "基期年份"'),
    (edited('lead = "县市场监管局"', "lead = 县市场监管局"),
     f'line {LEAD}, column 8: text must be quoted: write "县市场监管局"'),
    (edited("target = 98\n", "target = 98%\n"),
     f'line {FOOD_TARGET}, column 12: 98% is not a number TOML reads; write 98 (a unit goes in unit = "…", '
     "a remark after #)"),
    (edited("points = 40", "points = 40分"),
     f'line {FOOD_POINTS}, column 12: 40分 is not a number TOML reads; write 40 (a unit goes in unit = "…", '
     "a remark after #)"),
    # A missing [[indicators]] line: the indicator's keys land in the table above.
    (edited('[[indicators]]\nid = "drug"', 'id = "drug"'),
     f"line {DRUG_HEADER}: id is set a second time in this [[indicators]] table (first at line {FOOD_HEADER + 1}); "
     f"an [[indicators]] line is probably missing above line {DRUG_HEADER}"),
    (edited('[[indicators]]\nid = "food"', 'id = "food"'),
     f"line {FOOD_HEADER}: id is set a second time in this [[categories]] table (first at line "
     f"{PRODUCT}); an [[indicators]] line is probably missing above line {FOOD_HEADER}"),
    (edited("[[indicators]]", "[indicators]").replace('[[indicators]]\nid = "drug"', '[indicators]\nid = "drug"'),
     f"line {DRUG_HEADER}: [indicators] is declared a second time (first at line {FOOD_HEADER}); write "
     "[[indicators]], in double brackets, above each one"),
    # Other keys and tables given twice.
    (edited("bonus_cap = 5", "bonus_cap = 5\nbonus_cap = 6"),
     f"line {line_of('bonus_cap = 5') + 1}: bonus_cap is set a second time in this [adjustments] table (first at "
     f"line {line_of('bonus_cap = 5')}); keep one of them"),
    (edited("[adjustments]", '[classification]\nby = "score"\n[adjustments]'),
     f"line {line_of('[adjustments]')}: [classification] is declared a second time (first at line "
     f"{CLASSIFICATION}); put its keys under one [classification]"),
]


@pytest.mark.parametrize("text, message", MISTAKES)
def test_each_mistake_is_named_with_its_line_and_the_fix(load, text, message):
    assert load(text) == message


@pytest.mark.parametrize("text, message", [MISTAKES[0], MISTAKES[16], MISTAKES[21]])
def test_validate_prints_the_hint_on_its_line(cli, write, text, message):
    path = write("r.toml", text)
    result = cli("validate", str(path))
    assert result.exit_code == 1
    line = message.split(",")[0].split(":")[0].removeprefix("line ")
    assert result.output == f"{path}:{line}: error: {message}\n✗ {path}: 1 error(s)\nError: 1 of 1 file(s) failed validation\n"


def test_an_indicator_without_its_header_after_a_plain_table_is_named_by_its_first_key(cli, write):
    # No [[categories]] in between: the indicator's keys land in [classification], which
    # tomllib accepts; the loader says whose keys they are.
    text = edited('[[categories]]\nid = "product"\nname = "产品质量水平"\n\n', "").replace(
        '[[indicators]]\nid = "food"', 'id = "food"').replace('category = "product"\n', "")
    path = write("r.toml", text)
    result = cli("validate", str(path))
    assert result.exit_code == 1
    line = text.split("\n").index('id = "food"') + 1
    assert result.output.splitlines()[0] == (
        f"{path}:{line}: error: classification: field 'id': the keys 'id', 'name', 'unit', 'baseline', 'target', "
        "'points', 'rule', 'lead' belong to an indicator: an [[indicators]] line is probably missing above 'id'")


def test_indicator_keys_at_the_top_level_say_the_header_is_missing(load):
    # A first indicator with its id further down lands at the top level, where the
    # ruleset's own keys are: name, points and rule are not among them.
    text = edited('[classification]', 'name = "食品抽检合格率"\npoints = 40\nrule = "progress"\n\n[classification]')
    assert load(text) == ("field 'name': the keys 'name', 'points', 'rule' belong to an indicator: an [[indicators]] "
                          "line is probably missing above 'name'")


def test_other_unknown_keys_still_list_what_is_allowed(load):
    assert load(TOWNSHIP + "\n[rounding]\nplace = 2\n") == (
        "rounding: unknown key(s) 'place'; allowed: mode, places, stage")


def test_a_file_saved_as_gb18030_says_to_save_it_as_utf8(load):
    assert load(TOWNSHIP, encoding="gb18030") == (
        'line 2: the file is saved as GB18030 (GBK, Notepad\'s "ANSI"), not UTF-8; save it as UTF-8')


def test_a_file_saved_as_utf16_says_to_save_it_as_utf8(load):
    assert load(TOWNSHIP, encoding="utf-16") == (
        'the file is saved as UTF-16 (Notepad\'s "Unicode"), not UTF-8; save it as UTF-8')


def test_bytes_that_are_no_text_are_named_by_line(load):
    assert load(TOWNSHIP.encode("utf-8") + b'x = "\xff"\n') == (
        f"line {len(LINES)}: byte 0xff is not UTF-8 text; save the file as UTF-8")


def test_a_byte_order_mark_is_read_past_as_notepad_writes_it(write, catalog, cli):
    path = write("r.toml", "")
    path.write_bytes(codecs.BOM_UTF8 + TOWNSHIP.encode("utf-8"))
    assert [i.id for i in load_ruleset(path, catalog.rule_types).indicators] == ["food", "drug", "task"]
    result = cli("validate", str(path))
    assert result.output == f"✓ {path}: test-township, 3 indicators, full marks 100\n"


def test_a_byte_order_mark_does_not_move_the_line_of_a_bad_byte(load):
    assert load(codecs.BOM_UTF8 + b'id = "t"\n\ntitle = "\xff"\n') == (
        "line 3: byte 0xff is not UTF-8 text; save the file as UTF-8")


def test_what_has_no_hint_keeps_the_parser_message(load):
    assert load('id = "x"\ntitle = \n') == "not valid TOML: Invalid value (at line 2, column 9)"
    assert load('id = "x"\nx = [1, 2\n') == "not valid TOML: Unclosed array (at end of document)"


def test_chinese_text_inside_strings_and_comments_is_not_taken_for_a_mistake(load):
    # The mistake is on the last line; the quotation marks before it are in a string, a
    # multi-line string and a comment, all valid.
    text = TOWNSHIP + '\n# 注：“完成”、“基本完成”\n[roster]\nsource = """名单：\n“统计用区划代码”，\n"""\nas_of = “2023”\n'
    assert load(text) == f'line {len(LINES) + 6}, column 9: “ is a Chinese quotation mark; TOML needs the ASCII " here'


# -- every mistake of a kind, anywhere it can be typed ------------------------------------

#: (line, column) of each `=` of a `key = value` line, and of each value's opening quote.
EQUALS = [(n, line.index(" = ") + 2) for n, line in enumerate(LINES, 1) if " = " in line and not line.startswith(" ")
          and line.split(" = ")[0].isidentifier()]
QUOTES = [(n, line.index(' = "') + 4) for n, line in enumerate(LINES, 1) if line.split(" = ")[0].isidentifier()
          and ' = "' in line]
SWAPS = {"=": ["＝", "："], '"': ["“", "”"]}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(EQUALS + QUOTES), st.integers(0, 1))
@example(EQUALS[0], 1)
def test_any_equals_sign_or_opening_quote_typed_in_chinese_is_named_where_it_is(load, place, which):
    number, column = place
    line = LINES[number - 1]
    char = line[column - 1]
    typed = SWAPS[char][which]
    text = "\n".join(LINES[:number - 1] + [line[:column - 1] + typed + line[column:]] + LINES[number:])
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    message = load(text)
    assert message.startswith(f"line {number}, column {column}: {typed} is a ")
    assert message.endswith(("TOML needs the ASCII \" here", "TOML needs the ASCII = here",
                             "TOML needs = between a key and its value"))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, len(TOWNSHIP)), st.text(min_size=1, max_size=3))
def test_any_text_that_tomllib_refuses_gets_one_message_naming_its_line(load, at, inserted):
    text = TOWNSHIP[:at] + inserted + TOWNSHIP[at:]
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        parser = str(error)
    else:
        return
    message = load(text)
    assert "\n" not in message
    if "(at line " in parser:
        stopped = parser.split("(at line ", 1)[1].split(",")[0]
        assert message.startswith((f"line {stopped}", "not valid TOML:")), (parser, message)

"""qscore speaks Chinese or English: the language chosen, the catalog complete and in
step with the code, and the command line's errors and help in each language."""

from __future__ import annotations

import importlib.util
import json
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract

from qscore import i18n
from qscore.cli import main

REPO = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
RULESET = str(DATA / "township.toml")
HEADER = "单位,食品抽检合格率（%）,流通领域药品抽检合格率,重点任务完成情况,获市长质量管理奖,发生重大质量安全事故"


def _tool():
    spec = importlib.util.spec_from_file_location("catalog_tool", REPO / "tools" / "catalog.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


# -- the language ------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "zh_CN.GB18030", "LANG": "C"}, "zh"),
    ({"QSCORE_LANG": "zh", "LANG": "C"}, "zh"),
    ({"QSCORE_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),
    ({"QSCORE_LANG": "zh_CN", "LANG": "C"}, "zh"),
    ({"QSCORE_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),  # a language qscore lacks: the locale decides
])
def test_the_language_follows_qscore_lang_else_the_locale(monkeypatch, env, expected):
    for name in ("QSCORE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", "linux")
    assert i18n.language() == expected


def test_messages_and_plural_forms_in_each_language(monkeypatch):
    monkeypatch.setenv("QSCORE_LANG", "zh")
    assert i18n._("row {row}").format(row=5) == "第 5 行"
    assert i18n.ngettext("{count} problem", "{count} problems", 3).format(count=3) == "3 个问题"
    assert i18n._("a text with no translation") == "a text with no translation"
    monkeypatch.setenv("QSCORE_LANG", "en")
    assert i18n._("row {row}").format(row=5) == "row 5"
    assert i18n.ngettext("{count} problem", "{count} problems", 1).format(count=1) == "1 problem"


# -- the catalog -------------------------------------------------------------------------


def _entries(domain: str):
    return [message for message in TOOL.read(TOOL.po_path(domain)) if message.id]


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy_or_obsolete():
    for domain in ("qscore", "click"):
        catalog = TOOL.read(TOOL.po_path(domain))
        assert not catalog.obsolete, domain
        for message in _entries(domain):
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            assert all(strings), f"{domain}: no translation of {message.id!r}"
            assert not message.fuzzy, f"{domain}: fuzzy {message.id!r}"


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def test_each_translation_has_the_placeholders_of_its_message():
    for domain in ("qscore", "click"):
        for message in _entries(domain):
            english = message.id if isinstance(message.id, str) else message.id[-1]
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            if "%(" in english:
                assert re.findall(r"%\((\w+)\)", english) == re.findall(r"%\((\w+)\)", strings[0])
                continue
            for translated in strings:
                assert _fields(english) == _fields(translated), f"{domain}: {message.id!r} → {translated!r}"


def test_the_catalog_is_in_step_with_the_code():
    """Re-extraction finds every message of the code in the catalog, and nothing else:
    run ``python tools/catalog.py update`` and translate what it adds."""
    extracted = {m.id if isinstance(m.id, str) else tuple(m.id) for m in TOOL.extracted() if m.id}
    kept = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _entries("qscore")}
    assert sorted(map(str, extracted - kept)) == [], "messages missing from qscore.po"
    assert sorted(map(str, kept - extracted)) == [], "messages in qscore.po no longer in the code"


def test_the_click_catalog_holds_only_clicks_own_words():
    source = Path(click.__file__).parent
    words = {"required"}  # click translates this one through a variable, out of the extractor's sight
    for path in source.glob("*.py"):
        with path.open("rb") as stream:
            words |= {m if isinstance(m, str) else tuple(m)
                      for _, m, _, _ in extract("python", stream, keywords={"_": None, "ngettext": (1, 2)})}
    kept = {m.id if isinstance(m.id, str) else tuple(m.id) for m in _entries("click")}
    assert sorted(map(str, kept - words)) == []


def test_the_compiled_catalogs_are_those_of_the_po_files():
    for domain in ("qscore", "click"):
        path = TOOL.po_path(domain)
        assert path.with_suffix(".mo").read_bytes() == TOOL.mo_bytes(TOOL.read(path)), \
            f"{domain}.mo is stale: run python tools/catalog.py compile"


def test_no_message_is_an_f_string():
    """An f-string's text changes with its values, so the catalog can never hold it."""
    offenders = []
    for path in sorted((REPO / "qscore").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(?:N_|_|ngettext)\(\s*f[\"']", line):
                offenders.append(f"{path.relative_to(REPO)}:{number}")
    assert offenders == []


# -- the command line's errors in both languages -----------------------------------------


def run(*args: str, lang: str = "en", cwd: Path | None = None):
    from click.testing import CliRunner

    return CliRunner().invoke(main, list(args), env={"QSCORE_LANG": lang}, prog_name="qscore",
                              catch_exceptions=False)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.csv").write_text(f"{HEADER}\n南宾街道,97.5%,9x,完成,2,\n", encoding="utf-8")
    Path("empty.csv").write_text(f"{HEADER}\n", encoding="utf-8")
    Path("extra.csv").write_text(f"{HEADER},食品抽查率\n南宾街道,97.5%,99,完成,2,,1\n", encoding="utf-8")
    Path("quotes.toml").write_text("id = “a”\n", encoding="utf-8")
    Path("fields.toml").write_text(Path(RULESET).read_text(encoding="utf-8").replace('id = "food"', 'id = "食品"')
                                   .replace('rule = "progress"', 'rule = "progress"\ndirection = "up"'),
                                   encoding="utf-8")
    return tmp_path


ERRORS = [
    (("rank", RULESET, "bad.csv", "--year", "2025"), 1,
     "Error: bad.csv, row 2, column '流通领域药品抽检合格率': expected a number (such as 98.5, 98% or 1,150), "
     "got '9x'\n",
     "错误：文件 bad.csv，第 2 行，列「流通领域药品抽检合格率」：应为数值（如 98.5、98% 或 1,150），实际为 '9x'\n"),
    (("rank", RULESET, "empty.csv", "--year", "2025"), 1,
     "Error: empty.csv: the file has a header but no rows; expected one row per unit\n",
     "错误：文件 empty.csv：文件只有表头没有数据行，应每个单位一行\n"),
    (("rank", RULESET, "extra.csv", "--year", "2025"), 1,
     "Error: extra.csv, row 1, column '食品抽查率': column names no indicator or item of ruleset 'test-township'; "
     "did you mean 食品抽检合格率? (use --ignore-unknown to skip such columns)\n",
     "错误：文件 extra.csv，第 1 行，列「食品抽查率」：该列不是规则集「test-township」中的指标或项目；"
     "是否指 食品抽检合格率？（如要跳过此类列，请加 --ignore-unknown）\n"),
    (("rank", RULESET, "missing.csv"), 2,
     "Usage: qscore rank [OPTIONS] RULESET DATA...\nTry 'qscore rank --help' for help.\n\n"
     "Error: Invalid value for DATA: no such file: missing.csv\n",
     "用法： qscore rank [OPTIONS] RULESET DATA...\n可运行「qscore rank --help」查看帮助。\n\n"
     "错误：DATA 取值无效：文件不存在：missing.csv\n"),
    (("rank", "quotes.toml", "bad.csv"), 1,
     "Error: quotes.toml: line 1, column 6: “ is a Chinese quotation mark; TOML needs the ASCII \" here\n",
     "错误：文件 quotes.toml：第 1 行，第 6 列：“ 是中文引号；此处 TOML 要求半角的 \"\n"),
    (("validate", "quotes.toml"), 1,
     "quotes.toml:1: error: line 1, column 6: “ is a Chinese quotation mark; TOML needs the ASCII \" "
     "here\n✗ quotes.toml: 1 error(s)\nError: 1 of 1 file(s) failed validation\n",
     "quotes.toml:1：错误：第 1 行，第 6 列：“ 是中文引号；此处 TOML 要求半角的 \"\n"
     "✗ quotes.toml：1 个错误\n错误：1 个文件中有 1 个未通过校验\n"),
    (("rank", RULESET, "bad.csv", "--year", "2030"), 2,
     "Usage: qscore rank [OPTIONS] RULESET DATA...\nTry 'qscore rank --help' for help.\n\n"
     "Error: Invalid value for '--year': 2030 is outside the plan (2023 → 2027)\n",
     "用法： qscore rank [OPTIONS] RULESET DATA...\n可运行「qscore rank --help」查看帮助。\n\n"
     "错误：'--year' 取值无效：2030 年不在规划期内（2023 → 2027）\n"),
    # the system's reason, in qscore's language
    # (after the notice of 黄水镇's missing value, given before the output is written)
    (("rank", RULESET, str(DATA / "townships.csv"), "--year", "2027", "-o", "/dev/full"), 1,
     f"notice: {DATA / 'townships.csv'}, column '食品抽检合格率（%）': 1 unit(s) have no value for 食品抽检合格率 "
     "(黄水镇): scored 0 under the missing-value policy 'zero'\n"
     "Error: Could not write file '/dev/full': no space left on the disk\n",
     f"提示：文件 {DATA / 'townships.csv'}，列「食品抽检合格率（%）」：1 个单位没有「食品抽检合格率」的数值（黄水镇）："
     "按缺失值规则记 0 分\n"
     "错误：无法写入文件「/dev/full」：磁盘空间已满\n"),
    # SQLite's reason, in qscore's language
    (("history", "quotes.toml"), 1,
     "Error: quotes.toml: not an archive of rounds (the file is not an SQLite database)\n",
     "错误：文件 quotes.toml：不是轮次档案库（该文件不是 SQLite 数据库）\n"),
    # attrs' own checks (a pattern, a choice), in qscore's words and language
    (("validate", "fields.toml"), 1,
     "fields.toml:17: error: indicators[1] (食品抽检合格率): field 'id': '食品' is not allowed for 'id': an id is "
     "ASCII letters, digits, '_' or '-', starting with a letter, such as food_pass_rate\n"
     "fields.toml:25: error: indicators[1] (食品抽检合格率): field 'direction': 'direction' must be one of "
     "'higher', 'lower', got 'up'\n✗ fields.toml: 2 error(s)\nError: 1 of 1 file(s) failed validation\n",
     "fields.toml:17：错误：indicators[1] (食品抽检合格率)：字段「id」：「id」不能为 '食品'：编号只能由英文字母、数字、"
     "'_' 或 '-' 组成，且以字母开头，例如 food_pass_rate\n"
     "fields.toml:25：错误：indicators[1] (食品抽检合格率)：字段「direction」：「direction」须为 'higher', 'lower' "
     "之一，实际为 'up'\n✗ fields.toml：2 个错误\n错误：1 个文件中有 1 个未通过校验\n"),
    (("show", "nosuch"), 2,
     "Error: no ruleset 'nosuch' is installed and no such file exists; installed: none\n",
     "错误：未安装规则集「nosuch」，也没有该文件；已安装：无\n"),
]


@pytest.mark.parametrize(("args", "code", "english", "chinese"), ERRORS, ids=lambda value: "")
def test_main_errors_in_english_and_chinese(data_dir, args, code, english, chinese):
    for lang, expected in (("en", english), ("zh", chinese)):
        result = run(*args, lang=lang)
        assert (result.exit_code, result.output) == (code, expected), lang


# -- no English left under QSCORE_LANG=zh --------------------------------------------------

#: The commands' main error paths (each exits non-zero): what an examiner meets first.
ERROR_PATHS = [
    ("rank", RULESET, "bad.csv", "--year", "2025"),
    ("rank", RULESET, "empty.csv", "--year", "2025"),
    ("rank", RULESET, "extra.csv", "--year", "2025"),
    ("rank", RULESET, "missing.csv"),
    ("rank", RULESET, "bad.csv", "--replace"),
    ("rank", RULESET, "bad.csv", "--format", "pdf"),
    ("rank", RULESET, "bad.csv", "--limit", "cells"),
    ("rank", RULESET, "bad.csv", "--encoding", "nosuch"),
    ("rank", RULESET, "bad.csv", "-o", "bad.csv"),
    ("rank", "quotes.toml", "bad.csv"),
    ("rank",),
    ("nosuch-command",),
    ("rank", RULESET, "bad.csv", "--nosuch-option"),
    ("explain", RULESET, str(DATA / "townships.csv"), "东城", "--year", "2025"),
    ("show", "nosuch"),
    ("validate", "quotes.toml"),
    ("compare", RULESET, "old.csv", "new.csv"),
    ("history", "nosuch.db"),
    ("whatif", RULESET, str(DATA / "townships.csv"), "东城", "--year", "2025"),
    ("robustness", RULESET, str(DATA / "townships.csv"), "--points", "lots"),
    ("import-table", "missing.csv"),
    ("import-table", "bad.csv", "--id", "Bad Id"),
    ("new-plugin", "Bad Name"),
    ("template", "nosuch"),
    ("template", RULESET, "--lead", "县统计局"),
    ("merge", RULESET, "missing.csv"),
    ("merge", RULESET, "bad.csv", "bad.csv"),
    ("report", RULESET, "bad.csv", "--year", "2025", "-o", "report.pdf"),
    ("verify", "missing.xlsx"),
    ("verify", "bad.csv"),
]
_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("args", ERROR_PATHS, ids=" ".join)
def test_no_ascii_only_message_under_qscore_lang_zh(data_dir, args):
    """Every line the command prints on an error path speaks Chinese (a line of only
    ASCII words is a message that bypassed the catalog)."""
    result = run(*args, lang="zh")
    assert result.exit_code != 0
    english = [line for line in result.output.splitlines() if re.search(r"[A-Za-z]{3}", line)
               and not _HAN.search(line)]
    assert english == [], result.output


# -- --help in Chinese ---------------------------------------------------------------------

HELP_SCRIPT = """
import json
import click
from click.testing import CliRunner
from qscore.cli import main
runner = CliRunner()
helps = {name: runner.invoke(main, [*name.split(), "--help"], prog_name="qscore").output
         for name in ["", *main.list_commands(click.Context(main))]}
print(json.dumps(helps))
"""


def _helps(env: dict[str, str]) -> dict[str, str]:
    import os

    clean = {k: v for k, v in os.environ.items() if k not in ("QSCORE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    done = subprocess.run([sys.executable, "-c", HELP_SCRIPT], capture_output=True, text=True, check=True,
                          env={**clean, **env})
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("env", [{"LANG": "zh_CN.UTF-8"}, {"QSCORE_LANG": "zh", "LANG": "C.UTF-8"}],
                         ids=["LANG=zh_CN.UTF-8", "QSCORE_LANG=zh"])
def test_every_commands_help_is_in_chinese(monkeypatch, env):
    monkeypatch.delenv("QSCORE_LANG")
    helps = _helps(env)
    context = click.Context(main)
    commands = {"": main, **{name: main.get_command(context, name) for name in main.list_commands(context)}}
    monkeypatch.setenv("QSCORE_LANG", "zh")  # after the commands are made, with their English help
    assert set(helps) == set(commands)
    for name, shown in helps.items():
        command = commands[name]
        assert shown.startswith("用法： qscore"), name
        assert "选项:" in shown and "显示本帮助并退出。" in shown, name
        texts = [command.help or ""] + [p.help for p in command.params if isinstance(p, click.Option) and p.help]
        for english in texts:
            import inspect

            chinese = i18n._(inspect.cleandoc(english).partition("\f")[0])
            assert chinese != english, f"{name}: untranslated {english!r}"
            assert _squeezed(chinese) in _squeezed(shown), f"{name}: {english!r}"
    # English is still what a C locale gets.
    assert _helps({"LANG": "C"})["rank"].startswith("Usage: qscore rank")


@pytest.mark.parametrize("reader, name", [
    ("qscore.reading.text:read_csv", "data.csv"), ("qscore.reading.text:read_json", "data.json"),
    ("qscore.reading.xlsx:read_xlsx", "data.xlsx"), ("qscore.reading.xls:read_xls", "data.xls"),
], ids=["csv", "json", "xlsx", "xls"])
def test_a_file_a_reader_cannot_open_is_refused_with_the_systems_reason_in_chinese(tmp_path, monkeypatch, reader,
                                                                                     name):
    # A path through a file (ENOTDIR) fails as the system's open does, whatever the user.
    import importlib

    from qscore.errors import DataError
    from qscore.reading.table import ReadOptions

    module, function = reader.split(":")
    (tmp_path / "plain").write_text("", encoding="utf-8")
    monkeypatch.setenv("QSCORE_LANG", "zh")
    with pytest.raises(DataError) as caught:
        getattr(importlib.import_module(module), function)(tmp_path / "plain" / name, ReadOptions())
    assert str(caught.value) == f"文件 {tmp_path / 'plain' / name}：无法读取文件：路径中有一部分不是文件夹"


def test_a_roster_qscore_cannot_open_is_refused_with_the_systems_reason_in_chinese(tmp_path, monkeypatch):
    from qscore.errors import DataError
    from qscore.reading.roster import read_roster

    (tmp_path / "plain").write_text("", encoding="utf-8")
    monkeypatch.setenv("QSCORE_LANG", "zh")
    with pytest.raises(DataError) as caught:
        read_roster(tmp_path / "plain" / "units.txt")
    assert str(caught.value) == f"文件 {tmp_path / 'plain' / 'units.txt'}：无法读取名单文件：路径中有一部分不是文件夹"

"""`-o` never destroys an input, never replaces what is not a regular file, keeps a
file's mode, leaves no temporary file on a signal, and names itself when it cannot be
written; XLSX tables go on as many sheets as they need."""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import townships_missing
from hostile_kit import RULESET, UNITS, check_cli, copy_inputs, environment, files, run_qscore

USAGE = "Usage: qscore rank [OPTIONS] RULESET DATA...\nTry 'qscore rank --help' for help.\n\n"


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    ruleset, data = copy_inputs(tmp_path, RULESET, UNITS)
    return ruleset, data


def refused_output(output: str, which: str) -> str:
    return (f"{USAGE}Error: Invalid value for '-o': {output} is {which}, which this command reads; writing "
            "there would destroy it: give another file\n")


def test_the_data_file_is_refused_as_an_output(cli, tmp_path, inputs):
    ruleset, data = inputs
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "-o", str(data), code=2,
              output=refused_output(str(data), "the data file"))


def test_the_ruleset_file_is_refused_as_an_output(cli, tmp_path, inputs):
    ruleset, data = inputs
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "-o", str(ruleset), code=2,
              output=refused_output(str(ruleset), "the ruleset"))


def test_another_name_for_an_input_is_refused_too(cli, tmp_path, inputs):
    ruleset, data = inputs
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    for output, which in ((tmp_path / "link.csv", f"the data file {data}"),
                          (tmp_path / "hard.csv", f"the data file {data}"),
                          (f"{tmp_path}/./{data.name}", "the data file")):
        check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "-o", str(output), code=2,
                  output=refused_output(str(output), which))


def test_the_table_is_refused_as_the_output_of_import_table(cli, tmp_path):
    (table,) = copy_inputs(tmp_path, DATA_ANNEX)
    check_cli(cli, tmp_path, "import-table", str(table), "-o", str(table), code=2,
              output=("Usage: qscore import-table [OPTIONS] FILE\nTry 'qscore import-table --help' for help.\n\n"
                      f"Error: Invalid value for '-o': {table} is the table, which this command reads; writing "
                      "there would destroy it: give another file\n"))


DATA_ANNEX = UNITS.parent / "shizhu_annex.csv"


def test_an_empty_output_name_is_a_usage_error(cli, tmp_path, inputs):
    ruleset, data = inputs
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "-o", "", code=2,
              output=f"{USAGE}Error: Invalid value for '-o': the file name is empty; give a file to write\n")


def test_a_device_is_written_into_not_replaced(cli, tmp_path, inputs):
    # A null device of the test's own, so that a regression replaces nothing of the machine's.
    ruleset, data = inputs
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    before = os.stat(device)
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "--year", "2027", "-o", str(device), code=0,
              output=townships_missing(data))
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_full_device_names_the_output(cli, tmp_path, inputs):
    ruleset, data = inputs
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "--year", "2027", "-o", "/dev/full", code=1,
              output=townships_missing(data) + "Error: Could not write file '/dev/full': no space left on the disk\n")


def test_a_fifo_is_written_into(cli, tmp_path, inputs):
    ruleset, data = inputs
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = cli("rank", str(ruleset), str(data), "--year", "2027", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0 and result.output == townships_missing(data)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received[0].startswith("\ufeff排名,单位,总分".encode())


def test_an_existing_file_keeps_its_mode(cli, tmp_path, inputs):
    ruleset, data = inputs
    output = tmp_path / "result.csv"
    output.write_bytes(b"earlier\n")
    output.chmod(0o600)
    assert cli("rank", str(ruleset), str(data), "-o", str(output)).exit_code == 0
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert output.read_bytes().startswith("\ufeff排名".encode())


def test_a_link_to_an_earlier_result_stays_a_link(cli, tmp_path, inputs):
    ruleset, data = inputs
    (tmp_path / "results").mkdir()
    real = tmp_path / "results" / "2025.csv"
    real.write_bytes(b"earlier\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    assert cli("rank", str(ruleset), str(data), "-o", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_bytes().startswith("\ufeff排名".encode())
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["2025.csv"]


def test_a_new_file_gets_the_mode_any_new_file_gets(cli, tmp_path, inputs):
    ruleset, data = inputs
    umask = os.umask(0o027)
    try:
        assert cli("rank", str(ruleset), str(data), "-o", str(tmp_path / "new.csv")).exit_code == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


def test_a_read_only_file_is_refused_not_replaced(cli, tmp_path, inputs):
    ruleset, data = inputs
    output = tmp_path / "result.csv"
    output.write_bytes(b"signed off\n")
    output.chmod(0o444)
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "--year", "2027", "-o", str(output), code=1,
              output=townships_missing(data) + f"Error: Could not write file '{output}': it is read-only, and qscore does not replace a "
                     "read-only file; make it writable or give another file\n")
    assert stat.S_IMODE(output.stat().st_mode) == 0o444


# -- a real process, a real signal, a large output -------------------------------------------

BULK_WRITER = '''
from qscore import hookimpl


def write_bulk(batch):
    return b"x" * (256 * 2**20)


@hookimpl
def qscore_register_writers(register):
    register("bulk", write_bulk, suffix=".bulk")
'''


@pytest.mark.parametrize(("sent", "code", "stderr"), [(signal.SIGTERM, -signal.SIGTERM, ""),
                                                     (signal.SIGHUP, -signal.SIGHUP, ""),
                                                     (signal.SIGINT, 1, "\nAborted!\n")],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_while_writing_leaves_no_temporary_file(tmp_path, sent, code, stderr):
    plugins = tmp_path / "plugins"
    plugins.mkdir(mode=0o755)
    (plugins / "bulk.py").write_text(BULK_WRITER, encoding="utf-8")
    (plugins / "bulk.py").chmod(0o644)
    ruleset, data = copy_inputs(tmp_path / "in", RULESET, UNITS)
    out = tmp_path / "out"
    out.mkdir()
    (out / "result.bulk").write_bytes(b"earlier result\n")
    inputs_before = files(tmp_path / "in")
    process = subprocess.Popen([sys.executable, "-m", "qscore", "--plugins-dir", str(plugins), "rank", str(ruleset),
                                str(data), "--year", "2027", "-o", str(out / "result.bulk")], env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # 256 MiB take a few hundred milliseconds to write and sync: send the signal as soon
    # as the temporary file is there.
    while process.poll() is None and not any(name.endswith(".tmp") for name in os.listdir(out)):
        time.sleep(0.0005)
    assert process.poll() is None, "the output was written before the signal could be sent"
    process.send_signal(sent)
    _, error = process.communicate(timeout=60)
    # The notice of 黄水镇's missing value is given before the output is written.
    assert (process.returncode, error) == (code, townships_missing(data) + stderr)
    assert files(out) == {"result.bulk": b"earlier result\n"}
    assert files(tmp_path / "in") == inputs_before


def test_an_output_larger_than_the_file_size_limit_names_the_output(tmp_path):
    # RLIMIT_FSIZE stands in for a full disk: the write fails part-way (EFBIG).
    ruleset, data = copy_inputs(tmp_path, RULESET, UNITS)
    (tmp_path / "result.json").write_bytes(b"earlier result\n")
    before = files(tmp_path)
    done = run_qscore(["rank", ruleset.name, data.name, "--year", "2027", "--format", "json", "-o", "result.json"],
                      cwd=tmp_path,
                      file_size=4096)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == townships_missing(data.name) + ("Error: Could not write file 'result.json': the file is too "
                                                          "large; nothing was written\n")
    assert files(tmp_path) == before


@pytest.mark.parametrize(("args", "said"), [(["show", str(RULESET)], ""),
                                            (["rank", str(RULESET), str(UNITS), "--year", "2027", "--format", "json"],
                                             townships_missing(UNITS))],
                         ids=["show", "rank"])
def test_a_closed_pipe_ends_quietly(tmp_path, args, said):
    # `qscore show … | head`: the reader is gone before qscore writes; exit 1, no
    # traceback and no "internal error".
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "qscore", *args], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, env=environment(), cwd=tmp_path, timeout=60)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (1, said)


# -- XLSX: as many sheets as the table needs ----------------------------------------------------

def test_the_xlsx_detail_goes_on_as_many_sheets_as_it_needs(tmp_path):
    import qscore
    from qscore.writing.xlsx import write_xlsx

    batch = qscore.score(str(RULESET), str(UNITS), explain=True)
    # 4 units × 3 indicators = 12 detail rows; sheets of 6 rows hold a title, a header and 4.
    path = tmp_path / "split.xlsx"
    path.write_bytes(write_xlsx(batch, max_rows=6))
    workbook = openpyxl.load_workbook(path)
    details = ["指标明细", "指标明细(2)", "指标明细(3)"]
    assert workbook.sheetnames == ["排名", "总分图", *details, "加减分", "数据提示", "说明", "来源", "图表数据"]
    detail = [row for name in details for row in workbook[name].iter_rows(min_row=3, values_only=True)]
    title = f"{batch.ruleset.title}（{batch.year}年度）"
    for name in details:  # each sheet with the title, the header, a filter and both on every printed page
        sheet = workbook[name]
        assert (sheet["A1"].value, [cell.value for cell in sheet[2]][:3]) == (title, ["排名", "单位", "指标代码"])
        assert (sheet.auto_filter.ref, sheet.print_title_rows) == (f"A2:K{sheet.max_row}", "$1:$2")
    expected = [(u.rank, u.unit, r.indicator, float(r.points)) for u in batch.units for r in u.indicators]
    assert [(row[0], row[1], row[2], row[7]) for row in detail] == expected
    # And the ranking too, when the units are more than a sheet holds: 3 rows hold one unit.
    path.write_bytes(write_xlsx(batch, max_rows=3))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:5] == ["排名", "排名(2)", "排名(3)", "排名(4)", "总分图"]
    rankings = workbook.sheetnames[:4]
    ranked = [row[1] for name in rankings for row in workbook[name].iter_rows(min_row=3, values_only=True)]
    assert ranked == [u.unit for u in batch.units]
    assert sum(1 for name in workbook.sheetnames if name.startswith("指标明细")) == 12
    # The chart draws the units of the first sheet (its series name the rows it reads).
    series = workbook["图表数据"]
    assert [row[0] for row in series.iter_rows(min_row=2, values_only=True)] == [batch.units[0].unit]


def test_each_sheet_of_a_split_table_spans_its_own_rows(tmp_path):
    import zipfile

    import qscore
    from qscore.writing.xlsx import write_xlsx, xlsx_chunks

    batch = qscore.score(str(RULESET), str(UNITS), explain=True)
    data = write_xlsx(batch, max_rows=7)
    # 12 detail rows, 5 to a sheet under the title and header: rows 3–7, 3–7 and 3–4.
    archive = zipfile.ZipFile(io.BytesIO(data))
    book = openpyxl.load_workbook(io.BytesIO(data))
    parts = {name: f"xl/worksheets/sheet{number}.xml"
             for number, name in enumerate((n for n in book.sheetnames if n != "总分图"), 1)}
    dimensions = [re.search(r'<dimension ref="([A-Z0-9:]+)"/>', archive.read(parts[name]).decode()).group(1)
                  for name in ("指标明细", "指标明细(2)", "指标明细(3)")]
    assert dimensions == ["A1:K7", "A1:K7", "A1:K4"]
    assert [book[name].auto_filter.ref for name in ("指标明细", "指标明细(2)", "指标明细(3)")] == [
        "A2:K7", "A2:K7", "A2:K4"]
    # Written in pieces, the same bytes, and the same again.
    assert b"".join(xlsx_chunks(batch, max_rows=7)) == data == write_xlsx(batch, max_rows=7)


def test_a_text_longer_than_an_xlsx_cell_is_refused_not_cut(cli, tmp_path):
    name = "镇" * 40_000
    data = tmp_path / "long.csv"
    data.write_text(UNITS.read_text(encoding="utf-8").replace("悦崃镇", name), encoding="utf-8")
    output = tmp_path / "out.xlsx"
    result = cli("rank", str(RULESET), str(data), "--limit", "cell_length=50000", "-o", str(output))
    assert result.exit_code == 1
    assert result.output == ("Error: the text in sheet 排名, row 3, column 2 is longer than the 32,767 characters "
                             "an XLSX cell holds; write CSV or JSON instead\n")
    assert not output.exists() and [p.name for p in tmp_path.iterdir()] == ["long.csv"]


def test_a_refused_workbook_leaves_no_temporary_file(cli, tmp_path, monkeypatch):
    # The workbook's sheets are written through temporary files: a refusal halfway closes
    # and removes them.
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data = tmp_path / "long.csv"
    data.write_text(UNITS.read_text(encoding="utf-8").replace("悦崃镇", "镇" * 40_000), encoding="utf-8")
    result = cli("rank", str(RULESET), str(data), "--limit", "cell_length=50000", "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 1 and "longer than the 32,767 characters" in result.output
    assert list(scratch.iterdir()) == []


def test_an_xlsx_stream_dropped_unread_leaves_no_temporary_file(tmp_path, monkeypatch):
    # As when recording the round fails after the workbook was made: its pieces are never read.
    import gc

    import qscore
    from qscore.writing.xlsx import xlsx_chunks

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    batch = qscore.score(str(RULESET), str(UNITS), explain=True)
    pieces = xlsx_chunks(batch)
    assert len(list(scratch.iterdir())) == 1  # the packed workbook's folder
    del pieces
    gc.collect()
    assert list(scratch.iterdir()) == []
    read = xlsx_chunks(batch)
    next(read)  # read part of the way, then dropped (a closed pipe)
    del read
    gc.collect()
    assert list(scratch.iterdir()) == []


def test_points_of_minus_zero_are_written_as_zero_everywhere(cli, write, tmp_path):
    # 完成率 of a value of -0: 10 × (-0 ÷ 98) = -0, rounded -0.00.  No output shows a sign.
    ruleset = write("zero.toml", '''
        id = "zero"
        title = "零分"
        jurisdiction = "测试县"
        base_year = 2023
        horizon_year = 2027
        [[indicators]]
        id = "food"
        name = "食品抽检合格率"
        target = 98
        points = 10
        rule = "ratio"
        ''')
    data = write("zero.csv", "单位,食品抽检合格率\n甲镇,-0\n乙镇,49\n")
    import qscore

    computed = qscore.score(str(ruleset), str(data)).unit("甲镇").indicators[0]
    assert str(computed.value) == "-0"  # read as written; the ratio gives 10 × (-0 ÷ 98) = -0
    table = cli("rank", str(ruleset), str(data), "--year", "2027").output
    assert "-0" not in table.replace("--", "") and "2       甲镇    0.00" in table
    csv_text = cli("rank", str(ruleset), str(data), "--year", "2027", "--format", "csv").output
    assert csv_text.splitlines()[2] == "2,甲镇,0.00,,0,0,否,,0.00"
    document = cli("rank", str(ruleset), str(data), "--year", "2027", "--format", "json").output
    assert "-0" not in document and '"points": 0.00' in document and '"value": 0,' in document
    explained = cli("explain", str(ruleset), str(data), "甲镇", "--year", "2027").output
    assert "-0" not in explained and "实际值：0" in explained and "得分：0.00" in explained
    assert cli("rank", str(ruleset), str(data), "-o", str(tmp_path / "z.xlsx")).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "z.xlsx")["指标明细"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "甲镇")
    assert (row[5], row[7]) == (0, 0) and str(row[7]) == "0"


def test_json_failing_part_way_through_its_pieces_leaves_the_earlier_file(cli, tmp_path, monkeypatch,
                                                                          fail_after_one_unit):
    # The JSON is written a piece at a time: a failure after the first pieces reached the
    # temporary file must still leave the earlier result as it was, and no temporary file.
    from qscore.writing import text

    ruleset, data = copy_inputs(tmp_path, RULESET, UNITS)
    (tmp_path / "result.json").write_bytes(b"earlier result\n")
    before = files(tmp_path)
    fail_after_one_unit(text, "_unit_pieces")
    monkeypatch.chdir(tmp_path)
    result = cli("rank", ruleset.name, data.name, "--year", "2027", "-o", "result.json")
    assert result.exit_code == 1
    assert "internal error: RuntimeError: made to fail after one unit" in result.output
    assert files(tmp_path) == before


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--seed", "-1", "Error: Invalid value for '--seed': -1 is not in the range x>=0."),
    ("--cutoffs", "1e999", "Error: Invalid value for '--cutoffs': 1e999 is too large to be a range (limit "
                           "1,000,000,000,000,000)"),
    ("--points", "1e-30", "Error: Invalid value for '--points': 1e-30 has more than 20 decimal places; expected a "
                          "range"),
], ids=["negative-seed", "cutoffs-past-any-number", "points-too-fine"])
def test_robustness_refuses_a_seed_or_range_it_cannot_sample_with(cli, tmp_path, option, value, message):
    # Each was an internal error (numpy's seed, a float overflow) after the data was read.
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    result = check_cli(cli, tmp_path, "robustness", str(ruleset), str(data), "--samples", "2", option, value,
                       code=2, output=None)
    assert result.output.splitlines()[-1] == message


@pytest.mark.parametrize(("command", "output"), [("template", "form.pdf"), ("merge", "merged.txt")],
                         ids=["template-to-pdf", "merge-to-txt"])
def test_template_and_merge_refuse_a_suffix_no_format_of_theirs_writes(cli, tmp_path, command, output):
    # form.pdf got an XLSX workbook, merged.txt CSV text: files named for what they are not.
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    args = (command, str(ruleset), *((str(data),) if command == "merge" else ()), "-o", str(tmp_path / output))
    result = check_cli(cli, tmp_path, *args, code=2, output=None)
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '-o': no output format writes {Path(output).suffix} files; {command} writes xlsx "
        "(.xlsx), csv (.csv): give -o a file with one of these suffixes, or --format")


CLOSED_STDOUT = ("sh", "-c", 'exec "$@" >&-', "sh")  # runs qscore with its standard output closed


@pytest.mark.parametrize("args", [("rank",), ("explain", "南宾街道"), ("show",)], ids=["rank", "explain", "show"])
def test_a_closed_standard_output_is_an_error_saying_so(tmp_path, args):
    # rank was an internal error (NoneType has no isatty); explain and show printed nothing, with exit 0.
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    command, *unit = args
    given = [command, str(ruleset), *([] if command == "show" else [str(data)]), *unit]
    done = run_qscore(given, cwd=tmp_path, prefix=CLOSED_STDOUT)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == ("Error: standard output is closed, so the result has nowhere to go; "
                                            "give -o FILE, or leave standard output open")


def test_a_closed_standard_output_does_not_stop_a_result_written_to_a_file(tmp_path):
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    done = run_qscore(["rank", str(ruleset), str(data), "-o", "ranked.csv"], cwd=tmp_path, prefix=CLOSED_STDOUT)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ranked.csv").read_text(encoding="utf-8-sig").startswith("排名,单位,总分,等次")


def test_a_reader_that_stops_early_ends_qscore_with_exit_code_1(tmp_path):
    # A write into the pipe took what fitted when the reader left, and the rest went unseen:
    # exit 0 for a result nobody read to the end.
    rows = "".join(f"第{n}镇,97.5%,99.2,完成,,\n" for n in range(3000))
    (tmp_path / "many.csv").write_text(UNITS.read_text(encoding="utf-8").splitlines()[0] + "\n" + rows,
                                       encoding="utf-8")
    with subprocess.Popen([sys.executable, "-m", "qscore", "rank", str(RULESET), "many.csv"], cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment()) as qscore:
        assert qscore.stdout is not None and qscore.stderr is not None
        assert qscore.stdout.read(10)  # the table is far larger than the pipe holds
        qscore.stdout.close()
        errors = qscore.stderr.read().decode("utf-8")
        assert qscore.wait(timeout=60) == 1
    assert "Error" not in errors and "Traceback" not in errors


def test_a_read_only_archive_is_not_recorded_into(cli, tmp_path):
    # Made read-only (chmod a-w) to keep last year's rounds: as root it was written all the
    # same, and as a user it was an internal error (attempt to write a readonly database).
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    archive = tmp_path / "in" / "rounds.db"
    assert cli("rank", str(ruleset), str(data), "--year", "2025", "--record", str(archive)).exit_code == 0
    archive.chmod(0o444)
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "--year", "2026", "--record", str(archive), code=1,
              output=f"Error: {archive}: the archive is read-only, and qscore does not record into a read-only "
                     "archive; make it writable or give another archive\n")


def test_an_archive_another_program_is_writing_is_said_to_be_busy(cli, tmp_path, monkeypatch):
    # It was "not an archive of rounds (database is locked)".
    from qscore.rounds import archive as archive_module

    monkeypatch.setattr(archive_module, "LOCK_WAIT", 0.05)
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    archive = tmp_path / "in" / "rounds.db"
    assert cli("rank", str(ruleset), str(data), "--year", "2025", "--record", str(archive)).exit_code == 0
    other = sqlite3.connect(archive, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "--year", "2026", "--record", str(archive),
                  code=1, output=f"Error: {archive}: cannot open the archive: another program is writing to it; try "
                                 "again when it has finished\n")
    finally:
        other.close()


def test_an_archive_in_a_folder_that_is_not_there_is_refused_before_the_work(cli, tmp_path):
    # The batch was read and scored first; then the archive failed as "the file cannot be opened".
    # Checked first, it is refused even before the data's own problem (97.5x) is found.
    (ruleset,) = copy_inputs(tmp_path / "in", RULESET)
    data = tmp_path / "in" / "townships.csv"
    data.write_text(UNITS.read_text(encoding="utf-8").replace("97.5%", "97.5x"), encoding="utf-8")
    archive = tmp_path / "gone" / "rounds.db"
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "--record", str(archive), code=1,
              output=f"Error: {archive}: cannot record the round in the archive: the folder {archive.parent} does "
                     "not exist\n")


@pytest.mark.parametrize(("command", "roster"), [
    ("rank", "roster.txt"), ("robustness", "roster.txt"), ("merge", "roster.csv"), ("report", "roster.html"),
], ids=["rank", "robustness", "merge", "report"])
def test_the_units_roster_is_never_the_output(cli, tmp_path, command, roster):
    # -o roster.txt with --units roster.txt replaced the roster with the ranking.
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    units = tmp_path / "in" / roster
    units.write_text("南宾街道\n西沱镇\n黄水镇\n", encoding="utf-8")
    result = check_cli(cli, tmp_path, command, str(ruleset), str(data), "--units", str(units), "--partial", "-o",
                       str(units), code=2, output=None)
    assert result.output.splitlines()[-1] == (f"Error: Invalid value for '-o': {units} is the roster file, which this "
                                              "command reads; writing there would destroy it: give another file")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_sigterm_during_robustness_leaves_no_worker_running(tmp_path):
    # A kill of qscore ended it at once and left its two sampling workers waiting for work
    # for ever, with the resource tracker.
    rows = "".join(f"第{n}镇,{90 + n % 9}.5%,{97 + n % 3},完成,,\n" for n in range(100))
    (tmp_path / "many.csv").write_text(UNITS.read_text(encoding="utf-8").splitlines()[0] + "\n" + rows,
                                       encoding="utf-8")
    args = [sys.executable, "-m", "qscore", "robustness", str(RULESET), "many.csv", "--year", "2025",
            "--samples", "1000000", "--workers", "2"]
    with subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=environment()) as qscore:
        deadline = time.monotonic() + 60
        while len(_children(qscore.pid)) < 3 and time.monotonic() < deadline:  # two workers, the tracker
            time.sleep(0.05)
        workers = _children(qscore.pid)
        assert len(workers) >= 3
        qscore.send_signal(signal.SIGTERM)
        assert qscore.wait(timeout=60) == -signal.SIGTERM
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


@pytest.mark.parametrize(("command", "fmt", "output", "named", "wanted"), [
    ("rank", "csv", "ranked.xlsx", "xlsx", ".csv"),
    ("rank", "json", "ranked.csv", "csv", ".json"),
    ("template", "csv", "form.xlsx", "xlsx", ".csv"),
    ("merge", "xlsx", "merged.csv", "csv", ".xlsx"),
    ("robustness", "json", "robust.html", "html", ".json"),
], ids=["rank-csv-to-xlsx", "rank-json-to-csv", "template-csv-to-xlsx", "merge-xlsx-to-csv",
        "robustness-json-to-html"])
def test_a_format_another_format_s_file_is_named_for_is_refused(cli, tmp_path, monkeypatch, command, fmt, output,
                                                                named, wanted):
    # ranked.xlsx held CSV text, which Excel refuses to open; verify then read it as a workbook.
    monkeypatch.chdir(tmp_path)  # -o names a file here: check_cli finds it if one is written
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    args = (command, str(ruleset), *(() if command == "template" else (str(data),)), "--format", fmt,
            "-o", output)
    result = check_cli(cli, tmp_path, *args, code=2, output=None)
    assert result.output.splitlines()[-1] == (f"Error: -o {output} is named for the {named} format, but --format "
                                              f"{fmt} was given: give -o a file ending in {wanted}, or leave --format "
                                              "out")


def test_robustness_takes_its_format_from_the_output_s_suffix(cli, tmp_path):
    # robust.html got the text table.
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    page = tmp_path / "robust.html"
    result = cli("robustness", str(ruleset), str(data), "--year", "2025", "--samples", "3", "-o", str(page))
    assert result.exit_code == 0, result.output
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

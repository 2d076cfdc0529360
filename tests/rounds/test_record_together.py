"""``rank --record`` does all it was asked or leaves things as they were: the round is
committed only once the result (and its provenance beside it) is written, a failure of
the output leaves the archive byte for byte as it was, and an archive that fails after
the result was written says so."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, townships_missing

TOWNSHIP = str(DATA / "township.toml")
TOWNSHIPS = str(DATA / "townships.csv")
#: What rank says before anything else: 黄水镇 has no 食品抽检合格率 and is scored 0.
MISSING = townships_missing(TOWNSHIPS)


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (hidden temporary files included)."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def archive(cli, tmp_path) -> Path:
    """An archive holding the round of 2025."""
    archive = tmp_path / "rounds.db"
    recorded = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--record", str(archive), "-o",
                   str(tmp_path / "2025.csv"))
    assert recorded.exit_code == 0, recorded.output
    return archive


def rounds(archive: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(archive) as connection:
        return connection.execute("SELECT id, year FROM rounds ORDER BY id").fetchall()


def test_an_output_that_cannot_be_written_records_nothing(cli, tmp_path, archive):
    # The round of 2026 was recorded, then the output failed: exit 1, and the round stayed.
    before = files(tmp_path)
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2026", "--record", str(archive), "-o", "/dev/full")
    assert (result.exit_code, result.output) == (1, MISSING + "Error: Could not write file '/dev/full': no space "
                                                    "left on the disk\n")
    assert files(tmp_path) == before
    assert rounds(archive) == [(1, 2025)]


def test_an_archive_made_for_a_round_not_recorded_is_removed(cli, tmp_path):
    archive = tmp_path / "rounds.db"
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2026", "--record", str(archive), "-o", "/dev/full")
    assert (result.exit_code, result.output) == (1, MISSING + "Error: Could not write file '/dev/full': no space "
                                                    "left on the disk\n")
    assert files(tmp_path) == {}


def test_standard_output_that_cannot_be_written_records_nothing(tmp_path, archive):
    before = files(tmp_path)
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "qscore", "rank", TOWNSHIP, TOWNSHIPS, "--year", "2026",
                               "--record", str(archive)], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=120)
    assert (done.returncode, done.stderr) == (1, MISSING + "Error: Could not write to standard output: no "
                                                 "space left on the disk\n")
    assert files(tmp_path) == before


def test_a_result_whose_provenance_cannot_be_written_is_not_written_either(cli, tmp_path, archive):
    # The result replaced, its provenance refused: the pair no longer matched.
    output = tmp_path / "ranked.csv"
    output.write_text("last run\n", encoding="utf-8")
    beside = tmp_path / "ranked.csv.provenance.json"
    beside.write_text("{}\n", encoding="utf-8")
    beside.chmod(0o444)
    before = files(tmp_path)
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2026", "--record", str(archive), "-o", str(output))
    assert (result.exit_code, result.output) == (1, MISSING + f"Error: Could not write file '{beside}': it is "
                                                    "read-only, and qscore does not replace a read-only file; make it "
                                                    "writable or give another file\n")
    assert files(tmp_path) == before


def test_an_archive_that_fails_after_the_result_was_written_says_so(cli, tmp_path, archive, monkeypatch):
    # Another program reading the archive (a SQLite browser) keeps qscore from committing.
    from qscore.rounds import archive as archive_module

    monkeypatch.setattr(archive_module, "LOCK_WAIT", 0.05)
    output = tmp_path / "ranked.csv"
    stored = archive.read_bytes()
    reader = sqlite3.connect(archive, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM rounds").fetchone()
        result = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2026", "--record", str(archive), "-o", str(output))
    finally:
        reader.close()
    assert (result.exit_code, result.output) == (1, MISSING + (
        f"Error: the result was written ({output}, {output}.provenance.json), but the round was not recorded: "
        f"{archive}: cannot record the round in the archive: another program is writing to it; try again when it "
        "has finished\n"))
    assert output.read_bytes() == cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2026", "--format", "csv").stdout_bytes
    assert Path(f"{output}.provenance.json").is_file()
    assert archive.read_bytes() == stored
    assert not Path(f"{archive}-journal").exists()
    # Once the reader has gone, the same command records the round.
    again = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2026", "--record", str(archive), "-o", str(output))
    assert (again.exit_code, again.output) == (0, MISSING + f"已记录：test-township 2026年度（第2轮，4个单位） → "
                                                            f"{archive}\n")
    assert rounds(archive) == [(1, 2025), (2, 2026)]


def test_a_file_that_is_not_an_archive_is_refused_before_the_work(cli, tmp_path):
    # Said before the data is read: its notice (no year given) is not printed.
    archive = tmp_path / "rounds.db"
    archive.write_bytes(b"PK\x03\x04 a workbook")
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--record", str(archive), "-o", str(tmp_path / "ranked.csv"))
    assert (result.exit_code, result.output) == (1, f"Error: {archive}: not an archive of rounds (the file is not an "
                                                    "SQLite database)\n")
    assert files(tmp_path) == {"rounds.db": b"PK\x03\x04 a workbook"}

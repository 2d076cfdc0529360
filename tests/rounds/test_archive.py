"""The archive of rounds: a recorded round reads back as the batch it was, recording is
idempotent, other results need ``replace`` and keep the old round as superseded, and a
file is brought to the current schema, or refused, by its schema version."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qscore
from conftest import DATA
from qscore.errors import DataError, UsageError
from qscore.model import NOT_APPLICABLE, ScoringOptions, SourceFile, UnitTuple
from qscore.provenance import file_sha256, provenance_of
from qscore.rounds import archive as archive_module
from qscore.rounds.archive import SCHEMA_VERSION, Archive, RoundExists
from qscore.scoring.engine import score_batch
from qscore.testing import score_rows, unit_rows
from qscore.writing.text import write_json

TOWNSHIP = DATA / "township.toml"
TOWNSHIPS = DATA / "townships.csv"
ALL_RULES = qscore.load_ruleset(DATA / "all_rules.toml")


def record(archive: Archive, data: Path, *, year: int = 2025, replace: bool = False,
           ruleset: str | Path = TOWNSHIP) -> archive_module.Recorded:
    batch = qscore.score(ruleset, data, year=year)
    return archive.record(batch, provenance_of(batch, [data]), replace=replace)


def count(path: Path, table_name: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(f"SELECT count(*) FROM {table_name}").fetchone()[0]


@pytest.fixture
def archive(tmp_path: Path):
    with Archive.open(tmp_path / "rounds.db", create=True) as opened:
        yield opened


def test_a_round_reads_back_as_the_batch_it_was(archive):
    # townships.csv has a bonus, a veto, a missing value and completion levels.
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025)
    recorded = archive.record(batch)  # with what the batch says it was scored from
    back = archive.batch(recorded.round, batch.ruleset)
    # The archive keeps the results, not the notices printed when they were scored (黄水镇's
    # missing value here): its value stays missing in the round.
    assert [(n.kind, n.column) for n in batch.notices] == [("missing", "食品抽检合格率（%）")]
    assert back.notices == ()
    assert attrs.evolve(back, provenance=None) == attrs.evolve(batch, provenance=None, notices=())
    # The round names the files by their SHA-256, the year given and the options, as the batch does.
    assert back.provenance == batch.provenance
    assert batch.provenance.ruleset_file == str(TOWNSHIP) and batch.provenance.options.year == 2025
    assert [u.adjustments for u in back.units] == [u.adjustments for u in batch.units]
    assert back.units.column("total") == batch.units.column("total")
    assert list(back.units.points_rows(str)) == [tuple(row) for row in batch.units.points_rows(str)]
    assert back.units.result_rows("met", bool) == batch.units.result_rows("met", bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(rows=unit_rows(ALL_RULES, max_units=6), year=st.integers(min_value=2023, max_value=2027))  # the plan's years
def test_any_round_reads_back_equal_and_scores_again_the_same(tmp_path_factory, rows, year):
    # Every rule type and target shape, with per-unit figures (@全省平均, @上年, @基期),
    # levels, missing values, bonus, deductions and vetoes.
    batch = score_rows(ALL_RULES, rows, year=year)
    path = tmp_path_factory.mktemp("rounds") / "rounds.db"
    data = path.parent / "data.csv"
    data.write_text("generated", encoding="utf-8")
    with Archive.open(path, create=True) as archive:
        provenance = provenance_of(batch, [data])
        recorded = archive.record(batch, provenance)
        units = archive.units(recorded.round, ALL_RULES)
        # Without the notices of the units without a value: the archive keeps the results.
        kept = attrs.evolve(batch, provenance=provenance, notices=())
        assert archive.batch(recorded.round, ALL_RULES) == kept
        assert [[repr(units.result_at(p, n)) for n in range(len(ALL_RULES.indicators))] for p in range(len(units))] \
            == [[repr(result) for result in unit.indicators] for unit in batch.units]
        # Written from its rows, the round is the JSON document of the batch it records.
        assert write_json(archive.batch(recorded.round, ALL_RULES)) == write_json(kept)
        assert units.figures() == {key: column for key, column in batch.units.figures().items()
                                   if any(figure is not None for figure in column)}
        # The stored values and figures are the data: scored again, the same results.
        again = score_batch(ALL_RULES, units.dataset("rounds.db:test"), year=year)
        assert again.units == batch.units


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(rows=unit_rows(ALL_RULES, max_units=6), year=st.integers(min_value=2023, max_value=2027), data=st.data())
def test_result_columns_are_read_for_units_in_any_order(tmp_path_factory, rows, year, data):
    # The engine's units, a recorded round's (read straight in that order, or from the
    # columns read in rank order) and units held one by one give the same columns.
    batch = score_rows(ALL_RULES, rows, year=year)
    order = data.draw(st.lists(st.sampled_from(range(len(batch.units))), max_size=8) if len(batch.units)
                      else st.just([]))
    path = tmp_path_factory.mktemp("rounds") / "rounds.db"
    plain = UnitTuple(attrs.evolve(u, indicators=tuple(u.indicators)) for u in batch.units)
    data = path.parent / "data.csv"
    data.write_text("generated", encoding="utf-8")
    with Archive.open(path, create=True) as archive:
        recorded = archive.record(batch, provenance_of(batch, [data]))
        for field in ("value", "target", "points", "max_points", "met", "previous"):
            expected = repr([[column[n] for n in order] for column in batch.units.result_columns(field)])
            stored = archive.units(recorded.round, ALL_RULES)
            assert repr(stored.result_columns(field, order)) == expected
            assert repr(stored.result_columns(field)) == repr(batch.units.result_columns(field))
            assert repr(stored.result_columns(field, order)) == expected
            assert repr(batch.units.result_columns(field, order)) == expected
            assert repr(plain.result_columns(field, order)) == expected


def test_recording_the_same_round_twice_changes_nothing(archive, tmp_path):
    first = record(archive, TOWNSHIPS)
    second = record(archive, TOWNSHIPS)
    assert (first.outcome, second.outcome) == ("recorded", "unchanged")
    assert second.round == first.round
    assert count(archive.path, "rounds") == 1 and count(archive.path, "units") == 4


def test_other_results_need_replace_and_nothing_is_written_without_it(archive, write):
    first = record(archive, TOWNSHIPS)
    corrected = write("corrected.csv", TOWNSHIPS.read_text(encoding="utf-8").replace("西沱镇,９６．８", "西沱镇,97.9"))
    with pytest.raises(RoundExists) as refused:
        record(archive, corrected)
    # The value is part of the round: a corrected value is another result, even at full marks.
    assert str(refused.value) == (
        f"{archive.path}: round 2025 of ruleset 'test-township' is already recorded (round 1) with other results: "
        f"the data differs ({TOWNSHIPS} sha256 {file_sha256(TOWNSHIPS)[:12]} then, "
        f"{corrected} sha256 {file_sha256(corrected)[:12]} now); other results for 1 unit: 西沱镇")
    assert first.round.sources[0].sha256 == file_sha256(TOWNSHIPS)
    assert count(archive.path, "rounds") == 1 and count(archive.path, "units") == 4


def test_replace_keeps_the_old_round_as_superseded(archive, write):
    first = record(archive, TOWNSHIPS)
    corrected = write("corrected.csv", TOWNSHIPS.read_text(encoding="utf-8").replace("西沱镇,９６．８", "西沱镇,97.9"))
    second = record(archive, corrected, replace=True)
    assert second.outcome == "replaced" and second.superseded is not None
    assert second.superseded.id == first.round.id and second.superseded.superseded_by == second.round.id
    assert archive.round("test-township", 2025) == second.round
    ruleset = qscore.load_ruleset(TOWNSHIP)
    # 复核: both figures stay, the old one marked superseded.
    old = archive.batch(second.superseded, ruleset).unit("西沱镇")
    new = archive.batch(second.round, ruleset).unit("西沱镇")
    assert (old.indicators[0].value, new.indicators[0].value) == (Decimal("96.8"), Decimal("97.9"))
    assert [(s.round.id, s.round.current, s.total) for s in archive.history("西沱镇")] == [
        (1, False, old.total), (2, True, new.total)]
    # Recording the replaced data again is now the current round: nothing changes.
    assert record(archive, corrected).outcome == "unchanged"


def test_the_provenance_is_recorded(archive):
    recorded = record(archive, TOWNSHIPS).round
    assert recorded.sources == (SourceFile(name=str(TOWNSHIPS),
                                           sha256=provenance_of(qscore.score(TOWNSHIP, TOWNSHIPS, year=2025),
                                                                [TOWNSHIPS]).data[0].sha256),)
    assert (recorded.ruleset, recorded.title, recorded.year, recorded.base_year, recorded.horizon_year) == (
        "test-township", "测试县乡镇质量工作考核", 2025, 2023, 2027)
    assert recorded.options == ScoringOptions() and recorded.unit_count == 4
    assert recorded.qscore_version == provenance_of(qscore.score(TOWNSHIP, TOWNSHIPS), [TOWNSHIPS]).qscore_version


def test_history_counts_the_targets_met(archive):
    record(archive, TOWNSHIPS, year=2024)
    record(archive, TOWNSHIPS, year=2025)
    # Only 食品 has a target to meet (药品 is scored by bands, 重点任务 by levels).
    # 南宾街道: 97.5 against 95 + (98 − 95) × 1/4 = 95.75 in 2024 and × 2/4 = 96.5 in 2025.
    standings = archive.history("南宾街道")
    assert [(s.round.year, s.assessed, s.met, s.on_path) for s in standings] == [(2024, 1, 1, True),
                                                                                (2025, 1, 1, True)]
    # 黄水镇 has no 食品 value: not on track.
    assert [(s.assessed, s.met) for s in archive.history("黄水镇")] == [(1, 0), (1, 0)]
    assert archive.history("不存在的镇") == []


def test_an_exempt_value_is_kept_as_the_results_show_it():
    assert archive_module.EXEMPT_VALUE == NOT_APPLICABLE


def test_a_round_not_recorded_is_named_with_the_years_there_are(archive):
    record(archive, TOWNSHIPS, year=2024)
    with pytest.raises(UsageError, match=r"rounds.db has no round 2026 of ruleset 'test-township' \(it holds 2024\)"):
        archive.round("test-township", 2026)


def test_a_ruleset_with_other_indicators_cannot_read_a_round(archive):
    recorded = record(archive, TOWNSHIPS).round
    with pytest.raises(DataError, match="was recorded with other indicators or categories than ruleset 'all-rules'"):
        archive.units(recorded, ALL_RULES)


# -- the file and its schema ---------------------------------------------------------------

def test_a_new_file_has_the_current_schema_version(tmp_path):
    with Archive.open(tmp_path / "new.db", create=True) as opened:
        assert opened.schema_version() == SCHEMA_VERSION == 2


def test_without_create_a_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such archive: .*missing.db"):
        Archive.open(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    path = tmp_path / "rounds.db"
    path.write_text("单位,总分\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"rounds.db: not an archive of rounds \(the file is not an SQLite database\)"):
        Archive.open(path)


def test_an_sqlite_file_with_other_tables_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE cats (name TEXT)")
    with pytest.raises(DataError, match=r"not an archive of rounds: it has tables \(cats\) but no schema_version"):
        Archive.open(path)


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "rounds.db"
    Archive.open(path, create=True).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = 7")
    with pytest.raises(DataError, match="the archive has schema version 7, which a newer qscore wrote; this qscore "
                                        "reads up to version 2"):
        Archive.open(path)


def test_an_older_file_is_migrated_step_by_step(tmp_path, monkeypatch):
    path = tmp_path / "rounds.db"
    with Archive.open(path, create=True) as opened:
        record(opened, TOWNSHIPS)
    # A later qscore adds a step; the version-2 file, with its round, is brought to version 3.
    step = ("ALTER TABLE rounds ADD COLUMN note TEXT",)
    monkeypatch.setattr(archive_module, "MIGRATIONS", (*archive_module.MIGRATIONS, step))
    monkeypatch.setattr(archive_module, "SCHEMA_VERSION", 3)
    with Archive.open(path) as opened:
        assert opened.schema_version() == 3
        assert [r.year for r in opened.rounds()] == [2025]
    with sqlite3.connect(path) as connection:
        assert "note" in [row[1] for row in connection.execute("PRAGMA table_info(rounds)")]


def test_a_version_1_file_gains_the_rest_of_the_provenance_and_keeps_its_rounds(tmp_path):
    # A file as schema 1 made it: schema 2's columns dropped again, its version set back.
    path = tmp_path / "rounds.db"
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025)
    with Archive.open(path, create=True) as opened:
        first = opened.record(batch).round
    added = ("ruleset_file", "given_year", "partial", "roster_file", "roster_sha256", "hidden", "merged",
             "percent_fractions")
    with sqlite3.connect(path) as connection:
        for column in added:
            connection.execute(f"ALTER TABLE rounds DROP COLUMN {column}")
        connection.execute("UPDATE schema_version SET version = 1")
    with Archive.open(path) as opened:
        assert opened.schema_version() == 2
        (round,) = opened.rounds()
        # What schema 1 did not keep reads as the defaults; the round is the same round.
        assert round.options == ScoringOptions() and round.ruleset_file is None
        assert round.fingerprint == first.fingerprint
        assert opened.record(batch).outcome == "unchanged"


def test_the_options_that_change_results_are_recorded(archive, tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("南宾街道\n西沱镇\n黄水镇\n悦崃镇\n", encoding="utf-8")
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025, units=roster, hidden="skip", percent_fractions=True)
    recorded = archive.record(batch).round
    assert recorded.provenance == batch.provenance
    assert recorded.options == ScoringOptions(year=2025, roster=SourceFile(str(roster), file_sha256(roster)),
                                              hidden="skip", percent_fractions=True)
    # Recorded without the options, the same results are another round (the options are part of it).
    plain = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025)
    assert plain.units == batch.units
    with pytest.raises(RoundExists, match="the reading options differ"):
        archive.record(plain)

"""The archive of rounds: every recorded round of every ruleset, in one SQLite file.

A round is one ruleset's scoring of one year: where it came from (the ruleset's and the
data files' SHA-256, the options, the qscore version) and every unit's values, targets
used, points, subtotals, adjustments, total, rank and tier.  A round is never changed:
recording the same round again does nothing, and a round with other results for the
same ruleset and year is recorded only when asked to replace it, the old one staying in
the file as superseded, so that corrections after a 复核 remain visible.

The file is plain SQLite (any SQLite tool or Datasette opens it); ``docs/data.md``
describes its tables, and :data:`MIGRATIONS` takes an older file to this schema.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from qscore.errors import DataError, QscoreError, UsageError
from qscore.i18n import N_, _, ngettext, os_reason
from qscore.model import Provenance, ScoringOptions, SourceFile

if TYPE_CHECKING:  # imported when used: `qscore history` reads a unit's rows and starts fast
    from qscore.model import BatchResult, Ruleset
    from qscore.rounds.stored import StoredUnit, StoredUnits

#: The value an exempt unit's result shows (:data:`qscore.model.NOT_APPLICABLE`).
EXEMPT_VALUE = "不适用"

#: Each step takes an archive from the version of its position to the next one; version
#: 0 is an empty file.  A new version appends a step (``ALTER TABLE …``), never edits one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE schema_version (
    version INTEGER NOT NULL
)""",
        """CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    ruleset TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER NOT NULL,
    base_year INTEGER NOT NULL,
    horizon_year INTEGER NOT NULL,
    ruleset_sha256 TEXT,
    qscore_version TEXT,
    encoding TEXT,
    sheet TEXT,
    ignore_unknown INTEGER NOT NULL,
    unit_count INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    superseded_by INTEGER REFERENCES rounds (id)
)""",
        "CREATE INDEX rounds_by_ruleset_year ON rounds (ruleset, year)",
        """CREATE TABLE sources (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    position INTEGER NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (round_id, position)
)""",
        """CREATE TABLE categories (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    position INTEGER NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (round_id, position)
)""",
        """CREATE TABLE indicators (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    position INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT,
    unit TEXT NOT NULL,
    points TEXT NOT NULL,
    value_kind TEXT NOT NULL,
    has_target INTEGER NOT NULL,
    on_path INTEGER NOT NULL,
    PRIMARY KEY (round_id, position)
)""",
        """CREATE TABLE units (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    position INTEGER NOT NULL,
    unit TEXT NOT NULL,
    row INTEGER,
    rank INTEGER NOT NULL,
    total TEXT NOT NULL,
    tier TEXT,
    vetoed INTEGER NOT NULL,
    bonus TEXT NOT NULL,
    deductions TEXT NOT NULL,
    gap_to_next TEXT,
    subtotals TEXT NOT NULL,
    indicator_values TEXT NOT NULL,
    indicator_targets TEXT NOT NULL,
    indicator_points TEXT NOT NULL,
    indicator_met TEXT NOT NULL,
    figures TEXT,
    PRIMARY KEY (round_id, position)
)""",
        "CREATE UNIQUE INDEX units_by_round_unit ON units (round_id, unit)",
        "CREATE INDEX units_by_unit ON units (unit)",
        """CREATE TABLE adjustments (
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    unit TEXT NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    item TEXT NOT NULL,
    name TEXT NOT NULL,
    count TEXT NOT NULL,
    points TEXT NOT NULL,
    PRIMARY KEY (round_id, unit, position)
)""",
        """CREATE VIEW rankings AS
SELECT rounds.ruleset, rounds.year, units.round_id, rounds.superseded_by IS NOT NULL AS superseded,
       units.rank, units.unit, units.total, units.tier
FROM units JOIN rounds ON rounds.id = units.round_id""",
        """CREATE VIEW results AS
SELECT rounds.ruleset, rounds.year, units.round_id, units.unit, indicators.position, indicators.indicator,
       indicators.name,
       json_extract(units.indicator_values, '$[' || indicators.position || ']') AS value,
       json_extract(units.indicator_targets, '$[' || indicators.position || ']') AS target,
       json_extract(units.indicator_points, '$[' || indicators.position || ']') AS points,
       json_extract(units.indicator_met, '$[' || indicators.position || ']') AS met
FROM units
JOIN rounds ON rounds.id = units.round_id
JOIN indicators ON indicators.round_id = units.round_id""",
        "INSERT INTO schema_version (version) VALUES (0)",
    ),
    # 2: the rest of a result's provenance — the ruleset file given, the year given and
    # the reading options added since (roster, partial batch, hidden rows, merged cells,
    # fractions).
    (
        "ALTER TABLE rounds ADD COLUMN ruleset_file TEXT",
        "ALTER TABLE rounds ADD COLUMN given_year INTEGER",
        "ALTER TABLE rounds ADD COLUMN partial INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE rounds ADD COLUMN roster_file TEXT",
        "ALTER TABLE rounds ADD COLUMN roster_sha256 TEXT",
        "ALTER TABLE rounds ADD COLUMN hidden TEXT NOT NULL DEFAULT 'refuse'",
        "ALTER TABLE rounds ADD COLUMN merged TEXT NOT NULL DEFAULT 'refuse'",
        "ALTER TABLE rounds ADD COLUMN percent_fractions INTEGER NOT NULL DEFAULT 0",
    ),
)
#: The schema version this qscore writes.
SCHEMA_VERSION = len(MIGRATIONS)
_UNIT_COLUMNS = ("position, unit, row, rank, total, tier, vetoed, bonus, deductions, gap_to_next, subtotals, "
                 "indicator_values, indicator_targets, indicator_points, indicator_met, figures")
_ROUND_COLUMNS = ("id, ruleset, title, year, base_year, horizon_year, ruleset_sha256, qscore_version, encoding, "
                  "sheet, ignore_unknown, unit_count, fingerprint, superseded_by, ruleset_file, given_year, partial, "
                  "roster_file, roster_sha256, hidden, merged, percent_fractions")
_ROUND_WIDTH = len(_ROUND_COLUMNS.split(","))


#: SQLite's reasons an archive cannot be read or written, said in qscore's language
#: (SQLite says them in English).
_SQLITE_REASONS = {
    "file is not a database": N_("the file is not an SQLite database"),
    "database disk image is malformed": N_("the file is damaged"),
    "disk I/O error": N_("input/output error (the disk or the network drive failed)"),
    "database or disk is full": N_("no space left on the disk"),
    "attempt to write a readonly database": N_("the file may not be written"),
    "unable to open database file": N_("the file cannot be opened"),
}


def check_writable(path: str | os.PathLike[str]) -> None:
    """Make sure a round can be recorded in the archive ``path``: its folder is there, and
    the file, when there is one, was not made read-only (no write permission for anyone,
    or none for this user), which keeps it as it is, as an output file would be.

    :raises DataError: naming the archive.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise DataError(_("cannot record the round in the archive: the folder {folder} does not exist").format(
            folder=path.parent), file=str(path))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return  # made on first use
    except OSError as exc:
        raise DataError(_("cannot record the round in the archive: {reason}").format(reason=os_reason(exc)),
                        file=str(path)) from None
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise DataError(_("the archive is read-only, and qscore does not record into a read-only archive; make it "
                          "writable or give another archive"), file=str(path))


def check_recordable(path: str | os.PathLike[str]) -> None:
    """Make sure, before the work, that a round can be recorded in the archive ``path``:
    it can be written (:func:`check_writable`) and, when the file is there, it is an
    archive of rounds this qscore reads (left as it is).

    :raises DataError: naming the archive.
    """
    check_writable(path)
    if Path(path).is_file():
        Archive.open(path, migrate=False).close()


def _sqlite_reason(exc: sqlite3.Error) -> str:
    if _locked(exc):
        return _(LOCKED)
    known = _SQLITE_REASONS.get(str(exc))
    return _(known) if known else str(exc)


def _locked(exc: sqlite3.Error) -> bool:
    """Whether another program holds the archive (``database is locked``, ``… table is locked``)."""
    return "locked" in str(exc)


#: Seconds to wait for another program writing the archive to finish.
LOCK_WAIT = 5.0
#: Why an archive another program is writing cannot be opened or written now.
LOCKED = N_("another program is writing to it; try again when it has finished")


@attrs.frozen
class Round:
    """A recorded round (a row of the ``rounds`` table).

    :param id: its number in the archive, in the order rounds were recorded.
    :param ruleset: the ruleset's id.
    :param title: the ruleset's title.
    :param year: the assessment year.
    :param base_year: the plan's base year.
    :param horizon_year: the plan's horizon year.
    :param ruleset_sha256: the SHA-256 of the ruleset file, ``None`` for one built in code.
    :param qscore_version: the qscore that scored it.
    :param options: how the data files were read.
    :param sources: the data files, each with its SHA-256.
    :param unit_count: how many units were ranked.
    :param fingerprint: the SHA-256 of the round's inputs and results: equal rounds have equal ones.
    :param superseded_by: the id of the round that replaced it, ``None`` for the current one.
    :param ruleset_file: the ruleset file given, ``None`` for an installed ruleset (or a
        round recorded before the archive kept it).
    """

    id: int
    ruleset: str
    title: str
    year: int
    base_year: int
    horizon_year: int
    ruleset_sha256: str | None
    qscore_version: str | None
    options: ScoringOptions
    sources: tuple[SourceFile, ...]
    unit_count: int
    fingerprint: str
    superseded_by: int | None
    ruleset_file: str | None = None

    @property
    def current(self) -> bool:
        return self.superseded_by is None

    @property
    def provenance(self) -> Provenance:
        """What the round was scored from, as recorded."""
        return Provenance(ruleset=self.ruleset, ruleset_sha256=self.ruleset_sha256, year=self.year, data=self.sources,
                          options=self.options, qscore_version=self.qscore_version, ruleset_file=self.ruleset_file)


@attrs.frozen
class Recorded:
    """What recording a round did.

    :param outcome: ``recorded`` (a new ruleset and year), ``unchanged`` (the same round
        was there already) or ``replaced`` (the round supersedes the one that was there).
    :param round: the current round.
    :param superseded: the round it replaced, when it replaced one.
    """

    outcome: Literal["recorded", "unchanged", "replaced"]
    round: Round
    superseded: Round | None = None


class RoundExists(QscoreError):
    """A round with other results is recorded for the same ruleset and year.

    :param archive: the archive file.
    :param recorded: the round recorded there.
    :param differences: what differs, in words.
    """

    def __init__(self, archive: str, recorded: Round, differences: Sequence[str]) -> None:
        self.archive, self.recorded, self.differences = archive, recorded, tuple(differences)
        super().__init__(_("{archive}: round {year} of ruleset '{ruleset}' is already recorded (round {id}) with "
                           "other results: {differences}").format(
            archive=archive, year=recorded.year, ruleset=recorded.ruleset, id=recorded.id,
            differences=_("; ").join(differences)))


@attrs.frozen
class Standing:
    """A unit's place in one recorded round, for its history.

    :param round: the round.
    :param unit: the unit's name.
    :param rank: its rank, out of ``round.unit_count``.
    :param total: its total.
    :param tier: its grade or tier, ``None`` without a classification.
    :param assessed: indicators with a target that apply to the unit.
    :param met: how many of them met the year's target.
    :param on_path: whether any of the ruleset's targets follow a path from the baseline
        (so that meeting the year's target means being on track).
    """

    round: Round
    unit: str
    rank: int
    total: Decimal
    tier: str | None
    assessed: int
    met: int
    on_path: bool


class Archive:
    """An archive of rounds in one SQLite file; open it with :meth:`open`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path, self._connection = path, connection

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, create: bool = False, migrate: bool = True) -> Archive:
        """The archive in ``path``, brought to this qscore's schema.

        :param create: make the file when there is none.
        :param migrate: bring an older file to this qscore's schema (else it is only
            checked to be an archive this qscore reads, and left as it is).
        :raises UsageError: for a file that does not exist (without ``create``).
        :raises DataError: for a file that is not an archive of rounds, or one a newer
            qscore wrote.
        """
        path = Path(path)
        if not create and not path.is_file():
            raise UsageError(_("no such archive: {path}").format(path=path))
        try:
            connection = sqlite3.connect(path, isolation_level=None, timeout=LOCK_WAIT)
        except sqlite3.Error as exc:
            raise DataError(_("cannot open the archive: {exc}").format(exc=_sqlite_reason(exc)), file=str(path)) from None
        archive = cls(path, connection)
        try:
            archive._migrate() if migrate else archive._check_version()
        except sqlite3.DatabaseError as exc:
            connection.close()
            if _locked(exc):
                raise DataError(_("cannot open the archive: {reason}").format(reason=_sqlite_reason(exc)),
                                file=str(path)) from None
            raise DataError(_("not an archive of rounds ({exc})").format(exc=_sqlite_reason(exc)),
                            file=str(path)) from None
        except QscoreError:
            connection.close()
            raise
        return archive

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- schema ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The file's schema version: 0 for an empty file."""
        tables = {name for (name,) in self._connection.execute("SELECT name FROM sqlite_master")}
        if not tables:
            return 0
        if "schema_version" not in tables:
            raise DataError(_("not an archive of rounds: it has tables ({tables}) but no "
                            "schema_version").format(tables=', '.join(sorted(tables))), file=str(self.path))
        row = self._connection.execute("SELECT version FROM schema_version").fetchone()
        if row is None:
            raise DataError(_("not an archive of rounds: its schema_version table is empty"), file=str(self.path))
        return int(row[0])

    def _migrate(self) -> None:
        """Bring the file to :data:`SCHEMA_VERSION`, taking the write lock only when a
        step is due (reading a current archive writes nothing)."""
        self._connection.execute("PRAGMA foreign_keys = ON")
        if self._check_version() == SCHEMA_VERSION:
            return
        with self._transaction():
            version = self._check_version()  # again, under the lock
            for step in MIGRATIONS[version:]:
                for statement in step:
                    self._connection.execute(statement)
            self._connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def _check_version(self) -> int:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise DataError(_("the archive has schema version {version}, which a newer qscore wrote; this "
                            "qscore reads up to version {SCHEMA_VERSION}").format(
                    version=version, SCHEMA_VERSION=SCHEMA_VERSION), file=str(self.path))
        return version

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything in it is written, or nothing."""
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("COMMIT")
        except sqlite3.Error:
            # A commit that failed (the file locked by a reader, a full disk) may leave the
            # transaction open: end it, so that nothing of it is kept.
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise

    # -- reading -----------------------------------------------------------------------------

    def rounds(self, ruleset: str | None = None) -> list[Round]:
        """Every recorded round (of ``ruleset``, when given), by ruleset, year and recording."""
        where, parameters = ("WHERE ruleset = ?", (ruleset,)) if ruleset is not None else ("", ())
        rows = self._connection.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds {where} "
                                        "ORDER BY ruleset, year, id", parameters).fetchall()
        return self._rounds(rows)

    def round(self, ruleset: str, year: int) -> Round:
        """The current round of ``ruleset`` for ``year``.

        :raises UsageError: when there is none, naming the years there are.
        """
        found = self._current(ruleset, year)
        if found is None:
            years = sorted({r.year for r in self.rounds(ruleset) if r.current})
            held = (_("it holds {years}").format(years=", ".join(map(str, years))) if years
                    else _("it holds none of that ruleset"))
            raise UsageError(_("{path} has no round {year} of ruleset '{ruleset}' ({held})").format(
                    path=self.path, year=year, ruleset=ruleset, held=held))
        return found

    def units(self, round: Round, ruleset: Ruleset) -> StoredUnits:
        """``round``'s units as recorded, read with ``ruleset`` (which must have the
        round's indicators and categories).

        :raises DataError: when the ruleset's indicators are not the round's.
        """
        from qscore.rounds.stored import StoredUnits

        self._check_ruleset(round, ruleset)
        return StoredUnits(ruleset, functools.partial(self._fields, round.id))

    def batch(self, round: Round, ruleset: Ruleset) -> BatchResult:
        """``round`` as the batch it was recorded from (without explanations, and without
        notices: the archive keeps the results, not what was said when they were scored)."""
        from qscore.model import BatchResult

        return BatchResult(ruleset=ruleset, year=round.year, units=self.units(round, ruleset),
                           provenance=round.provenance)

    def history(self, unit: str, ruleset: str | None = None) -> list[Standing]:
        """``unit``'s place in every round that has it (of ``ruleset``, when given), by
        ruleset, year and recording, superseded rounds included."""
        where = "units.unit = ?" + (" AND rounds.ruleset = ?" if ruleset is not None else "")
        columns = ", ".join(f"rounds.{c.strip()}" for c in _ROUND_COLUMNS.split(","))
        rows = self._connection.execute(
            f"SELECT {columns}, units.rank, units.total, units.tier, units.indicator_values, units.indicator_met "
            f"FROM units JOIN rounds ON rounds.id = units.round_id WHERE {where} "
            "ORDER BY rounds.ruleset, rounds.year, rounds.id",
            (unit,) if ruleset is None else (unit, ruleset)).fetchall()
        rounds = self._rounds([row[:_ROUND_WIDTH] for row in rows])
        flags = self._target_flags([r.id for r in rounds])
        standings = []
        for round, (rank, total, tier, values, met) in zip(rounds, (row[_ROUND_WIDTH:] for row in rows)):
            targeted = [(value, reached) for (has_target, _), value, reached
                        in zip(flags[round.id], json.loads(values), json.loads(met)) if has_target]
            assessed = [reached for value, reached in targeted if value != EXEMPT_VALUE]
            standings.append(Standing(round=round, unit=unit, rank=rank, total=Decimal(total), tier=tier,
                                      assessed=len(assessed), met=sum(1 for reached in assessed if reached is True),
                                      on_path=any(on_path for _, on_path in flags[round.id])))
        return standings

    def _current(self, ruleset: str, year: int) -> Round | None:
        rows = self._connection.execute(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE ruleset = ? AND year = ? "
                                        "AND superseded_by IS NULL", (ruleset, year)).fetchall()
        return self._rounds(rows)[0] if rows else None

    def _rounds(self, rows: list[tuple[Any, ...]]) -> list[Round]:
        sources: dict[int, list[SourceFile]] = {}
        ids = [row[0] for row in rows]
        for round_id, file, sha256 in self._connection.execute(
                f"SELECT round_id, file, sha256 FROM sources WHERE round_id IN ({', '.join('?' * len(ids))}) "
                "ORDER BY round_id, position", ids):
            sources.setdefault(round_id, []).append(SourceFile(name=file, sha256=sha256))
        return [Round(id=row[0], ruleset=row[1], title=row[2], year=row[3], base_year=row[4], horizon_year=row[5],
                      ruleset_sha256=row[6], qscore_version=row[7],
                      options=ScoringOptions(encoding=row[8], sheet=row[9], ignore_unknown=bool(row[10]),
                                             year=row[15], partial=bool(row[16]),
                                             roster=None if row[17] is None else SourceFile(row[17], row[18]),
                                             hidden=row[19], merged=row[20], percent_fractions=bool(row[21])),
                      sources=tuple(sources.get(row[0], ())), unit_count=row[11], fingerprint=row[12],
                      superseded_by=row[13], ruleset_file=row[14]) for row in rows]

    def _target_flags(self, round_ids: list[int]) -> dict[int, list[tuple[bool, bool]]]:
        flags: dict[int, list[tuple[bool, bool]]] = {round_id: [] for round_id in round_ids}
        for round_id, has_target, on_path in self._connection.execute(
                f"SELECT round_id, has_target, on_path FROM indicators WHERE round_id IN "
                f"({', '.join('?' * len(flags))}) ORDER BY round_id, position", list(flags)):
            flags[round_id].append((bool(has_target), bool(on_path)))
        return flags

    def _stored(self, round_id: int) -> list[StoredUnit]:
        """A round's rows."""
        from qscore.rounds.stored import StoredUnit

        adjustments = self._adjustments(round_id)
        rows = self._connection.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE round_id = ? ORDER BY position",
                                        (round_id,))
        return [StoredUnit(position, unit, row, rank, total, tier, bool(vetoed), bonus, deductions, gap, subtotals,
                           values, targets, points, met, figures, tuple(adjustments.get(unit, ())))
                for (position, unit, row, rank, total, tier, vetoed, bonus, deductions, gap, subtotals, values,
                     targets, points, met, figures) in rows]

    def _adjustments(self, round_id: int) -> dict[str, list[tuple[str, str, str, str, str]]]:
        """A round's adjustment lines (``kind, item, name, count, points``) by unit."""
        adjustments: dict[str, list[tuple[str, str, str, str, str]]] = {}
        for unit, *line in self._connection.execute(
                "SELECT unit, kind, item, name, count, points FROM adjustments WHERE round_id = ? "
                "ORDER BY unit, position", (round_id,)):
            adjustments.setdefault(unit, []).append(tuple(line))
        return adjustments

    def _fields(self, round_id: int, fields: Sequence[str]) -> list[list[Any]]:
        """Some fields (:class:`StoredUnit` attributes) of a round's rows, a column per
        field, the rows in rank order."""
        from qscore.rounds.stored import COLUMNS

        if tuple(fields) == ("adjustments",):  # from their own table, by unit
            adjustments = self._adjustments(round_id)
            return [[tuple(adjustments.get(unit, ())) for unit in self._fields(round_id, ("unit",))[0]]]
        rows = self._connection.execute(f"SELECT {', '.join(COLUMNS.get(field, field) for field in fields)} "
                                        "FROM units WHERE round_id = ? ORDER BY position", (round_id,)).fetchall()
        return list(map(list, zip(*rows))) if rows else [[] for _ in fields]

    def _check_ruleset(self, round: Round, ruleset: Ruleset) -> None:
        recorded = [name for (name,) in self._connection.execute(
            "SELECT indicator FROM indicators WHERE round_id = ? ORDER BY position", (round.id,))]
        categories = [name for (name,) in self._connection.execute(
            "SELECT category FROM categories WHERE round_id = ? ORDER BY position", (round.id,))]
        if recorded != [i.id for i in ruleset.indicators] or categories != [c.id for c in ruleset.categories]:
            raise DataError(_("round {year} of '{ruleset}' (round {id}) was recorded with other "
                            "indicators or categories than ruleset '{ruleset_id}' has now; it cannot be read with "
                            "this ruleset").format(
                    year=round.year, ruleset=round.ruleset, id=round.id, ruleset_id=ruleset.id), file=str(self.path))

    # -- recording ---------------------------------------------------------------------------

    def record(self, batch: BatchResult, provenance: Provenance | None = None, *, replace: bool = False) -> Recorded:
        """Record ``batch``, scored from what ``provenance`` says (by default its own,
        ``batch.provenance``), as the round of its ruleset and year.

        :param replace: record it even when a round with other results is there, which
            is then kept as superseded.
        :raises RoundExists: when a round with other results is there and ``replace`` is false.
        :raises ValueError: for a batch that names no provenance (scored from a table
            already read), when none is given.
        """
        with self.recording(batch, provenance, replace=replace) as recorded:
            return recorded

    @contextlib.contextmanager
    def recording(self, batch: BatchResult, provenance: Provenance | None = None, *,
                  replace: bool = False) -> Iterator[Recorded]:
        """Record ``batch`` as :meth:`record` does, committing the round when the block
        ends: what the block does (writing the outputs the round was scored for) and the
        round land together, and an error in the block leaves the archive as it was.
        The archive is locked for writing while the block runs.

        :raises DataError: when the round cannot be written or committed, naming the
            archive; nothing is recorded then.
        """
        from qscore.rounds.stored import stored_units

        provenance = provenance or batch.provenance
        if provenance is None:
            raise ValueError(_("the batch does not say what it was scored from (it was not scored from a file); "
                             "give its provenance"))
        ruleset = batch.ruleset
        if (provenance.ruleset, provenance.year) != (ruleset.id, batch.year):
            raise ValueError(_("the provenance is of {ruleset} {year}, the batch of "
                             "{id} {batch_year}").format(
                    ruleset=provenance.ruleset, year=provenance.year, id=ruleset.id, batch_year=batch.year))
        units = stored_units(batch.units, [c.id for c in ruleset.categories])
        fingerprint = _fingerprint(provenance, units)
        check_writable(self.path)
        with self._written(), self._transaction():
            current = self._current(ruleset.id, batch.year)
            if current is not None and current.fingerprint == fingerprint:
                yield Recorded("unchanged", current)
                return
            if current is not None and not replace:
                raise RoundExists(str(self.path), current, self._differences(current, provenance, units))
            round_id = self._insert(ruleset, provenance, units, fingerprint)
            if current is not None:
                self._connection.execute("UPDATE rounds SET superseded_by = ? WHERE id = ?", (round_id, current.id))
            recorded = {r.id: r for r in self.rounds(ruleset.id)}  # this connection sees its own round
            yield Recorded("recorded", recorded[round_id]) if current is None \
                else Recorded("replaced", recorded[round_id], recorded[current.id])

    @contextlib.contextmanager
    def _written(self) -> Iterator[None]:
        """Writing the archive: a failure of the file (locked by another program, a full
        disk) is said, naming the archive; nothing is recorded."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise DataError(_("cannot record the round in the archive: {reason}").format(reason=_sqlite_reason(exc)),
                            file=str(self.path)) from None

    def _insert(self, ruleset: Ruleset, provenance: Provenance, units: list[StoredUnit], fingerprint: str) -> int:
        from qscore.writing.explain import follows_path

        execute, many = self._connection.execute, self._connection.executemany
        options = provenance.options
        roster = options.roster
        cursor = execute(f"INSERT INTO rounds ({_ROUND_COLUMNS}) VALUES (NULL{', ?' * (_ROUND_WIDTH - 1)})",
                         (ruleset.id, ruleset.title, provenance.year, ruleset.base_year, ruleset.horizon_year,
                          provenance.ruleset_sha256, provenance.qscore_version, options.encoding, options.sheet,
                          int(options.ignore_unknown), len(units), fingerprint, None, provenance.ruleset_file,
                          options.year, int(options.partial), None if roster is None else roster.name,
                          None if roster is None else roster.sha256, options.hidden, options.merged,
                          int(options.percent_fractions)))
        round_id = cursor.lastrowid
        assert round_id is not None
        many("INSERT INTO sources VALUES (?, ?, ?, ?)",
             [(round_id, n, source.name, source.sha256) for n, source in enumerate(provenance.data)])
        many("INSERT INTO categories VALUES (?, ?, ?, ?)",
             [(round_id, n, c.id, c.name) for n, c in enumerate(ruleset.categories)])
        many("INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [(round_id, n, i.id, i.name, i.category, i.unit, str(i.points), i.rule.value_kind,
               int(i.target is not None and i.rule.uses_target), int(follows_path(i)))
              for n, i in enumerate(ruleset.indicators)])
        many(f"INSERT INTO units (round_id, {_UNIT_COLUMNS}) VALUES (?{', ?' * 16})",
             [(round_id, *unit[:-1]) for unit in units])
        many("INSERT INTO adjustments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             [(round_id, unit.unit, n, *line) for unit in units if unit.adjustments
              for n, line in enumerate(unit.adjustments)])
        return round_id

    def _differences(self, current: Round, provenance: Provenance, units: list[StoredUnit]) -> list[str]:
        """What differs between the recorded round and the one to record, in words."""
        differences = []
        if current.ruleset_sha256 != provenance.ruleset_sha256:
            differences.append(_("the ruleset file differs"))
        if [s.sha256 for s in current.sources] != [s.sha256 for s in provenance.data]:
            differences.append(_("the data differs ({then} then, {now} now)").format(
                then=_files(current.sources), now=_files(provenance.data)))
        if attrs.evolve(current.options, year=None) != attrs.evolve(provenance.options, year=None):
            differences.append(_("the reading options differ"))
        recorded = {unit.unit: unit.result() for unit in self._stored(current.id)}
        new = {unit.unit: unit.result() for unit in units}
        for kind, names in (("other", [n for n in new if n in recorded and recorded[n] != new[n]]),
                            ("new", [n for n in new if n not in recorded]),
                            ("missing", [n for n in recorded if n not in new])):
            if names:
                count = len(names)
                what = {"other": ngettext("other results for {count} unit", "other results for {count} units", count),
                        "new": ngettext("{count} unit not in the recorded round", "{count} units not in the recorded round",
                                        count),
                        "missing": ngettext("{count} unit missing from this round", "{count} units missing from this round",
                                            count)}[kind]
                differences.append(_("{what}: {names}").format(what=what.format(count=count), names=_names(names)))
        return differences or [_("the units come in another order or from other rows")]


def _fingerprint(provenance: Provenance, units: list[StoredUnit]) -> str:
    """The SHA-256 of what makes a round: the ruleset file, the data files' contents, the
    options, the year and every unit's row (not the files' names or the qscore version)."""
    digest = hashlib.sha256()
    options = provenance.options
    read: list[object] = [options.encoding, options.sheet, options.ignore_unknown]
    # The options added in schema 2, when not their defaults (a round recorded before
    # keeps its fingerprint); the year given is not one: the same year, the same round.
    added = attrs.evolve(options, encoding=None, sheet=None, ignore_unknown=False, year=None)
    if added != ScoringOptions():
        read.append([added.partial, None if added.roster is None else added.roster.sha256, added.hidden,
                     added.merged, added.percent_fractions])
    digest.update(json.dumps([provenance.ruleset, provenance.year, provenance.ruleset_sha256,
                              [source.sha256 for source in provenance.data], read]).encode())
    for column in zip(*units):  # a field at a time: a national round has 40,000 rows
        digest.update(b"\x1e" + "\x1f".join(map(repr, column)).encode())
    return digest.hexdigest()


def _names(names: Sequence[str], shown: int = 5) -> str:
    if len(names) > shown:
        return _("{names} and {count} more").format(names=_(", ").join(names[:shown]), count=len(names) - shown)
    return _(", ").join(names)


def _files(files: Sequence[SourceFile]) -> str:
    return ", ".join(f"{f.name} sha256 {f.sha256[:12]}" for f in files) or _("no file")

"""The examiner's year across rounds: ``compare`` and ``history``, and the recording
behind ``rank --record``."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qscore.cli.app import (Outputs, _check_encoding, batch_work, catalog, check_format_suffix, check_output,
                           check_units, echo, emit, list_format, main, scoring_ruleset)
from qscore.i18n import N_, _

if TYPE_CHECKING:
    from qscore.model import BatchResult, Ruleset
    from qscore.model import ScoringOptions
    from qscore.rounds.archive import Archive
    from qscore.rounds.compare import Source

COMPARE_FORMATS = ("table", "csv", "json", "xlsx")


def record_round(batch: BatchResult, archive: str, outputs: Outputs, *, replace: bool) -> None:
    """Record ``batch`` (scored from the files its provenance names) in the archive file
    ``archive`` and put ``outputs`` in place, together: the round is committed once the
    outputs are written, so that a failure of either leaves the archive as it was (an
    archive this command made is removed again); say what was done on stderr.

    :raises click.ClickException: when the round cannot be recorded, saying whether the
        outputs were written all the same (when the archive failed at the last moment).
    """
    from qscore.errors import QscoreError
    from qscore.rounds.archive import Archive, RoundExists

    made = not os.path.lexists(archive)
    with Archive.open(archive, create=True) as opened:
        try:
            with opened.recording(batch, replace=replace) as recorded:
                outputs.place()
        except BaseException as exc:
            if made and not outputs.placed:
                _remove_if_empty(opened)
            if isinstance(exc, RoundExists):
                raise click.ClickException(_("{problem}; give --replace to record this round and keep the recorded "
                                             "one as superseded").format(problem=exc)) from None
            if isinstance(exc, QscoreError) and outputs.placed:
                written = _(", ").join(_("standard output") if name == "-" else name for name in outputs.names)
                raise click.ClickException(_("the result was written ({written}), but the round was not recorded: "
                                             "{problem}").format(written=written, problem=exc)) from None
            raise
    done = recorded.round
    what = f"{done.ruleset} {done.year}年度（第{done.id}轮，{done.unit_count}个单位）"
    if recorded.outcome == "unchanged":
        echo(f"未改动：{archive} 中已有相同的 {what}", err=True)
    elif recorded.superseded is not None:
        echo(f"已替换：{what} → {archive}；原第{recorded.superseded.id}轮保留为已取代", err=True)
    else:
        echo(f"已记录：{what} → {archive}", err=True)


def _remove_if_empty(opened: Archive) -> None:
    """Remove the archive this command made for a round it did not record, unless
    another program has recorded a round in it meanwhile."""
    with contextlib.suppress(Exception):
        if not opened.rounds():
            opened.path.unlink()


@main.command()
@click.argument("ruleset_name", metavar="RULESET")
@click.argument("old")
@click.argument("new")
@click.option("--year-old", type=int, help=_("OLD's assessment year (a recorded round has its own)."))
@click.option("--year-new", type=int, help=_("NEW's assessment year (a recorded round has its own)."))
@click.option("--format", "fmt", type=click.Choice(COMPARE_FORMATS),
              help=_("Output format (default: from -o's suffix, else table)."))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=_("Write to this file instead of stdout."))
@click.option("--encoding", callback=_check_encoding, help=_("Force the text encoding of CSV or JSON data files."))
@click.option("--sheet", help=_("Sheet of workbook data files to read (default: the active sheet, if visible)."))
@click.option("--ignore-unknown", is_flag=True, help=_("Skip columns that name nothing in the ruleset."))
@click.option("--units", "units", type=click.Path(dir_okay=False),
              help=_("Roster file, one unit name per line: check the units against it instead of the "
                     "ruleset's roster."))
@click.option("--partial", is_flag=True, help=_("The data may hold only some units of the roster (and units off it)."))
@click.option("--hidden", type=click.Choice(("read", "skip")),
              help=_("Workbook rows and columns hidden in Excel that hold data: read or skip them (default: refuse)."))
@click.option("--fill-merged", is_flag=True,
              help=_("Fill each cell of a merged range in a workbook's data with its value (default: refuse)."))
@click.option("--percent-fractions", is_flag=True,
              help=_("Accept a % column written as fractions (0.975 for 97.5%) and multiply it by 100."))
@click.pass_context
def compare(ctx: click.Context, ruleset_name: str, old: str, new: str, year_old: int | None, year_new: int | None,
            fmt: str | None, output: str | None, encoding: str | None, sheet: str | None,
            ignore_unknown: bool, units: str | None, partial: bool, hidden: str | None, fill_merged: bool,
            percent_fractions: bool) -> None:
    """Compare two years of RULESET unit by unit, and split each change of a total into
    what the unit's data did and what the year's targets did.

    OLD and NEW are data files (each scored for the year its title, sheet or file name
    states, else give --year-old and --year-new) or rounds recorded with `rank --record`,
    written ARCHIVE:YEAR (rounds.db:2024).
    """
    from qscore.model import ScoringOptions, SourceFile
    from qscore.provenance import file_sha256
    from qscore.rounds.compare import compare as compare_years
    from qscore.rounds.report import COMPARISON_FORMATS, COMPARISON_STREAMS

    inputs = {N_("ruleset"): ruleset_name if Path(ruleset_name).is_file() else None,
              N_("old year's file"): _file_of(old), N_("new year's file"): _file_of(new), N_("roster file"): units}
    if output not in (None, "-"):
        check_output(output, inputs)  # before the work, not after
    fmt = fmt or _format_from_suffix(output) or "table"
    check_format_suffix(fmt, output, {name: known for name, (_, known) in COMPARISON_FORMATS.items()})
    to_terminal = output in (None, "-") and sys.stdout.isatty()
    if fmt == "xlsx" and to_terminal:
        raise click.UsageError(_("an XLSX workbook cannot be shown on a terminal; give -o FILE.xlsx"))
    found = catalog(ctx)
    ruleset = scoring_ruleset(found, ruleset_name)
    check_units(units)
    roster = None if units is None else SourceFile(name=units, sha256=file_sha256(units))
    options = ScoringOptions(encoding=encoding, sheet=sheet, ignore_unknown=ignore_unknown, partial=partial,
                             roster=roster, hidden=hidden or "refuse",  # type: ignore[arg-type]
                             merged="fill" if fill_merged else "refuse", percent_fractions=percent_fractions)
    with contextlib.ExitStack() as archives, batch_work():
        old_source = _source(ruleset, old, year_old, "--year-old", "OLD", options, archives)
        new_source = _source(ruleset, new, year_new, "--year-new", "NEW", options, archives)
        _check_reading_options(ctx, old_source, new_source)
        comparison = compare_years(ruleset, old_source, new_source, catalog=found)
        # A file is written a piece at a time where the format allows (by emit, while the
        # archives are open).
        stream = COMPARISON_STREAMS.get(fmt) if output not in (None, "-") else None
        data = stream(comparison) if stream is not None else COMPARISON_FORMATS[fmt][0](comparison)
        for notice in comparison.notices:
            echo(_("notice: {notice}").format(notice=notice), err=True)
        for note in comparison.notes:
            echo(_("note: {note}").format(note=note), err=True)
        emit(data, output, inputs=inputs, escape=fmt == "table" or to_terminal)


#: The options that say how a data file is read.
READING_OPTIONS = ("encoding", "sheet", "ignore_unknown", "units", "partial", "hidden", "fill_merged",
                   "percent_fractions")


def _check_reading_options(ctx: click.Context, old: Source, new: Source) -> None:
    """Refuse options that say how a data file is read when OLD and NEW are both
    recorded rounds: a round keeps the data and units it was recorded with, and an
    option that does nothing must not look as if it did.

    :raises click.UsageError: naming the options given.
    """
    from click.core import ParameterSource

    from qscore.rounds.compare import DataSource

    if isinstance(old, DataSource) or isinstance(new, DataSource):
        return
    given = [f"--{name.replace('_', '-')}" for name in READING_OPTIONS
             if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)]
    if given:
        raise click.UsageError(_("{options} say how a data file is read, and OLD and NEW are recorded rounds, "
                                 "which keep the data they were recorded with: leave them out").format(
            options=", ".join(given)))


def _file_of(source: str) -> str:
    """The file OLD or NEW reads: a data file, or the archive of ``ARCHIVE:YEAR``."""
    archive, colon, year = source.rpartition(":")
    return archive if colon and year.isdigit() and not Path(source).is_file() else source


def _format_from_suffix(output: str | None) -> str | None:
    """The format ``-o output``'s suffix names (``None``: none, or the table).

    :raises click.BadParameter: for a suffix no format takes (.pdf, .docx).
    """
    from qscore.rounds.report import COMPARISON_FORMATS

    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    if not suffix:
        return None
    found = next((name for name, (_, known) in COMPARISON_FORMATS.items() if known == suffix), None)
    if found is None:
        known = ", ".join(f"{name} ({known})" for name, (_, known) in COMPARISON_FORMATS.items())
        raise click.BadParameter(_("no output format writes {suffix} files; compare writes {known}: give -o a file "
                                 "with one of these suffixes, or --format").format(
                suffix=suffix, known=known), param_hint="'-o'")
    return None if found == "table" else found


def _source(ruleset: Ruleset, text: str, year: int | None, option: str, name: str, options: ScoringOptions,
            archives: contextlib.ExitStack) -> Source:
    """A data file, or a round written ARCHIVE:YEAR."""
    from qscore.rounds.archive import Archive
    from qscore.rounds.compare import DataSource, RoundSource

    if not Path(text).is_file():
        archive, colon, round_year = text.rpartition(":")
        if not (colon and round_year.isdigit()):
            raise click.BadParameter(_("no such file: {file}").format(file=text), param_hint=name)
        opened = archives.enter_context(Archive.open(archive))
        round = opened.round(ruleset.id, int(round_year))
        if year is not None and year != round.year:
            raise click.BadParameter(_("{year}, but {source} is the round of {round_year}").format(
                year=year, source=text, round_year=round.year), param_hint=f"'{option}'")
        return RoundSource(opened, round)
    if year is not None and not ruleset.base_year <= year <= ruleset.horizon_year + 50:
        raise click.BadParameter(_("{year} is outside the plan ({base_year} → {horizon_year})").format(
                year=year, base_year=ruleset.base_year, horizon_year=ruleset.horizon_year),
                                 param_hint=f"'{option}'")
    return DataSource(text, year, options, option)


@main.command()
@click.argument("archive", type=click.Path(dir_okay=False))
@click.argument("unit", required=False)
@click.option("--ruleset", "ruleset_id", help=_("Only the rounds of this ruleset id."))
@list_format
def history(archive: str, unit: str | None, ruleset_id: str | None, fmt: str) -> None:
    """UNIT's totals, ranks and tiers in every round recorded in ARCHIVE (with
    `rank --record`), and where targets follow a path, how many were on track; without
    UNIT, the rounds ARCHIVE holds."""
    from qscore.rounds import report
    from qscore.rounds.archive import Archive

    with Archive.open(archive) as opened:
        if unit is None:
            rounds = opened.rounds(ruleset_id)
            writer: Any = report.rounds_json if fmt == "json" else report.rounds_table
            emit(writer(archive, rounds), None, inputs={}, escape=fmt == "table" or sys.stdout.isatty())
            return
        standings = opened.history(unit.strip(), ruleset_id)
    if not standings:
        message = (_("no unit '{unit}' in any round of {archive} of ruleset '{ruleset}'") if ruleset_id
                   else _("no unit '{unit}' in any round of {archive}"))
        raise click.BadParameter(message.format(unit=unit, archive=archive, ruleset=ruleset_id), param_hint="UNIT")
    writer = report.history_json if fmt == "json" else report.history_table
    emit(writer(archive, unit.strip(), standings), None, inputs={}, escape=fmt == "table" or sys.stdout.isatty())

"""The report for leadership and the reviewer's check: ``report`` and ``verify``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qscore.cli.app import (batch_work, catalog, check_output, data_inputs, data_options, echo, echo_notices, emit, main,
                            score, scoring_ruleset)
from qscore.i18n import N_, _

if TYPE_CHECKING:
    from qscore.model import BatchResult, ScoringOptions
    from qscore.rounds.compare import Source
    from qscore.writing.report import YearOverYear

REPORT_SUFFIXES = (".html", ".htm")


@main.command()
@data_options
@click.option("--compare", "old", metavar="OLD",
              help=_("Add the year-over-year view against OLD: last year's data file (with --compare-year) or a "
                   "round recorded with `rank --record`, written ARCHIVE:YEAR (rounds.db:2024)."))
@click.option("--compare-year", type=int, help=_("OLD's assessment year, for a data file."))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help=_("The report to write, an .html file (- for stdout)."))
@click.pass_context
def report(ctx: click.Context, old: str | None, compare_year: int | None, output: str, **options: Any) -> None:
    """Write a printable report of DATA ranked by RULESET: one HTML file in Chinese that
    opens offline (everything it needs is inside it) and prints on A4 — the headline,
    charts, the table of every unit, the rules and their assumptions, where the result
    comes from, then a page per unit with its full explanation."""
    from qscore.cli.rounds import _file_of

    if compare_year is not None and old is None:
        raise click.UsageError(_("--compare-year needs --compare OLD"))
    if output == "-" and sys.stdout.isatty():
        raise click.UsageError(_("the report is a web page of several megabytes; give -o FILE.html"))
    if old is not None and len(options["data"]) > 1:
        raise click.UsageError(_("--compare compares one data file with last year's: merge the submissions first "
                               "(qscore merge) and report on the merged workbook"))
    inputs = {**data_inputs(options["data"], options["units"]), N_("ruleset"): _file_or_none(options["ruleset_name"]),
              "old year's file": None if old is None else _file_of(old)}
    if output != "-":
        check_output(output, inputs)  # before the work, not after
        if Path(output).suffix.lower() not in REPORT_SUFFIXES:
            raise click.BadParameter(_("the report is an HTML page: give a file ending in .html, not {output}").format(
                    output=output),
                                     param_hint="'-o'")
    from qscore.writing.report import html_report

    with contextlib.ExitStack() as archives:
        # Last year's round (or file) is found before the work, not after it.
        old_source = None if old is None else _old_source(ctx, old, compare_year, options, archives)
        with batch_work():
            batch = score(ctx, explain=True, **options)
            echo_notices(batch)
            year_over_year = None if old_source is None else _year_over_year(ctx, batch, old_source, options)
            data = html_report(batch, year_over_year=year_over_year)
    emit(data, output, inputs={**inputs, N_("ruleset file"): batch.ruleset.file})


def _reading(options: dict[str, Any], *, roster: bool = False) -> ScoringOptions:
    """How the data files are read, by the command's options.

    :param roster: with the ``--units`` roster: this year's data is checked against it,
        as it was when it was ranked (last year's units are last year's).
    """
    from qscore.model import ScoringOptions, SourceFile
    from qscore.provenance import file_sha256

    units = options["units"] if roster else None
    return ScoringOptions(encoding=options["encoding"], sheet=options["sheet"],
                          ignore_unknown=options["ignore_unknown"], partial=options["partial"],
                          roster=None if units is None else SourceFile(name=units, sha256=file_sha256(units)),
                          hidden=options["hidden"] or "refuse", merged="fill" if options["fill_merged"] else "refuse",
                          percent_fractions=options["percent_fractions"])


def _old_source(ctx: click.Context, old: str, year: int | None, options: dict[str, Any],
                archives: contextlib.ExitStack) -> Source:
    """``--compare OLD``: a data file, or a recorded round (its archive opened in
    ``archives``).

    :raises click.UsageError: for a file or round that is not there.
    :raises DataError: for an archive that is not one, or cannot be read.
    """
    from qscore.cli.rounds import _source

    ruleset = scoring_ruleset(catalog(ctx), options["ruleset_name"])
    return _source(ruleset, old, year, "--compare-year", "OLD", _reading(options), archives)


def _year_over_year(ctx: click.Context, batch: BatchResult, old: Source, options: dict[str, Any]) -> YearOverYear:
    """Last year against this one, by ``qscore compare``'s comparison."""
    from qscore.rounds.compare import DataSource, compare
    from qscore.rounds.report import year_over_year

    comparison = compare(batch.ruleset, old, DataSource(options["data"][0], batch.year, _reading(options, roster=True)),
                         catalog=catalog(ctx))
    for notice in comparison.notices:
        if notice.file != options["data"][0]:  # this year's file's notices are printed already
            echo(_("notice: {notice}").format(notice=notice), err=True)
    for note in comparison.notes:
        echo(_("note: {note}").format(note=note), err=True)
    return year_over_year(comparison)


def _file_or_none(name: str) -> str | None:
    try:
        return name if Path(name).is_file() else None
    except OSError:
        return None


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--data", multiple=True, type=click.Path(dir_okay=False),
              help=_("A data file RESULT was scored from, when it is no longer where RESULT names it "
                   "(repeatable; found by its SHA-256)."))
@click.option("--ruleset", "ruleset_name", metavar="RULESET",
              help=_("The ruleset file (or installed id) RESULT was scored with, when it is not found where RESULT "
                   "names it (checked by its SHA-256)."))
@click.pass_context
def verify(ctx: click.Context, result: str, data: tuple[str, ...], ruleset_name: str | None) -> None:
    """Recompute RESULT from the ruleset and data it names and check every figure (a
    复核 in one command): exit 0 when all match, 1 naming the first figure that does
    not, or a file that has changed since.

    RESULT is a JSON, XLSX or HTML result, or a CSV (or table) with the
    FILE.provenance.json that `rank -o FILE` writes beside it.
    """
    from qscore.verify import verify as verify_result

    checked = verify_result(result, data=data, ruleset=ruleset_name, catalog=catalog(ctx))
    for note in checked.notes:
        echo(_("note: {note}").format(note=note), err=True)
    if checked.difference is not None:
        raise click.ClickException(_("{result} does not match the recomputed result: {difference}").format(
                result=result, difference=checked.difference))
    provenance = checked.provenance
    but = "".join(f"除「{section}」一节（未重新计算）外" for section in checked.unchecked)
    echo(f"一致：{result} {but}的每个数字都与重新计算的结果相同（{checked.units} 个单位；规则集 {checked.ruleset}，"
         f"{provenance.year}年度；数据 {'、'.join(checked.data)}；SHA-256 均相符）")

"""The collection round: ``template`` (the form sent to every unit or department) and
``merge`` (the submissions that come back, combined, with the checklist of what is
still missing)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qscore.cli.app import (_check_encoding, _check_year, catalog, check_format_suffix, check_output, data_inputs,
                            data_options, data_paths, echo, emit, main)
from qscore.i18n import N_, _

FORMATS = ("xlsx", "csv")


def _format(fmt: str | None, output: str | None, default: str, command: str) -> str:
    """The format asked for, else the one ``-o output``'s suffix names, else ``default``.

    :raises click.BadParameter: for a suffix neither format writes (.pdf, .txt): a
        workbook must not land in a file named for something else.
    """
    if fmt is not None:
        check_format_suffix(fmt, output, {name: f".{name}" for name in FORMATS})
        return fmt
    suffix = Path(output).suffix.lower() if output not in (None, "-") else ""
    if suffix and suffix.lstrip(".") not in FORMATS:
        known = ", ".join(f"{name} (.{name})" for name in FORMATS)
        raise click.BadParameter(_("no output format writes {suffix} files; {command} writes {known}: give -o a file "
                                   "with one of these suffixes, or --format").format(
            suffix=suffix, command=command, known=known), param_hint="'-o'")
    return suffix.lstrip(".") or default


def _file_or_none(name: str) -> str | None:
    try:
        return name if Path(name).is_file() else None
    except OSError:
        return None


def _refuse_workbook_on_terminal(fmt: str, output: str | None) -> None:
    if fmt == "xlsx" and output in (None, "-") and sys.stdout.isatty():
        raise click.UsageError(_("an XLSX workbook cannot be shown on a terminal; give -o FILE.xlsx"))


@main.command()
@click.argument("ruleset_name", metavar="RULESET")
@click.option("--year", type=int, help=_("The year the form is for (default: the ruleset's default year, else its "
                                       "horizon year)."))
@click.option("--units", "units", type=click.Path(dir_okay=False),
              help=_("Roster file, one unit name per line: the units to list instead of the ruleset's roster."))
@click.option("--encoding", callback=_check_encoding, help=_("Force the text encoding of the --units file."))
@click.option("--lead", metavar="部门",
              help=_("Make the form for one department: only the indicators it leads or shares, for the units it "
                   "reports on."))
@click.option("--layout", type=click.Choice(("wide", "long")), default="wide", show_default=True,
              help=_("wide: a row per unit, a column per indicator; long: a row per unit and indicator."))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help=_("xlsx or csv (default: from -o's suffix, else xlsx)."))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=_("Write to this file instead of stdout."))
@click.pass_context
def template(ctx: click.Context, ruleset_name: str, year: int | None, units: str | None, encoding: str | None,
             lead: str | None, layout: str, fmt: str | None, output: str | None) -> None:
    """Write the form (填报表) to send to every unit, or to one department (--lead):
    the roster, a column per indicator, per figure the ruleset needs and per bonus,
    deduction and veto item, headed as qscore reads them, with data validation, input
    messages and a 填报说明 sheet.  What comes back is read by rank and merge as it is."""
    from qscore.collect.forms import form_columns, form_units
    from qscore.pipeline import roster
    from qscore.writing.template import Form, write_form_csv, write_form_xlsx

    ruleset = catalog(ctx).ruleset(ruleset_name)
    _check_year(ruleset, year)
    fmt = _format(fmt, output, "xlsx", "template")
    _refuse_workbook_on_terminal(fmt, output)
    inputs = {N_("ruleset"): _file_or_none(ruleset_name), N_("roster file"): units}
    if output not in (None, "-"):
        check_output(output, inputs)
    if units is not None:
        data_paths((), units)
    if year is None:
        year = ruleset.default_year or ruleset.horizon_year
        why = _("the ruleset's default year") if ruleset.default_year else _("the plan's horizon year")
        echo(_("notice: a form for {year}, {why} (give --year for another)").format(year=year, why=why), err=True)
    form = Form(ruleset, year, form_units(ruleset, roster(units, ruleset, encoding), lead=lead),
                form_columns(ruleset, year, lead=lead), lead=lead, layout=layout)  # type: ignore[arg-type]
    data = write_form_xlsx(form) if fmt == "xlsx" else write_form_csv(form)
    emit(data, output, inputs={**inputs, N_("ruleset file"): ruleset.file})
    if output not in (None, "-"):
        echo(f"{output}：{form.title}，{len(form.units)}个单位，{len(form.columns)}项", err=True)


@main.command()
@data_options
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help=_("xlsx or csv (default: from -o's suffix, else csv)."))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=_("Write to this file instead of stdout."))
@click.pass_context
def merge(ctx: click.Context, fmt: str | None, output: str | None, **options: Any) -> None:
    """Merge the submissions DATA... (one file per unit, one per department, partial
    files) into one dataset with the ruleset's headers, and list what is still missing.

    The same unit and column given twice must agree.  The XLSX output keeps each value's
    source (sheet 来源) and the checklist (sheet 缺报); the checklist is printed too: on
    stdout with -o, else on stderr."""
    from qscore.pipeline import assessment_year, bind_options, collect
    from qscore.writing.merged import checklist_text, write_merged_csv, write_merged_xlsx

    found = catalog(ctx)
    ruleset = found.ruleset(options["ruleset_name"])
    _check_year(ruleset, options["year"])
    fmt = _format(fmt, output, "csv", "merge")
    _refuse_workbook_on_terminal(fmt, output)
    inputs = {**data_inputs(options["data"], options["units"]), N_("ruleset"): _file_or_none(options["ruleset_name"])}
    if output not in (None, "-"):
        check_output(output, inputs)
    paths = data_paths(options["data"], options["units"])
    binding = bind_options(ruleset, ignore_unknown=options["ignore_unknown"], partial=options["partial"],
                           units=options["units"], hidden=options["hidden"] or "refuse",  # type: ignore[arg-type]
                           merged="fill" if options["fill_merged"] else "refuse",
                           percent_fractions=options["percent_fractions"], encoding=options["encoding"])
    collection = collect(ruleset, paths, binding, catalog=found, encoding=options["encoding"], sheet=options["sheet"],
                         limits=options["limits"], year=options["year"],
                         keep_absent=True)
    year, said = assessment_year(ruleset, options["year"], collection.dataset)
    for notice in (*collection.dataset.notices, *([said] if said else [])):
        echo(_("notice: {notice}").format(notice=notice), err=True)
    data = (write_merged_xlsx if fmt == "xlsx" else write_merged_csv)(collection, ruleset, year)
    emit(data, output, inputs={**inputs, N_("ruleset file"): ruleset.file})
    echo(checklist_text(collection), nl=False, err=output in (None, "-"))

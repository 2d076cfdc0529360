"""The examiner's commands: ``rank`` and ``explain``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qscore.cli.app import (Progress, batch_work, catalog, check_output, data_options, echo, echo_notices, emit, main,
                            score)
from qscore.cli.rounds import record_round


@main.command()
@data_options
@click.option("--format", "fmt",
              help="table, csv, json, xlsx or a plug-in's format (default: from -o's suffix, else table).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (shown on a terminal for large files).")
@click.option("--record", "archive", type=click.Path(dir_okay=False),
              help="Also record the round in this archive of rounds (an SQLite file; see docs/data.md).")
@click.option("--replace", is_flag=True,
              help="With --record: replace a recorded round with other results, keeping it as superseded.")
@click.pass_context
def rank(ctx: click.Context, fmt: str | None, output: str | None, quiet: bool, archive: str | None, replace: bool,
         **options: Any) -> None:
    """Score every unit in DATA and rank them, with tiers."""
    if replace and archive is None:
        raise click.UsageError("--replace needs --record ARCHIVE")
    writers = catalog(ctx).writers
    fmt = fmt or _format_from_suffix(output, writers) or "table"
    if fmt not in writers:
        raise click.BadParameter(f"'{fmt}' is not one of {', '.join(writers)}", param_hint="'--format'")
    writer = writers[fmt]
    to_terminal = output in (None, "-") and _stdout_is_terminal()
    if writer.suffix == ".xlsx" and to_terminal:
        raise click.UsageError("an XLSX workbook cannot be shown on a terminal; give -o FILE.xlsx")
    inputs = {"data file": options["data"], "ruleset": _file_or_none(options["ruleset_name"]), "archive": archive}
    if output not in (None, "-"):
        check_output(output, inputs)  # before the work, not after
    progress = Progress(None if quiet else sys.stderr)
    try:
        with batch_work():
            batch = score(ctx, explain=writer.explained, progress=progress, **options)
            data = writer.write(batch)
            progress.update(1)
            if archive is not None:
                record_round(batch, archive, replace=replace, data=options["data"], encoding=options["encoding"],
                             sheet=options["sheet"], ignore_unknown=options["ignore_unknown"])
    finally:
        progress.finish()
    echo_notices(batch)
    emit(data, output, inputs={**inputs, "ruleset file": batch.ruleset.file}, escape=fmt == "table" or to_terminal)


def _file_or_none(name: str) -> str | None:
    """``name`` when it names a file (a ruleset given as a path), else ``None`` (an id)."""
    try:
        return name if Path(name).is_file() else None
    except OSError:
        return None


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _format_from_suffix(output: str | None, writers: dict[str, Any]) -> str | None:
    if not output:
        return None
    suffix = Path(output).suffix.lower()
    return next((name for name, w in writers.items() if w.suffix == suffix and name != "table"), None)


@main.command()
@data_options
@click.argument("unit")
@click.pass_context
def explain(ctx: click.Context, unit: str, **options: Any) -> None:
    """Show how UNIT's points, total, rank and tier were worked out."""
    import difflib

    from qscore.cli.analysis import _case
    from qscore.writing.explain import explain_unit

    case = _case(ctx, **options)  # read and bound once, for the batch and the closing proposal
    batch = case.score()
    echo_notices(batch)
    name = unit.strip()
    if name not in case.dataset.units:
        close = difflib.get_close_matches(unit, case.dataset.units, n=3, cutoff=0.3)
        hint = f"; did you mean {' / '.join(close)}?" if close else ""
        raise click.BadParameter(f"no unit '{unit}' in {options['data']}{hint}", param_hint="UNIT")
    result = case.explained(batch, name)
    closing: tuple[str, ...] = ()
    if batch.ruleset.classification is not None:  # the next class up: worth a search only where there are classes
        from qscore.analysis.report import closing_line
        from qscore.analysis.whatif import whatif

        closing = (closing_line(whatif(case, result.unit, limit=1, batch=batch)),)
    echo(explain_unit(batch, result, closing), nl=False)

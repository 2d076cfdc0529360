"""The examiner's commands: ``rank`` and ``explain``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qscore.cli.app import Progress, batch_work, catalog, data_options, emit, main, score
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
    if writer.suffix == ".xlsx" and output in (None, "-") and _stdout_is_terminal():
        raise click.UsageError("an XLSX workbook cannot be shown on a terminal; give -o FILE.xlsx")
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
    emit(data, output)


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

    from qscore.writing.explain import explain_unit

    batch = score(ctx, explain=True, **options)
    result = batch.unit(unit.strip())
    if result is None:
        names = [u.unit for u in batch.units]
        close = difflib.get_close_matches(unit, names, n=3, cutoff=0.3)
        hint = f"; did you mean {' / '.join(close)}?" if close else ""
        raise click.BadParameter(f"no unit '{unit}' in {options['data']}{hint}", param_hint="UNIT")
    click.echo(explain_unit(batch, result), nl=False)

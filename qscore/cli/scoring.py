"""The examiner's commands: ``rank`` and ``explain``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from qscore.cli.app import (Progress, batch_work, catalog, check_format_suffix, check_output, data_inputs,
                            data_options, echo, echo_notices, main, score, together)
from qscore.cli.rounds import record_round
from qscore.i18n import N_, _


@main.command()
@data_options
@click.option("--format", "fmt",
              help=_("table, csv, json, xlsx or a plug-in's format (default: from -o's suffix, else table)."))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=_("Write to this file instead of stdout."))
@click.option("-q", "--quiet", is_flag=True, help=_("No progress bar (shown on a terminal for large files)."))
@click.option("--record", "archive", type=click.Path(dir_okay=False),
              help=_("Also record the round in this archive of rounds (an SQLite file; see docs/data.md)."))
@click.option("--replace", is_flag=True,
              help=_("With --record: replace a recorded round with other results, keeping it as superseded."))
@click.option("--no-explain", is_flag=True,
              help=_("JSON: write null for each indicator's explanation instead of working it out (faster)."))
@click.pass_context
def rank(ctx: click.Context, fmt: str | None, output: str | None, quiet: bool, archive: str | None, replace: bool,
         no_explain: bool, **options: Any) -> None:
    """Score every unit in DATA and rank them, with tiers.

    DATA is one file, or several submissions (one per township, one per department …)
    merged first as qscore merge merges them."""
    if replace and archive is None:
        raise click.UsageError(_("--replace needs --record ARCHIVE"))
    inputs = {**data_inputs(options["data"], options["units"]), N_("ruleset"): _file_or_none(options["ruleset_name"]),
              N_("archive"): archive}
    if output not in (None, "-"):
        check_output(output, inputs)  # before the work, not after
    if archive is not None:
        from qscore.rounds.archive import check_recordable

        check_recordable(archive)  # before the work too
    writers = catalog(ctx).writers
    fmt = fmt or _format_from_suffix(output, writers) or "table"
    if fmt not in writers:
        raise click.BadParameter(_("'{format}' is not one of {formats}").format(format=fmt, formats=", ".join(writers)),
                                 param_hint="'--format'")
    check_format_suffix(fmt, output, {name: w.suffix for name, w in writers.items()})
    writer = writers[fmt]
    if no_explain and writer.explained and fmt != "json":
        raise click.UsageError(_("--no-explain is for JSON output; the {format} format shows the explanations").format(
            format=fmt))
    to_terminal = output in (None, "-") and _stdout_is_terminal()
    if writer.suffix == ".xlsx" and to_terminal:
        raise click.UsageError(_("an XLSX workbook cannot be shown on a terminal; give -o FILE.xlsx"))
    beside = _sidecar(output, fmt)
    if beside is not None:
        check_output(str(beside), {**inputs, N_("result"): output})
    progress = Progress(None if quiet else sys.stderr)
    try:
        with batch_work():
            batch = score(ctx, explain=writer.explained and not no_explain, progress=progress, **options)
            # A file is written a piece at a time where the format allows (below).
            data = writer.output(batch, in_pieces=output not in (None, "-"))
            progress.update(1)
    finally:
        progress.finish()
    echo_notices(batch)
    inputs = {**inputs, N_("ruleset file"): batch.ruleset.file}
    # The result, its provenance beside it and the round in the archive land together.
    with batch_work(), together() as outputs:
        outputs.add(data, output, inputs=inputs, escape=fmt == "table" or to_terminal)
        if beside is not None:
            from qscore.verify import sidecar_document

            outputs.add(sidecar_document(fmt, str(output), batch.provenance), str(beside),
                        inputs={**inputs, N_("result"): output})
        if archive is None:
            outputs.place()
        else:
            record_round(batch, archive, outputs, replace=replace)


#: The formats that say inside themselves what they were scored from; any other written
#: to a file gets a FILE.provenance.json beside it.
CARRY_PROVENANCE = ("json", "xlsx", "html")


def _sidecar(output: str | None, fmt: str) -> Path | None:
    """Where the provenance of ``output`` goes beside it, ``None`` when the format holds
    it, or when the output is not a file (stdout, a device, a pipe)."""
    if output in (None, "-") or fmt in CARRY_PROVENANCE:
        return None
    try:
        if os.path.exists(output) and not os.path.isfile(output):
            return None
    except OSError:
        return None
    return Path(output + ".provenance.json")


def _file_or_none(name: str) -> str | None:
    """``name`` when it names a file (a ruleset given as a path), else ``None`` (an id)."""
    try:
        return name if Path(name).is_file() else None
    except OSError:
        return None


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _format_from_suffix(output: str | None, writers: dict[str, Any]) -> str | None:
    """The format ``-o output``'s suffix names (``None``: no output, no suffix or the
    table's ``.txt``: the default table).

    :raises click.BadParameter: for a suffix no writer takes (.pdf, .docx).
    """
    if not output or output == "-":
        return None
    suffix = Path(output).suffix.lower()
    if not suffix:
        return None
    found = next((name for name, w in writers.items() if w.suffix == suffix), None)
    if found is None:
        known = ", ".join(f"{name} ({w.suffix})" for name, w in writers.items())
        raise click.BadParameter(_("no output format writes {suffix} files; qscore writes {known}: give -o a file "
                                 "with one of these suffixes, or --format").format(
                suffix=suffix, known=known), param_hint="'-o'")
    return None if found == "table" else found


@main.command()
@data_options
@click.argument("unit")
@click.pass_context
def explain(ctx: click.Context, unit: str, **options: Any) -> None:
    """Show how UNIT's points, total, rank and tier were worked out, and (for merged
    submissions) which file and cell each figure came from."""
    import attrs

    from qscore.cli.analysis import _case, unit_named
    from qscore.writing.explain import explain_unit

    case = _case(ctx, **options)  # read and bound once, for the batch and the closing proposal
    named = unit_named(case, unit, options["data"])  # a name not in the data is refused before anything is said
    batch = attrs.evolve(case.score(), sources=case.dataset.sources)  # merged submissions: each figure's cell
    echo_notices(batch)
    result = case.explained(batch, named)
    closing: tuple[str, ...] = ()
    if batch.ruleset.classification is not None:  # the next class up: worth a search only where there are classes
        from qscore.analysis.report import closing_line
        from qscore.analysis.whatif import whatif

        closing = (closing_line(whatif(case, result.unit, limit=1, batch=batch)),)
    echo(explain_unit(batch, result, closing), nl=False)

"""Commands for plug-in authors: ``new-plugin`` and ``import-table``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from qscore.cli.app import catalog, check_output, echo, emit, main
from qscore.i18n import N_, _

if TYPE_CHECKING:
    from decimal import Decimal


@main.command("new-plugin")
@click.argument("name")
@click.option("--title", help=_("The ruleset's Chinese title (default: a placeholder to edit)."))
@click.option("--jurisdiction", help=_("The jurisdiction, e.g. 湖北省某县 (default: a placeholder)."))
@click.option("-d", "--directory", type=click.Path(file_okay=False, exists=True), default=".",
              show_default=True, help=_("Create the plug-in folder inside this folder."))
def new_plugin(name: str, title: str | None, jurisdiction: str | None, directory: str) -> None:
    """Create ./NAME/: an installable plug-in with a ruleset stub, example data and tests."""
    from qscore.authoring.scaffold import check_name, new_plugin as scaffold

    try:
        check_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    folder = scaffold(name, Path(directory), title=title or f"{name} 质量工作考核（待填写）",
                      jurisdiction=jurisdiction or "（待填写）")
    echo(_("Created {folder}/. Next:\n  pip install -e '{path}[test]'\n  pytest {path}\n  qscore rulesets").format(
        folder=folder, path=_shell_path(folder)))


def _full_marks(ctx: click.Context, param: click.Parameter, value: str) -> Decimal:
    from decimal import Decimal, InvalidOperation

    from qscore.limits import number_problem

    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise click.BadParameter(_("expected a number of points, such as 100, got {value!r}").format(
            value=value)) from None
    problem = number_problem(number, value.strip(), N_("full marks"))
    if problem or number <= 0:
        raise click.BadParameter(problem or _("expected more than 0 points, got {value}").format(value=value.strip()))
    return number


@main.command("import-table")
@click.argument("table_file", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=_("Write the ruleset here (default: stdout)."))
@click.option("--id", "ruleset_id", default="imported", show_default=True, help=_("The ruleset's id."))
@click.option("--title", help=_("The ruleset's Chinese title (default: from the file name)."))
@click.option("--jurisdiction", default="（待填写）", help=_("e.g. 重庆市石柱土家族自治县."))
@click.option("--base-year", type=int, help=_("When the baseline column's header names no year."))
@click.option("--horizon-year", type=int, help=_("When the target column's header names no year."))
@click.option("--full-marks", default="100", show_default=True, callback=_full_marks,
              help=_("Points shared evenly among the indicators, to edit afterwards."))
@click.option("--encoding", help=_("Force the CSV encoding."))
@click.option("--sheet", help=_("Workbook sheet to read (default: the active sheet, if visible)."))
@click.pass_context
def import_table(ctx: click.Context, table_file: str, output: str | None, ruleset_id: str, title: str | None,
                 jurisdiction: str, base_year: int | None, horizon_year: int | None, full_marks: Decimal,
                 encoding: str | None, sheet: str | None) -> None:
    """Turn a plan's indicator table (类别, 指标名称, 基期值, 目标值, 牵头部门) into a ruleset.

    FILE is read by the reader registered for its suffix (CSV built in). Units, directions
    and rules are guessed; what needs a person is marked `# 待核对` in the output.  The
    file written is always valid TOML, and a ruleset that loads wherever every target
    was a number; otherwise nothing is written.
    """
    import re

    from qscore.authoring.importer import check_loads, read_table, to_toml
    from qscore.pipeline import is_file, read_table as read_raw

    if not re.match(r"^[a-z0-9][a-z0-9_.\-]*$", ruleset_id):
        raise click.BadParameter(_("use lower-case letters, digits, '-', '_' or '.'"), param_hint="'--id'")
    path = Path(table_file)
    if not is_file(path):
        raise click.BadParameter(_("no such file: {file}").format(file=table_file), param_hint="FILE")
    if output not in (None, "-"):
        check_output(output, {N_("table"): path})
    found = catalog(ctx)
    raw = read_raw(path, catalog=found, encoding=encoding, sheet=sheet)
    imported = read_table(raw, base_year=base_year, horizon_year=horizon_year)
    for notice in imported.notices:
        click.echo(_("notice: {notice}").format(notice=notice), err=True)
    text = to_toml(imported, ruleset_id=ruleset_id, title=title or f"{path.stem}（待填写）",
                   jurisdiction=jurisdiction, full_marks=full_marks)
    check_loads(text, imported, found.rule_types, found.target_kinds)
    emit(text.encode("utf-8"), output, inputs={N_("table"): path})
    echo(_("{count} indicators, {base} → {horizon}; {flagged} flagged for review (# 待核对)").format(
        count=len(imported.rows), base=imported.base_year, horizon=imported.horizon_year, flagged=imported.flagged),
         err=True)


def _shell_path(folder: Path) -> str:
    # pip reads a bare 'name[test]' as a package to download; a path must look like one.
    return str(folder) if folder.is_absolute() else f"./{folder}"

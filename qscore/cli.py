"""The examiner's command line: ``qscore rank``, ``explain``, ``show``, ``validate`` …

Exit codes: 0 success; 1 bad data, ruleset or plug-in (the message names the file, row
and column); 2 misuse.  No traceback reaches the user (``QSCORE_DEBUG=1`` shows one).
Heavy modules are imported inside commands so that ``qscore --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from qscore.model import BatchResult, Ruleset
    from qscore.plugins import Catalog

LIST_FORMATS = ("table", "json")
#: Data files from this size on take about a second or more to rank: show progress.
PROGRESS_MIN_BYTES = 4 * 2**20


class QscoreGroup(click.Group):
    """Turns qscore's errors into clean messages with the documented exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from qscore.errors import QscoreError

        try:
            return super().invoke(ctx)
        except QscoreError as exc:
            raise click.ClickException(str(exc)) from None
        except LookupError as exc:
            raise click.UsageError(str(exc.args[0]) if exc.args else str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("QSCORE_DEBUG"):
                raise
            raise click.ClickException(f"internal error: {type(exc).__name__}: {exc} "
                                       "(set QSCORE_DEBUG=1 to see where)") from None


@click.group(cls=QscoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qscore")
@click.option("--plugins-dir", "plugins_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Also load *.py plug-ins from this folder (repeatable; QSCORE_PLUGINS_DIR too).")
@click.pass_context
def main(ctx: click.Context, plugins_dirs: tuple[str, ...]) -> None:
    """Score, rank and tier quality-development assessments (质量强县/区/省 考核).

    RULESET is an installed ruleset id (see `qscore rulesets`) or a ruleset .toml file.
    DATA is a CSV, XLSX or JSON file, one row per unit (wide) or per unit and indicator
    (long); see docs/data.md.
    """
    ctx.obj = {"plugins_dirs": plugins_dirs}


def catalog(ctx: click.Context) -> Catalog:
    """The active plug-ins, loaded once per command."""
    from qscore.plugins import load_plugins

    root = ctx.find_root()
    if "catalog" not in root.obj:
        root.obj["catalog"] = load_plugins(root.obj["plugins_dirs"])
    return root.obj["catalog"]


def list_format(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), default="table",
                        show_default=True, help="Output format.")(function)


def emit(data: bytes, output: str | None) -> None:
    """Write ``data`` to stdout, or to ``output`` through a temporary file renamed into
    place, so a failed run never leaves half a file."""
    if output is None or output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from None
    try:
        # mkstemp makes the file private (0600); give it the permissions any new file gets.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def echo_json(document: Any) -> None:
    import json

    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def echo_table(rows: list[list[Any]], headers: list[str]) -> None:
    from tabulate import tabulate

    click.echo(tabulate(rows, headers=headers, disable_numparse=True))


@main.command()
@list_format
@click.pass_context
def rulesets(ctx: click.Context, fmt: str) -> None:
    """List the installed rulesets."""
    entries = catalog(ctx).rulesets.values()
    records = [{"id": e.ruleset.id, "title": e.ruleset.title, "jurisdiction": e.ruleset.jurisdiction,
                "level": e.ruleset.level, "unit_kind": e.ruleset.unit_kind, "indicators": len(e.ruleset.indicators),
                "plugin": e.plugin} for e in sorted(entries, key=lambda e: e.ruleset.id)]
    if fmt == "json":
        echo_json(records)
    else:
        echo_table([[r["id"], r["title"], r["jurisdiction"], r["unit_kind"], r["indicators"], r["plugin"]]
                    for r in records], ["id", "标题", "地区", "考核对象", "指标数", "plug-in"])


@main.command()
@list_format
@click.pass_context
def plugins(ctx: click.Context, fmt: str) -> None:
    """List the active plug-ins and the hooks each implements."""
    infos = catalog(ctx).infos
    if fmt == "json":
        echo_json([{"name": i.name, "version": i.version, "source": i.source, "hooks": list(i.hooks)} for i in infos])
    else:
        echo_table([[i.name, i.version or "", i.source, ", ".join(i.hooks)] for i in infos],
                   ["name", "version", "source", "hooks"])


@main.command()
@click.argument("ruleset")
@list_format
@click.pass_context
def show(ctx: click.Context, ruleset: str, fmt: str) -> None:
    """Show a ruleset's indicators, targets, leads, points and rules."""
    from qscore.describe import ruleset_document

    document = ruleset_document(catalog(ctx).ruleset(ruleset))
    if fmt == "json":
        echo_json(document)
        return
    click.echo(f"{document['title']}（{document['id']}）— {document['jurisdiction']}，"
               f"{document['base_year']} → {document['horizon_year']}")
    echo_table([[i["id"], i["name"], i["category"] or "", i["unit"], "↑" if i["direction"] == "higher" else "↓",
                 _shown(i["baseline"]), i["target_text"], i["lead"], _shown(i["points"]), i["rule"]["label"]]
                for i in document["indicators"]],
               ["id", "指标", "类别", "单位", "方向", "基期", "目标", "牵头部门", "分值", "规则"])


def _shown(value: Any) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
def validate(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Check ruleset files and lint them; exit 1 if any has an error.

    Lint findings name the line.  Errors (points that do not add up, unknown rule types,
    duplicates, overlapping bands or classes, years out of order, worked examples that
    do not come out) fail; warnings (a target on the wrong side of the baseline, a top
    band or class no unit can reach) are shown and pass.
    """
    found = catalog(ctx)
    failed = 0
    for name in files:
        failed += not _validate_file(Path(name), found)
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} file(s) failed validation")


def _validate_file(path: Path, found: Catalog) -> bool:
    """Load and lint one file, printing what is wrong; whether it passed."""
    import tomllib

    from decimal import Decimal

    from qscore.errors import QscoreError
    from qscore.lint import ERROR, Locator, lint_data, lint_ruleset
    from qscore.rulesets import load_ruleset

    findings, locator, ruleset, problem = [], None, None, None
    try:
        text = path.read_text(encoding="utf-8")
        locator = Locator(text)
        findings = lint_data(tomllib.loads(text, parse_float=Decimal), locator, found.rule_types)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        pass  # load_ruleset reports these in its own words
    try:
        ruleset = load_ruleset(path, found.rule_types)
    except QscoreError as exc:
        problem = exc
    if ruleset is not None and locator is not None:
        findings += lint_ruleset(ruleset, locator, found.adjusters())
    if problem is not None:
        click.echo(f"✗ {problem}", err=True)
    for finding in sorted(findings, key=lambda f: (f.line or 0, f.severity)):
        click.echo(finding.render(str(path)), err=True)
    errors = sum(f.severity == ERROR for f in findings)
    if ruleset is None or errors:
        if ruleset is not None:
            click.echo(f"✗ {path}: {errors} error(s)", err=True)
        return False
    warnings = len(findings) - errors
    click.echo(f"✓ {path}: {ruleset.id}, {len(ruleset.indicators)} indicators, full marks {ruleset.full_marks:f}"
               + (f", {len(ruleset.examples)} worked example(s) agree" if ruleset.examples else "")
               + (f", {warnings} warning(s)" if warnings else ""))
    return True


@main.command("new-plugin")
@click.argument("name")
@click.option("--title", help="The ruleset's Chinese title (default: a placeholder to edit).")
@click.option("--jurisdiction", help="The jurisdiction, e.g. 湖北省某县 (default: a placeholder).")
@click.option("-d", "--directory", type=click.Path(file_okay=False, exists=True), default=".",
              show_default=True, help="Create the plug-in folder inside this folder.")
def new_plugin(name: str, title: str | None, jurisdiction: str | None, directory: str) -> None:
    """Create ./NAME/: an installable plug-in with a ruleset stub, example data and tests."""
    from qscore.scaffold import check_name, new_plugin as scaffold

    try:
        check_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    folder = scaffold(name, Path(directory), title=title or f"{name} 质量工作考核（待填写）",
                      jurisdiction=jurisdiction or "（待填写）")
    click.echo(f"Created {folder}/. Next:\n  pip install -e '{_shell_path(folder)}[test]'\n  pytest {_shell_path(folder)}\n"
               f"  qscore rulesets")


@main.command("import-table")
@click.argument("table_file", metavar="FILE", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the ruleset here (default: stdout).")
@click.option("--id", "ruleset_id", default="imported", show_default=True, help="The ruleset's id.")
@click.option("--title", help="The ruleset's Chinese title (default: from the file name).")
@click.option("--jurisdiction", default="（待填写）", help="e.g. 重庆市石柱土家族自治县.")
@click.option("--base-year", type=int, help="When the baseline column's header names no year.")
@click.option("--horizon-year", type=int, help="When the target column's header names no year.")
@click.option("--full-marks", type=click.FloatRange(min=0, min_open=True), default=100, show_default=True,
              help="Points shared evenly among the indicators, to edit afterwards.")
@click.option("--encoding", help="Force the CSV encoding.")
@click.option("--sheet", help="Spreadsheet sheet to read (default: the first).")
@click.pass_context
def import_table(ctx: click.Context, table_file: str, output: str | None, ruleset_id: str, title: str | None,
                 jurisdiction: str, base_year: int | None, horizon_year: int | None, full_marks: float,
                 encoding: str | None, sheet: str | None) -> None:
    """Turn a plan's indicator table (类别, 指标名称, 基期值, 目标值, 牵头部门) into a ruleset.

    FILE is read by the reader registered for its suffix (CSV built in). Units, directions
    and rules are guessed; what needs a person is marked `# 待核对` in the output.
    """
    import re
    from decimal import Decimal

    from qscore.importer import read_table, to_toml
    from qscore.plugins import ReadOptions

    if not re.match(r"^[a-z0-9][a-z0-9_.\-]*$", ruleset_id):
        raise click.BadParameter("use lower-case letters, digits, '-', '_' or '.'", param_hint="'--id'")
    path = Path(table_file)
    raw = catalog(ctx).reader_for(path).read(path, ReadOptions(encoding=encoding, sheet=sheet))
    imported = read_table(raw, base_year=base_year, horizon_year=horizon_year)
    text = to_toml(imported, ruleset_id=ruleset_id, title=title or f"{path.stem}（待填写）",
                   jurisdiction=jurisdiction, full_marks=Decimal(str(full_marks)))
    emit(text.encode("utf-8"), output)
    click.echo(f"{len(imported.rows)} indicators, {imported.base_year} → {imported.horizon_year}; "
               f"{imported.flagged} flagged for review (# 待核对)", err=True)


def _shell_path(folder: Path) -> str:
    # pip reads a bare 'name[test]' as a package to download; a path must look like one.
    return str(folder) if folder.is_absolute() else f"./{folder}"


def data_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by commands that read a data file."""
    for decorator in reversed((
        click.argument("ruleset_name", metavar="RULESET"),
        click.argument("data", type=click.Path(dir_okay=False)),
        click.option("--year", type=int, help="Assessment year (default: the plan's horizon year)."),
        click.option("--encoding", callback=_check_encoding,
                     help="Force the text encoding of a CSV or JSON file (default: by BOM, else UTF-8, "
                          "else GB18030)."),
        click.option("--sheet", help="Sheet of an XLSX workbook to read (default: the first)."),
        click.option("--ignore-unknown", is_flag=True, help="Skip columns that name nothing in the ruleset."),
    )):
        function = decorator(function)
    return function


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    import codecs

    if value is None:
        return None
    try:
        codecs.lookup(value)
    except LookupError:
        raise click.BadParameter(f"unknown encoding '{value}' (try utf-8, utf-8-sig, gb18030)") from None
    return value


def score(ctx: click.Context, ruleset_name: str, data: str, year: int | None, encoding: str | None,
          sheet: str | None, ignore_unknown: bool, explain: bool, progress: Progress | None = None) -> BatchResult:
    from qscore.data import bind
    from qscore.engine import score_batch
    from qscore.plugins import ReadOptions

    found = catalog(ctx)
    ruleset = found.ruleset(ruleset_name)
    _check_year(ruleset, year)
    path = Path(data)
    if not path.is_file():
        raise click.BadParameter(f"no such file: {data}", param_hint="DATA")
    progress = progress or Progress(None)
    progress.start(path, len(ruleset.indicators) + 3)  # read, bind, each indicator, write
    table = found.reader_for(path).read(path, ReadOptions(encoding=encoding, sheet=sheet))
    progress.update(1)
    dataset = bind(table, ruleset, ignore_unknown=ignore_unknown)
    del table  # the cells' text is no longer needed: free it before scoring
    progress.update(1)
    return score_batch(ruleset, dataset, year=year, explain=explain, adjusters=found.adjusters(),
                       progress=progress.update)


class Progress:
    """A progress bar on stderr, shown only for a large file when stderr is a terminal."""

    def __init__(self, stream: Any) -> None:
        """:param stream: where the bar goes (``None``: nowhere, as with ``--quiet``)."""
        self.stream = stream
        self.bar: Any = None

    def start(self, path: Path, steps: int) -> None:
        if self.stream is None or not self.stream.isatty() or path.stat().st_size < PROGRESS_MIN_BYTES:
            return
        self.bar = click.progressbar(length=steps, label=path.name, file=self.stream)
        self.bar.__enter__()

    def update(self, steps: int) -> None:
        if self.bar is not None:
            self.bar.update(steps)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@contextlib.contextmanager
def batch_work() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is scored and written: a
    national batch makes millions of objects and no cycles, and each full collection
    would walk them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_year(ruleset: Ruleset, year: int | None) -> None:
    if year is not None and not ruleset.base_year <= year <= ruleset.horizon_year + 50:
        raise click.BadParameter(f"{year} is outside the plan ({ruleset.base_year} → {ruleset.horizon_year})",
                                 param_hint="'--year'")


@main.command()
@data_options
@click.option("--format", "fmt",
              help="table, csv, json, xlsx or a plug-in's format (default: from -o's suffix, else table).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (shown on a terminal for large files).")
@click.pass_context
def rank(ctx: click.Context, fmt: str | None, output: str | None, quiet: bool, **options: Any) -> None:
    """Score every unit in DATA and rank them, with tiers."""
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

    from qscore.explain import explain_unit

    batch = score(ctx, explain=True, **options)
    result = batch.unit(unit.strip())
    if result is None:
        names = [u.unit for u in batch.units]
        close = difflib.get_close_matches(unit, names, n=3, cutoff=0.3)
        hint = f"; did you mean {' / '.join(close)}?" if close else ""
        raise click.BadParameter(f"no unit '{unit}' in {options['data']}{hint}", param_hint="UNIT")
    click.echo(explain_unit(batch, result), nl=False)



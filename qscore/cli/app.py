"""The command group, its error handling, and what every command shares: the active
plug-ins, the data options, writing an output file, tables and JSON on stdout.

Exit codes: 0 success; 1 bad data, ruleset or plug-in (the message names the file, row
and column) and any internal error; 2 misuse.  No traceback reaches the user
(``QSCORE_DEBUG=1`` shows one).  Heavy modules are imported inside commands so that
``qscore --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from qscore.model import BatchResult, Ruleset
    from qscore.plugins.manager import Catalog

LIST_FORMATS = ("table", "json")
#: Data files from this size on take about a second or more to rank: show progress.
PROGRESS_MIN_BYTES = 4 * 2**20
DEBUG_ENV = "QSCORE_DEBUG"


class QscoreGroup(click.Group):
    """Turns qscore's errors into clean messages with the documented exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from qscore.errors import QscoreError, UsageError

        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        except QscoreError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            raise click.ClickException(_internal_error(ctx, exc)) from None


def _internal_error(ctx: click.Context, exc: BaseException) -> str:
    """What to say about an exception nothing caught: the plug-in whose code raised it,
    when plug-in code did (the innermost frame in a plug-in's files)."""
    plugin = None
    found = (ctx.obj or {}).get("catalog")
    if found is not None:
        frames = traceback.extract_tb(exc.__traceback__)
        plugin = next((name for frame in reversed(frames) if (name := found.plugin_of(frame.filename))), None)
    where = f" in plug-in '{plugin}'" if plugin else ""
    return (f"internal error{where}: {type(exc).__name__}: {exc} "
            f"(set {DEBUG_ENV}=1 to see where)")


@click.group(cls=QscoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qscore")
@click.option("--plugins-dir", "plugins_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Also load *.py plug-ins from this folder (repeatable; QSCORE_PLUGINS_DIR too).")
@click.pass_context
def main(ctx: click.Context, plugins_dirs: tuple[str, ...]) -> None:
    """Score, rank and tier quality-development assessments (质量强县/区/省 考核).

    RULESET is an installed ruleset id (see `qscore rulesets`) or a ruleset .toml file.
    DATA is a CSV, XLSX, XLS or JSON file, one row per unit (wide) or per unit and
    indicator (long), as offices lay it out; see docs/data.md.
    """
    ctx.obj = {"plugins_dirs": plugins_dirs}


def catalog(ctx: click.Context) -> Catalog:
    """The active plug-ins, loaded once per command."""
    from qscore.plugins.manager import load_plugins

    root = ctx.find_root()
    if "catalog" not in root.obj:
        root.obj["catalog"] = load_plugins(root.obj["plugins_dirs"])
    return root.obj["catalog"]  # type: ignore[no-any-return]


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


def data_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by commands that read a data file."""
    for decorator in reversed((
        click.argument("ruleset_name", metavar="RULESET"),
        click.argument("data", type=click.Path(dir_okay=False)),
        click.option("--year", type=int, help="Assessment year (default: the year the sheet title or file name "
                                               "states, else the ruleset's default year, else its horizon year)."),
        click.option("--encoding", callback=_check_encoding,
                     help="Force the text encoding of a CSV or JSON file (default: by BOM, else UTF-8, "
                          "else GB18030)."),
        click.option("--sheet", help="Sheet of a workbook to read (default: the active sheet, if visible)."),
        click.option("--ignore-unknown", is_flag=True,
                     help="Skip columns that name nothing in the ruleset (never one close to a name it has)."),
        click.option("--units", "units", type=click.Path(dir_okay=False),
                     help="Roster file, one unit name per line: check the units against it instead of the "
                          "ruleset's roster."),
        click.option("--partial", is_flag=True,
                     help="The data may hold only some units of the roster (and units off it)."),
        click.option("--hidden", type=click.Choice(("read", "skip")),
                     help="Workbook rows and columns hidden in Excel that hold data: read or skip them "
                          "(default: refuse)."),
        click.option("--fill-merged", is_flag=True,
                     help="Fill each cell of a merged range in a workbook's data with its value (default: refuse)."),
        click.option("--percent-fractions", is_flag=True,
                     help="Accept a % column written as fractions (0.975 for 97.5%) and multiply it by 100."),
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
          sheet: str | None, ignore_unknown: bool, explain: bool, units: str | None = None, partial: bool = False,
          hidden: str | None = None, fill_merged: bool = False, percent_fractions: bool = False,
          progress: Progress | None = None) -> BatchResult:
    """Run the public pipeline (:func:`qscore.score`) with the command's options.  The
    command prints the batch's notices (:func:`echo_notices`)."""
    from qscore.pipeline import score as score_data, steps

    found = catalog(ctx)
    ruleset = found.ruleset(ruleset_name)
    _check_year(ruleset, year)
    path = Path(data)
    if not path.is_file():
        raise click.BadParameter(f"no such file: {data}", param_hint="DATA")
    if units is not None and not Path(units).is_file():
        raise click.BadParameter(f"no such file: {units}", param_hint="'--units'")
    progress = progress or Progress(None)
    progress.start(path, steps(ruleset) + 1)  # and writing
    batch = score_data(ruleset, path, year=year, explain=explain, catalog=found, ignore_unknown=ignore_unknown,
                       encoding=encoding, sheet=sheet, progress=progress.update, units=units, partial=partial,
                       hidden=hidden or "refuse", merged="fill" if fill_merged else "refuse",  # type: ignore[arg-type]
                       percent_fractions=percent_fractions)
    return batch


def echo_notices(batch: BatchResult) -> None:
    """Every notice of the batch on stderr, one a line."""
    for notice in batch.notices:
        click.echo(f"notice: {notice}", err=True)


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
    if year is not None and not ruleset.base_year <= year <= ruleset.horizon_year:
        raise click.BadParameter(f"{year} is outside the plan ({ruleset.base_year} → {ruleset.horizon_year})",
                                 param_hint="'--year'")

"""The command group, its error handling, and what every command shares: the active
plug-ins, the data options, writing an output file, tables and JSON on stdout.

Exit codes: 0 success; 1 bad data, ruleset or plug-in (the message names the file, row
and column), a limit hit, an output that cannot be written, and any internal error; 2
misuse.  No traceback reaches the user (``QSCORE_DEBUG=1`` shows one).  A reader that
stops early (``qscore show … | head``) ends qscore quietly, with exit code 1; a standard output
the shell closed (``>&-``) is an error when something is to be written there.  Text for
people (messages, tables, explanations) has its control characters shown escaped
(``\\x1b``), so a name read from a file cannot drive the terminal.  Heavy modules are
imported inside commands so that ``qscore --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import inspect
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qscore.i18n import N_, _, ngettext, os_reason, translate_click

translate_click()  # before the commands are defined: click's decorators make some of its texts

if TYPE_CHECKING:
    from qscore.limits import Limits
    from qscore.model import BatchResult, Ruleset
    from qscore.plugins.manager import Catalog

LIST_FORMATS = ("table", "json")
#: Data files from this size on take about a second or more to rank: show progress.
PROGRESS_MIN_BYTES = 4 * 2**20
DEBUG_ENV = "QSCORE_DEBUG"
#: Output files are written in pieces of this size.
WRITE_CHUNK = 2**20


class QscoreCommand(click.Command):
    """A command whose ``--help`` (its docstring) is in qscore's language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = _(inspect.cleandoc(self.help))


#: Each command by the module that defines it, imported when the command is run (or
#: when ``qscore --help`` lists them all): a run imports its own command's module only.
COMMAND_MODULES = {
    "rank": "qscore.cli.scoring", "explain": "qscore.cli.scoring",
    "whatif": "qscore.cli.analysis", "robustness": "qscore.cli.analysis",
    "new-plugin": "qscore.cli.authoring", "import-table": "qscore.cli.authoring",
    "template": "qscore.cli.collect", "merge": "qscore.cli.collect",
    "report": "qscore.cli.report", "verify": "qscore.cli.report",
    "compare": "qscore.cli.rounds", "history": "qscore.cli.rounds",
    "rulesets": "qscore.cli.rulesets", "plugins": "qscore.cli.rulesets", "show": "qscore.cli.rulesets",
    "validate": "qscore.cli.rulesets",
}


class QscoreGroup(click.Group):
    """Turns qscore's errors into clean messages with the documented exit codes; its
    commands are :class:`QscoreCommand`, its own help in qscore's language too.  A
    command named in :data:`COMMAND_MODULES` is added by its module when first asked for."""

    command_class = QscoreCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.help:
            self.help = _(inspect.cleandoc(self.help))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])  # its decorators add it to this group
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                            list[str]]:
        if args and self.get_command(ctx, args[0]) is None:
            # A name no command has: the close names offered are looked for among them all.
            for module in sorted(set(COMMAND_MODULES.values())):
                importlib.import_module(module)
        return super().resolve_command(ctx, args)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.ClickException as exc:
            exc.message = terminal_text(exc.message)  # type: ignore[misc]  # click marks it final
            raise

    def invoke(self, ctx: click.Context) -> Any:
        from qscore.errors import QscoreError, UsageError

        try:
            result = super().invoke(ctx)
            # A reader that closed the pipe shows here, where click ends quietly, rather
            # than when Python flushes stdout on the way out.
            sys.stdout.flush()
            return result
        except UsageError as exc:
            raise click.UsageError(terminal_text(str(exc))) from None
        except QscoreError as exc:
            raise click.ClickException(terminal_text(str(exc))) from None
        except click.ClickException as exc:
            exc.message = terminal_text(exc.message)  # type: ignore[misc]  # click marks it final
            raise
        except (click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except (Exception, SystemExit) as exc:  # SystemExit: a plug-in calling sys.exit()
            if os.environ.get(DEBUG_ENV):
                raise
            raise click.ClickException(terminal_text(_internal_error(ctx, exc))) from None


def _internal_error(ctx: click.Context, exc: BaseException) -> str:
    """What to say about an exception nothing caught: the plug-in whose code raised it,
    when plug-in code did (the innermost frame in a plug-in's files)."""
    import traceback

    plugin = None
    found = (ctx.obj or {}).get("catalog")
    if found is not None:
        frames = traceback.extract_tb(exc.__traceback__)
        plugin = next((name for frame in reversed(frames) if (name := found.plugin_of(frame.filename))), None)
    if plugin:
        return _("internal error in plug-in '{plugin}': {error}: {message} (set {variable}=1 to see where)").format(
            plugin=plugin, error=type(exc).__name__, message=exc, variable=DEBUG_ENV)
    return _("internal error: {error}: {message} (set {variable}=1 to see where)").format(
        error=type(exc).__name__, message=exc, variable=DEBUG_ENV)


def terminal_text(text: str) -> str:
    """``text`` as qscore shows it to a person: control characters escaped (``\\x1b``),
    tabs and line breaks kept.  Every message, table and explanation goes through it."""
    from qscore.controls import escape_controls

    return escape_controls(text)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text for a person, its control characters escaped (:func:`terminal_text`)."""
    click.echo(terminal_text(text), err=err, nl=nl)


@click.group(cls=QscoreGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="qscore")
@click.option("--plugins-dir", "plugins_dirs", multiple=True, type=click.Path(exists=True, file_okay=False),
              help=_("Also load *.py plug-ins from this folder (repeatable; QSCORE_PLUGINS_DIR too)."))
@click.option("--trust-plugins-dir", is_flag=True,
              help=_("Load plug-in folders even when users other than their owner may write to them."))
@click.pass_context
def main(ctx: click.Context, plugins_dirs: tuple[str, ...], trust_plugins_dir: bool) -> None:
    """Score, rank and tier quality-development assessments (质量强县/区/省 考核).

    RULESET is an installed ruleset id (see `qscore rulesets`) or a ruleset .toml file.
    DATA is a CSV, XLSX, XLS or JSON file, one row per unit (wide) or per unit and
    indicator (long), as offices lay it out; see docs/data.md.
    """
    ctx.obj = {"plugins_dirs": plugins_dirs, "trust_plugins_dir": trust_plugins_dir}
    if sys.stdout is None:  # closed by the shell: `qscore rank … >&-`
        sys.stdout = ClosedOutput()
    for stream in (sys.stdout, sys.stderr):
        text_for_every_character(stream)


class ClosedOutput:
    """Stands for a standard output the shell closed (``qscore rank … -o FILE >&-``):
    it is no terminal, and writing to it is an error that says so, rather than a result
    lost unseen or an internal error."""

    encoding = "utf-8"

    def isatty(self) -> bool:
        return False

    def write(self, data: object) -> int:
        raise click.ClickException(_("standard output is closed, so the result has nowhere to go; give -o FILE, or "
                                     "leave standard output open"))

    def flush(self) -> None:
        pass

    @property
    def buffer(self) -> ClosedOutput:
        return self


#: Characters qscore's own text uses that legacy code pages (GBK on Chinese Windows) lack.
OWN_CHARACTERS = "−×÷≥≤≈✓✗↑↓→"


def text_for_every_character(stream: Any) -> None:
    """Make a text stream able to write everything qscore prints.

    A redirected stream on Chinese Windows encodes as GBK, which has no − or ✓: such a
    stream is switched to UTF-8 rather than failing half-way through an explanation."""
    encoding = getattr(stream, "encoding", None)
    if not encoding or not hasattr(stream, "reconfigure"):
        return
    try:
        OWN_CHARACTERS.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        stream.reconfigure(encoding="utf-8")


def catalog(ctx: click.Context) -> Catalog:
    """The active plug-ins, loaded once per command."""
    from qscore.plugins.manager import load_plugins

    root = ctx.find_root()
    if "catalog" not in root.obj:
        root.obj["catalog"] = load_plugins(root.obj["plugins_dirs"], trust_dirs=root.obj["trust_plugins_dir"])
    return root.obj["catalog"]  # type: ignore[no-any-return]


def list_format(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(LIST_FORMATS), default="table",
                        show_default=True, help=_("Output format."))(function)


# -- writing an output -------------------------------------------------------------------

#: The files a command read, by what they are ("data file", "ruleset"): never an output.
Inputs = Mapping[str, str | os.PathLike[str] | None]


def emit(data: bytes | Iterable[bytes], output: str | None, *, inputs: Inputs, escape: bool = False) -> None:
    """Write ``data`` (bytes, or pieces of bytes made as they are written) to stdout, or
    to ``output``.

    A regular file is written through a temporary file in the same folder, renamed into
    place once complete, with the mode the file had; a signal (SIGTERM, SIGHUP, SIGINT)
    while writing removes the temporary file first.  A device or FIFO is written into,
    never replaced.  Nothing is written over one of ``inputs``, or over a read-only file.

    :param inputs: the files the command read, by what they are: never an output.
    :param escape: ``data`` is UTF-8 text for a person: on stdout its control
        characters are shown escaped (:func:`terminal_text`).
    :raises click.BadParameter: for an empty file name or one of the inputs (exit 2).
    :raises click.ClickException: for a file that cannot be written, naming it (exit 1).
    """
    with together() as outputs:
        outputs.add(data, output, inputs=inputs, escape=escape)
        outputs.place()


class Outputs:
    """Outputs that land together, or not at all (made by :func:`together`).

    :meth:`add` writes each regular file's output in full into a temporary file beside
    it; :meth:`place` then renames them into place, and writes the outputs that have no
    temporary file (stdout, a device), so that what must happen with them (recording
    the round) can be undone up to the last moment.
    """

    def __init__(self) -> None:
        #: the temporary files not yet renamed, which a signal or an error removes
        self.temporary: list[str] = []
        self._steps: list[tuple[str, Callable[[], None]]] = []
        #: whether :meth:`place` has put every output in place
        self.placed = False

    @property
    def names(self) -> list[str]:
        """Where the outputs go: their files, ``-`` for stdout."""
        return [name for name, _ in self._steps]

    def add(self, data: bytes | Iterable[bytes], output: str | None, *, inputs: Inputs, escape: bool = False) -> None:
        """Write ``data`` for ``output`` (stdout when ``None`` or ``-``), as :func:`emit`
        says, to be put in place by :meth:`place`."""
        if output is None or output == "-":
            self._steps.append(("-", lambda: _write_stdout(data, escape)))
            return
        target = check_output(output, inputs)
        try:
            existing: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            existing = None
        except OSError as exc:
            raise click.FileError(output, hint=os_reason(exc)) from None
        if existing is not None and stat.S_ISBLK(existing.st_mode):
            raise click.BadParameter(_("{output} is a disk (a block device); give a file").format(output=output),
                                     param_hint="'-o'")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            self._steps.append((output, lambda: _write_into(target, data, output)))
            return
        if existing is not None and (not existing.st_mode & 0o222 or not os.access(target, os.W_OK)):
            raise click.ClickException(_("Could not write file '{file}': it is read-only, and qscore does not "
                                         "replace a read-only file; make it writable or give another file").format(
                                             file=output))
        name = self._write_temporary(target, data, output, existing)
        self._steps.append((output, lambda: self._rename(name, target, output)))

    def place(self) -> None:
        """Put every output in place, in the order they were added."""
        for _output, step in self._steps:
            step()
        self.placed = True

    def _write_temporary(self, target: Path, data: bytes | Iterable[bytes], output: str,
                         existing: os.stat_result | None) -> str:
        """A temporary file beside ``target`` holding every piece of ``data`` (an error
        while one is made leaves nothing behind)."""
        import tempfile

        try:
            with _signals_held():  # so that a handler finds the file it removes
                handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                self.temporary.append(name)
        except OSError as exc:
            raise click.FileError(output, hint=os_reason(exc)) from None
        try:
            with os.fdopen(handle, "wb") as stream:
                _keep_mode(name, existing)
                _write_all(stream, data)
                stream.flush()
                os.fsync(stream.fileno())
        except OSError as exc:
            raise click.ClickException(_("Could not write file '{file}': {reason}; nothing was written").format(
                file=output, reason=os_reason(exc))) from None
        return name

    def _rename(self, name: str, target: Path, output: str) -> None:
        try:
            os.replace(name, target)
        except OSError as exc:
            raise click.ClickException(_("Could not write file '{file}': {reason}; nothing was written").format(
                file=output, reason=os_reason(exc))) from None
        with _signals_held():
            self.temporary.remove(name)


@contextlib.contextmanager
def together() -> Iterator[Outputs]:
    """Outputs to write together (:class:`Outputs`): leaving the block, by an error or
    a signal, before they are placed removes every temporary file made for them."""
    from qscore.interrupts import first_on_signal

    outputs = Outputs()

    def remove() -> None:
        for name in outputs.temporary:
            Path(name).unlink(missing_ok=True)

    with first_on_signal(remove):
        try:
            yield outputs
        finally:
            remove()


def _write_stdout(data: bytes | Iterable[bytes], escape: bool) -> None:
    if not isinstance(data, bytes):
        data = b"".join(data)
    if escape:
        with contextlib.suppress(UnicodeDecodeError):
            data = terminal_text(data.decode("utf-8")).encode("utf-8")
    try:
        _write_all(sys.stdout.buffer, data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise  # a reader that stopped early: qscore ends quietly
    except OSError as exc:
        raise click.ClickException(_("Could not write to standard output: {reason}").format(
            reason=os_reason(exc))) from None


def check_format_suffix(fmt: str, output: str | None, suffixes: Mapping[str, str]) -> None:
    """Refuse ``--format FMT -o FILE`` where FILE's suffix is another format's (CSV text
    in ``ranked.xlsx``, which Excel will not open).  A ``.txt`` file takes any text.

    :param suffixes: each format's suffix, by name.
    :raises click.UsageError: naming both.
    """
    if output in (None, "-"):
        return
    suffix = Path(output).suffix.lower()
    named = next((name for name, known in suffixes.items() if known == suffix), None)
    if named is not None and named != fmt and suffix != ".txt":
        raise click.UsageError(_("-o {output} is named for the {named} format, but --format {fmt} was given: give "
                                 "-o a file ending in {wanted}, or leave --format out").format(
            output=output, named=named, fmt=fmt, wanted=suffixes.get(fmt, "")))


def check_output(output: str, inputs: Inputs) -> Path:
    """The file ``-o output`` writes to (a symbolic link's target), after making sure
    it is none of ``inputs`` (by its real path, or as a hard link).

    :raises click.BadParameter: for an empty name or one of the inputs.
    :raises click.FileError: for a file in a folder that does not exist (exit 1, as when
        it cannot be written; said before the work, not after it).
    """
    if not output:
        raise click.BadParameter(_("the file name is empty; give a file to write"), param_hint="'-o'")
    target = Path(os.path.realpath(output))
    if not target.parent.is_dir():
        raise click.FileError(output, hint=_("the folder {folder} does not exist").format(
            folder=os.path.dirname(output) or "."))
    for role, given in inputs.items():
        if given is None:
            continue
        source = os.fspath(given)
        if os.path.realpath(source) == str(target) or _same_file(source, target):
            if os.path.abspath(source) == os.path.abspath(output):
                message = _("{output} is the {role}, which this command reads; writing there would destroy it: "
                            "give another file")
            else:
                message = _("{output} is the {role} {source}, which this command reads; writing there would "
                            "destroy it: give another file")
            raise click.BadParameter(message.format(output=output, role=_(role), source=source), param_hint="'-o'")
    return target


def _same_file(one: str, other: Path) -> bool:
    """Whether two names are one file (a hard link); ``False`` when either is missing."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def _write_into(target: Path, data: bytes | Iterable[bytes], output: str) -> None:
    """Write into a device or FIFO as it is (``-o /dev/null``)."""
    try:
        with open(target, "wb") as stream:
            _write_all(stream, data)
    except OSError as exc:
        raise click.ClickException(_("Could not write file '{file}': {reason}").format(
            file=output, reason=os_reason(exc))) from None


def _keep_mode(temporary: str, existing: os.stat_result | None) -> None:
    """Give the new file the mode (and, where allowed, the owner) of the file it
    replaces; a new file gets what any new file gets (mkstemp's is private)."""
    if existing is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        return
    os.chmod(temporary, stat.S_IMODE(existing.st_mode))
    if hasattr(os, "chown") and hasattr(os, "geteuid") and (existing.st_uid, existing.st_gid) != (os.geteuid(),
                                                                                                 os.getegid()):
        with contextlib.suppress(PermissionError):
            os.chown(temporary, existing.st_uid, existing.st_gid)


def _write_all(stream: Any, data: bytes | Iterable[bytes]) -> None:
    # In pieces, so that a signal is handled while a large output is written.  A write
    # may take part of a piece (a pipe whose reader has gone takes what fits): the rest
    # is written again, and fails then if it cannot go.
    for piece in [data] if isinstance(data, bytes) else data:
        view = memoryview(piece)
        for start in range(0, len(view), WRITE_CHUNK):
            chunk = view[start:start + WRITE_CHUNK]
            while chunk:
                chunk = chunk[stream.write(chunk):]


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGTERM, SIGHUP and SIGINT back (where the platform can) until the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    from qscore.interrupts import ENDING

    held = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def echo_json(document: Any) -> None:
    """Print a document as JSON, figures with their exact digits."""
    from qscore.writing.text import json_text

    click.echo(json_text(document))


def echo_table(rows: list[list[Any]], headers: list[str]) -> None:
    from tabulate import tabulate

    click.echo(tabulate([[terminal_text(str(cell)) for cell in row] for row in rows],
                        headers=[terminal_text(h) for h in headers], disable_numparse=True))


def data_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by commands that read data: one file, or several submissions
    (``DATA...``) merged first as ``qscore merge`` merges them."""
    for decorator in reversed((
        click.argument("ruleset_name", metavar="RULESET"),
        click.argument("data", nargs=-1, required=True, type=click.Path(dir_okay=False)),
        click.option("--year", type=int, help=_("Assessment year (default: the year the sheet title or file name "
                                               "states, else the ruleset's default year, else its horizon year).")),
        click.option("--encoding", callback=_check_encoding,
                     help=_("Force the text encoding of a CSV or JSON file (default: by BOM, else UTF-8, "
                            "else GB18030).")),
        click.option("--sheet", help=_("Sheet of a workbook to read (default: the active sheet, if visible).")),
        click.option("--ignore-unknown", is_flag=True,
                     help=_("Skip columns that name nothing in the ruleset (never one close to a name it has).")),
        click.option("--units", "units", type=click.Path(dir_okay=False),
                     help=_("Roster file, one unit name per line: check the units against it instead of the "
                            "ruleset's roster.")),
        click.option("--partial", is_flag=True,
                     help=_("The data may hold only some units of the roster (and units off it).")),
        click.option("--hidden", type=click.Choice(("read", "skip")),
                     help=_("Workbook rows and columns hidden in Excel that hold data: read or skip them "
                            "(default: refuse).")),
        click.option("--fill-merged", is_flag=True,
                     help=_("Fill each cell of a merged range in a workbook's data with its value (default: refuse).")),
        click.option("--percent-fractions", is_flag=True,
                     help=_("Accept a % column written as fractions (0.975 for 97.5%) and multiply it by 100.")),
        click.option("--limit", "limits", multiple=True, metavar="NAME=N", callback=_parse_limits,
                     help=_("Raise or lower a reading limit, e.g. xlsx_cells=10000000 (repeatable; "
                            "the limits are listed in docs/data.md).")),
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
        raise click.BadParameter(_("unknown encoding '{value}' (try utf-8, utf-8-sig, gb18030)").format(
            value=value)) from None
    return value


def _parse_limits(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Limits:
    from qscore.limits import DEFAULT

    pairs = []
    for value in values:
        name, equals, number = value.partition("=")
        try:
            pairs.append((name.strip().replace("-", "_"), int(number)))
        except ValueError:
            raise click.BadParameter(_("expected NAME=N, such as xlsx_cells=10000000, got {value!r}").format(
                value=value)) from None
        if not equals:
            raise click.BadParameter(_("expected NAME=N, such as xlsx_cells=10000000, got {value!r}").format(
                value=value))
    try:
        return DEFAULT.with_values(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def score(ctx: click.Context, ruleset_name: str, data: tuple[str, ...], year: int | None, encoding: str | None,
          sheet: str | None, ignore_unknown: bool, explain: bool, limits: Limits, units: str | None = None,
          partial: bool = False, hidden: str | None = None, fill_merged: bool = False,
          percent_fractions: bool = False, progress: Progress | None = None) -> BatchResult:
    """Run the public pipeline (:func:`qscore.score`) with the command's options, on the
    one data file or the several submissions of ``data``.  The command prints the
    batch's notices (:func:`echo_notices`)."""
    from qscore.pipeline import score as score_data, steps

    found = catalog(ctx)
    ruleset = scoring_ruleset(found, ruleset_name)
    _check_year(ruleset, year)
    paths = data_paths(data, units)
    progress = progress or Progress(None)
    progress.start(paths[0], steps(ruleset) + 1)  # and writing
    # By its name, as the user gave it: the result's provenance names a ruleset file, or
    # the id of an installed one.
    return score_data(ruleset_name, paths[0] if len(paths) == 1 else paths, year=year, explain=explain,
                      catalog=found, ignore_unknown=ignore_unknown, encoding=encoding, sheet=sheet,
                      progress=progress.update, limits=limits, units=units, partial=partial,
                      hidden=hidden or "refuse",  # type: ignore[arg-type]
                      merged="fill" if fill_merged else "refuse", percent_fractions=percent_fractions)


def data_paths(data: tuple[str, ...], units: str | None = None) -> list[Path]:
    """The data files as paths, each a file (and the ``--units`` file).

    :raises click.BadParameter: naming a file that is not there, or one given twice.
    """
    from qscore.pipeline import is_file

    paths = [Path(name) for name in data]
    seen: dict[str, str] = {}
    for name, path in zip(data, paths):
        if not is_file(path):
            raise click.BadParameter(_("no such file: {name}").format(name=name), param_hint="DATA")
        real = os.path.realpath(path)
        if real in seen:
            raise click.BadParameter(_("{name} is given twice; give each submission once").format(
                    name=name), param_hint="DATA")
        seen[real] = name
    check_units(units)
    return paths


def check_units(units: str | None) -> None:
    """Make sure the ``--units`` roster file, when given, is a file.

    :raises click.BadParameter: naming the file that is not there.
    """
    from qscore.pipeline import is_file

    if units is not None and not is_file(Path(units)):
        raise click.BadParameter(_("no such file: {units}").format(units=units), param_hint="'--units'")


def data_inputs(data: tuple[str, ...], units: str | None) -> dict[str, str | None]:
    """The data files and the ``--units`` roster file as :data:`Inputs`: ``-o`` is
    never one of them."""
    files: dict[str, str | None] = {N_("data file"): data[0]} if len(data) == 1 else \
        {_("data file {name}").format(name=name): name for name in data}
    return {**files, N_("roster file"): units}


def echo_notices(batch: BatchResult) -> None:
    """Every notice of the batch on stderr, one a line, its control characters escaped."""
    for notice in batch.notices:
        echo(_("notice: {notice}").format(notice=notice), err=True)


class Progress:
    """A progress bar on stderr, shown only for a large file when stderr is a terminal."""

    def __init__(self, stream: Any) -> None:
        """:param stream: where the bar goes (``None``: nowhere, as with ``--quiet``)."""
        self.stream = stream
        self.bar: Any = None

    def start(self, path: Path, steps: int) -> None:
        if self.stream is None or not self.stream.isatty() or path.stat().st_size < PROGRESS_MIN_BYTES:
            return
        self.bar = click.progressbar(length=steps, label=terminal_text(path.name), file=self.stream)
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


def scoring_ruleset(found: Catalog, name: str) -> Ruleset:
    """The ruleset to score with, by id or file (:meth:`Catalog.ruleset`).  A ruleset file
    the user names is linted first, and refused on what ``qscore validate`` calls an
    error (points that do not add up, a worked example that does not come out …): it
    loads, but would score something other than the plan says.  An installed ruleset was
    checked by its plug-in's tests.

    :raises RulesetError: carrying each error, by line.
    """
    from qscore.errors import RulesetError

    ruleset = found.ruleset(name)
    # An id that is also the name of a file here names the installed ruleset.
    if ruleset.file is None or not os.path.isfile(name) or not os.path.samefile(ruleset.file, name):
        return ruleset
    from qscore.authoring.lint import ERROR, Locator, lint_ruleset

    locator = Locator(Path(name).read_text(encoding="utf-8-sig"))
    errors = [finding for finding in lint_ruleset(ruleset, locator, found) if finding.severity == ERROR]
    if errors:
        raise RulesetError("\n".join([ngettext(
            "{file} loads, but `qscore validate` finds {count} error in it, and it is scored once that is mended:",
            "{file} loads, but `qscore validate` finds {count} errors in it, and it is scored once they are mended:",
            len(errors)).format(file=name, count=len(errors)), *(finding.render(name) for finding in errors)]))
    return ruleset


def _check_year(ruleset: Ruleset, year: int | None) -> None:
    if year is not None and not ruleset.base_year <= year <= ruleset.horizon_year:
        raise click.BadParameter(_("{year} is outside the plan ({base} → {horizon})").format(
            year=year, base=ruleset.base_year, horizon=ruleset.horizon_year), param_hint="'--year'")

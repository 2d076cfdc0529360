"""Where a result comes from: the ruleset file, the data files, the options and the
qscore that scored it, each file by its SHA-256.

Results feed cadres' performance assessments, so every figure must be traceable to the
exact rules and submissions it was worked out from.  The pipeline gives every batch it
scores from a file its :class:`Provenance` (``batch.provenance``); every output carries
it (a ``provenance`` object in JSON, a 来源 sheet or section in XLSX and HTML, a
``FILE.provenance.json`` beside a CSV), the archive of rounds records it, and
``qscore verify`` reads it back to recompute a result::

    batch = qscore.score("shizhu-county", "county-2025.csv", year=2025)
    batch.provenance.ruleset_sha256, batch.provenance.data[0].sha256
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from typing import Any

import attrs

from qscore.errors import QscoreError, UsageError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from qscore.reading.layout import HiddenPolicy, MergedPolicy

    from qscore.model import BatchResult, Ruleset

CHUNK = 2**20


@attrs.frozen
class SourceFile:
    """A data file a result was worked out from.

    :param name: the file's path as it was given.
    :param sha256: the SHA-256 of its bytes, in hex.
    """

    name: str
    sha256: str


@attrs.frozen
class ScoringOptions:
    """The options that change how data files are read and scored, as ``qscore rank``
    takes them.

    :param encoding: the forced text encoding, ``None`` for detected.
    :param sheet: the workbook sheet read, ``None`` for the active one.
    :param ignore_unknown: whether columns naming nothing in the ruleset were skipped.
    :param year: the assessment year given (``--year``), ``None`` when it was chosen
        from the data, the ruleset's default year or the horizon year.
    :param partial: whether the data could hold only some units of the roster.
    :param roster: the roster file given instead of the ruleset's (``--units``), by its
        SHA-256 (names given in code are named ``<given in code>``).
    :param hidden: what was done with hidden workbook rows and columns holding data:
        ``refuse``, ``skip`` or ``read``.
    :param merged: what was done with merged cells in a workbook's data: ``refuse`` or ``fill``.
    :param percent_fractions: whether a % column written as fractions was multiplied by 100.
    """

    encoding: str | None = None
    sheet: str | None = None
    ignore_unknown: bool = False
    year: int | None = None
    partial: bool = False
    roster: SourceFile | None = None
    hidden: HiddenPolicy = "refuse"
    merged: MergedPolicy = "refuse"
    percent_fractions: bool = False


@attrs.frozen
class Provenance:
    """What a batch was scored from.

    :param ruleset: the ruleset's id.
    :param ruleset_sha256: the SHA-256 of the ruleset file, ``None`` for a ruleset built
        in code (it has no file).
    :param year: the assessment year.
    :param data: the data files, in the order given.
    :param options: the reading options.
    :param qscore_version: the installed qscore's version, ``None`` when qscore runs
        from a source tree that was never installed.
    :param ruleset_file: the ruleset file as it was given, when the ruleset was given as
        a file; ``None`` for an installed ruleset (found again by its id) or one built
        in code.
    """

    ruleset: str
    ruleset_sha256: str | None
    year: int
    data: tuple[SourceFile, ...]
    options: ScoringOptions = ScoringOptions()
    qscore_version: str | None = None
    ruleset_file: str | None = None


def provenance_of(batch: BatchResult, data_paths: Iterable[str | os.PathLike[str]],
                  options: ScoringOptions = ScoringOptions(), *, ruleset_file: str | None = None) -> Provenance:
    """The provenance of ``batch``, scored from ``data_paths`` with ``options``.

    :param ruleset_file: the ruleset file as given (see :attr:`Provenance.ruleset_file`).
    :raises UsageError: for a data file that does not exist.
    :raises QscoreError: for a ruleset file that cannot be read back.
    """
    return Provenance(ruleset=batch.ruleset.id, ruleset_sha256=ruleset_sha256(batch.ruleset), year=batch.year,
                      data=tuple(SourceFile(name=str(path), sha256=file_sha256(path)) for path in data_paths),
                      options=options, qscore_version=qscore_version(), ruleset_file=ruleset_file)


# -- as a document: JSON outputs, the CSV sidecar, HTML -------------------------------------

def provenance_document(provenance: Provenance) -> dict[str, Any]:
    """``provenance`` as the plain document every output writes (``"provenance"`` in
    JSON, the sidecar of a CSV): the keys of docs/data.md, in a fixed order."""
    options = provenance.options
    roster = options.roster
    return {
        "qscore_version": provenance.qscore_version,
        "ruleset": provenance.ruleset,
        "ruleset_file": provenance.ruleset_file,
        "ruleset_sha256": provenance.ruleset_sha256,
        "year": provenance.year,
        "data": [{"file": source.name, "sha256": source.sha256} for source in provenance.data],
        "options": {"year": options.year, "encoding": options.encoding, "sheet": options.sheet,
                    "ignore_unknown": options.ignore_unknown, "partial": options.partial,
                    "roster": None if roster is None else {"file": roster.name, "sha256": roster.sha256},
                    "hidden": options.hidden, "merged": options.merged,
                    "percent_fractions": options.percent_fractions},
    }


def provenance_from_document(document: Any, where: str) -> Provenance:
    """The :class:`Provenance` a document written by :func:`provenance_document` holds.

    :param where: the file it was read from, for messages.
    :raises QscoreError: for a document that is not one, naming the key.
    """
    if not isinstance(document, dict):
        raise QscoreError(f"{where}: the provenance is not an object")
    options = _field(document, "options", dict, where)
    data = _field(document, "data", list, where)
    sources = []
    for number, source in enumerate(data, 1):
        if not isinstance(source, dict):
            raise QscoreError(f"{where}: the provenance's data file {number} is not an object")
        sources.append(SourceFile(name=_field(source, "file", str, where, f"data file {number}'s "),
                                  sha256=_field(source, "sha256", str, where, f"data file {number}'s ")))
    roster = _field(options, "roster", dict, where, "options' ", optional=True)
    owned = "options' "
    return Provenance(
        ruleset=_field(document, "ruleset", str, where),
        ruleset_sha256=_field(document, "ruleset_sha256", str, where, optional=True),
        year=_field(document, "year", int, where), data=tuple(sources),
        options=ScoringOptions(
            year=_field(options, "year", int, where, owned, optional=True),
            encoding=_field(options, "encoding", str, where, owned, optional=True),
            sheet=_field(options, "sheet", str, where, owned, optional=True),
            ignore_unknown=_field(options, "ignore_unknown", bool, where, owned),
            partial=_field(options, "partial", bool, where, owned),
            roster=None if roster is None else SourceFile(name=_field(roster, "file", str, where, "roster's "),
                                                          sha256=_field(roster, "sha256", str, where, "roster's ")),
            hidden=_policy(options, "hidden", where), merged=_policy(options, "merged", where),
            percent_fractions=_field(options, "percent_fractions", bool, where, owned)),
        qscore_version=_field(document, "qscore_version", str, where, optional=True),
        ruleset_file=_field(document, "ruleset_file", str, where, optional=True))


def _field(document: dict[str, Any], key: str, kind: type, where: str, owner: str = "",
           *, optional: bool = False) -> Any:
    value = document.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise QscoreError(f"{where}: the provenance's {owner}'{key}' is missing or not a {_KINDS[kind]}")
    return value


def _policy(options: dict[str, Any], key: str, where: str) -> Any:
    """A layout policy (``hidden``, ``merged``), one of the values ``qscore rank`` takes."""
    from typing import get_args

    from qscore.reading.layout import HiddenPolicy, MergedPolicy

    allowed = get_args(HiddenPolicy if key == "hidden" else MergedPolicy)
    value = _field(options, key, str, where, "options' ")
    if value not in allowed:
        raise QscoreError(f"{where}: the provenance's options' '{key}' is '{value}', which is none of "
                          f"{', '.join(allowed)}")
    return value


_KINDS = {str: "text", int: "whole number", bool: "true or false", dict: "object", list: "list"}


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, in hex.

    :raises UsageError: for a file that does not exist.
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    return digest.hexdigest()


def ruleset_sha256(ruleset: Ruleset) -> str | None:
    """The SHA-256 of the file ``ruleset`` was loaded from, ``None`` when it has none.

    A ruleset shipped in a plug-in package is a resource: a regular file in an ordinary
    install, a member of the archive in a zipped one, read then through
    :mod:`importlib.resources`.

    :raises QscoreError: when the file cannot be found any more.
    """
    if ruleset.file is None:
        return None
    if Path(ruleset.file).is_file():
        return file_sha256(ruleset.file)
    for resource in _resources(PurePath(ruleset.file)):
        if resource.is_file():
            return hashlib.sha256(resource.read_bytes()).hexdigest()
    raise QscoreError(f"{ruleset.file}: the ruleset file of '{ruleset.id}' cannot be read to fingerprint it")


def _resources(path: PurePath) -> Iterator[Traversable]:
    """The package resources ``path`` may name: for each of its parts that is an
    importable package, the rest of the path inside that package."""
    import importlib.util
    from importlib import resources

    parts = path.parts
    for number, part in enumerate(parts[:-1]):
        if not part.isidentifier():
            continue
        try:
            found = importlib.util.find_spec(part) is not None
        except (ImportError, ValueError):
            found = False
        if found:
            try:
                yield resources.files(part).joinpath(*parts[number + 1:])
            except (ImportError, TypeError):
                continue


def qscore_version() -> str | None:
    """The installed qscore's version, ``None`` when it is not installed."""
    import importlib.metadata

    try:
        return importlib.metadata.version("qscore")
    except importlib.metadata.PackageNotFoundError:
        return None

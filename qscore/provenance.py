"""Where a result comes from: the ruleset file, the data files, the options and the
qscore that scored it, each file by its SHA-256.

Results feed cadres' performance assessments, so every figure must be traceable to the
exact rules and submissions it was worked out from.  The archive of rounds records a
:class:`Provenance` with each round::

    from qscore.provenance import ScoringOptions, provenance_of

    batch = qscore.score("shizhu-county", "county-2025.csv", year=2025)
    provenance = provenance_of(batch, ["county-2025.csv"], ScoringOptions())
    provenance.ruleset_sha256, provenance.data[0].sha256
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

import attrs

from qscore.errors import QscoreError, UsageError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

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
    """The options that change how data files are read, as ``qscore rank`` takes them.

    :param encoding: the forced text encoding, ``None`` for detected.
    :param sheet: the workbook sheet read, ``None`` for the first.
    :param ignore_unknown: whether columns naming nothing in the ruleset were skipped.
    """

    encoding: str | None = None
    sheet: str | None = None
    ignore_unknown: bool = False


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
    """

    ruleset: str
    ruleset_sha256: str | None
    year: int
    data: tuple[SourceFile, ...]
    options: ScoringOptions = ScoringOptions()
    qscore_version: str | None = None


def provenance_of(batch: BatchResult, data_paths: Iterable[str | os.PathLike[str]],
                  options: ScoringOptions = ScoringOptions()) -> Provenance:
    """The provenance of ``batch``, scored from ``data_paths`` with ``options``.

    :raises UsageError: for a data file that does not exist.
    :raises QscoreError: for a ruleset file that cannot be read back.
    """
    return Provenance(ruleset=batch.ruleset.id, ruleset_sha256=ruleset_sha256(batch.ruleset), year=batch.year,
                      data=tuple(SourceFile(name=str(path), sha256=file_sha256(path)) for path in data_paths),
                      options=options, qscore_version=qscore_version())


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

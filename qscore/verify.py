"""A reviewer's 复核 in one call: recompute a result file from the ruleset and data its
provenance names, and compare it figure by figure.

A result says what it was scored from (:mod:`qscore.provenance`): a JSON result in its
``provenance`` object, a workbook in its 来源 sheet, a report in its 结果来源 section, any
other format (a CSV) in the sidecar ``FILE.provenance.json`` written beside it.
:func:`verify` finds the ruleset (the file the result names, or the installed ruleset
of that id) and the data files (where the result names them, or among the files given
when they have moved), each checked by its SHA-256, scores them again through the
pipeline, writes the result again in the file's format and names the first cell that
differs::

    checked = verify("ranked.xlsx")
    checked.difference      # None: every figure matches
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

import attrs

from qscore.errors import QscoreError, RulesetError, UsageError
from qscore.i18n import _
from qscore.model import Provenance, Ruleset
from qscore.pipeline import load_ruleset, score
from qscore.plugins.manager import Catalog, load_plugins
from qscore.provenance import file_sha256, qscore_version, ruleset_sha256
from qscore.writing import reread

#: The suffix of the file that says where a result without room for it (CSV, the
#: table, a plug-in's format) comes from: ``ranked.csv.provenance.json``.
SIDECAR_SUFFIX = ".provenance.json"
#: Formats that carry their provenance inside the file, by suffix.
INSIDE = {".json": "json", ".xlsx": "xlsx", ".html": "html", ".htm": "html"}


@attrs.frozen
class Verified:
    """What :func:`verify` found.

    :param result: the result file.
    :param format: its format.
    :param provenance: what it says it was scored from.
    :param ruleset: the ruleset file or installed id it was recomputed with.
    :param data: the data files it was recomputed from.
    :param units: how many units the recomputed result has.
    :param difference: the first cell that differs, ``None`` when every one matches.
    :param notes: what the reviewer should know (another qscore version, a section not
        recomputed).
    :param unchecked: the sections of the result that were not recomputed (a report's
        year-over-year view), by their headings.
    """

    result: str
    format: str
    provenance: Provenance
    ruleset: str
    data: tuple[str, ...]
    units: int
    difference: reread.Difference | None
    notes: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()


def sidecar(result: str | os.PathLike[str]) -> Path:
    """The provenance file written beside ``result``."""
    return Path(os.fspath(result) + SIDECAR_SUFFIX)


def sidecar_document(fmt: str, result: str | os.PathLike[str], provenance: Provenance | None) -> bytes:
    """The sidecar of ``result``, written in format ``fmt``: the format and the provenance."""
    from qscore.provenance import provenance_document
    from qscore.writing.text import json_text

    document = {"result": Path(result).name, "format": fmt,
                "provenance": None if provenance is None else provenance_document(provenance)}
    return (json_text(document) + "\n").encode("utf-8")


def verify(result: str | os.PathLike[str], *, data: Sequence[str | os.PathLike[str]] = (),
           ruleset: str | None = None, catalog: Catalog | None = None) -> Verified:
    """Recompute ``result`` and compare it cell by cell.

    :param data: the data files, when they are no longer where the result names them
        (each is matched by its SHA-256).
    :param ruleset: the ruleset (an installed id or a file) when the one the result
        names is not found; it must have the SHA-256 the result names.
    :param catalog: the plug-ins (default: :func:`load_plugins`).
    :raises UsageError: for a result or data file that is not there.
    :raises QscoreError: for a result without provenance, a data or ruleset file whose
        SHA-256 differs from the one the result names, or a file given that matches none.
    """
    path = Path(result)
    if not path.is_file():
        raise UsageError(_("no such file: {path}").format(path=path))
    if path.name.endswith(SIDECAR_SUFFIX) and len(path.name) > len(SIDECAR_SUFFIX):
        owner = path.with_name(path.name[:-len(SIDECAR_SUFFIX)])
        raise UsageError(_("{path} is the provenance file of {result}, not a result: give the result itself "
                           "(qscore verify {result})").format(path=path, result=owner))
    catalog = catalog or load_plugins()
    fmt, provenance = _provenance(path)
    notes = []
    if provenance.qscore_version != qscore_version():
        notes.append(_("{path} was written by qscore {written}; recomputed with qscore {now}").format(
            path=path, written=provenance.qscore_version or _("(not installed)"),
            now=qscore_version() or _("(not installed)")))
    found_ruleset, named = _ruleset(provenance, ruleset, catalog, path)
    options = provenance.options
    files = _files(provenance, [Path(p) for p in data], path)
    writer = catalog.writers.get(fmt)
    if writer is None:
        raise QscoreError(_("{path} is in the format '{fmt}', which no active plug-in writes").format(
                path=path, fmt=fmt))
    scored = files[:len(provenance.data)]  # then the roster file, when it names one
    batch = score(found_ruleset, scored[0] if len(scored) == 1 else scored, year=options.year,
                  explain=writer.explained, catalog=catalog, encoding=options.encoding, sheet=options.sheet,
                  ignore_unknown=options.ignore_unknown, partial=options.partial,
                  units=files[-1] if options.roster is not None else None,
                  hidden=options.hidden, merged=options.merged,
                  percent_fractions=options.percent_fractions)
    if batch.year != provenance.year:
        raise QscoreError(_("{path} is of {year}, but its data scores for {batch_year} now").format(
                path=path, year=provenance.year, batch_year=batch.year))
    given = path.read_bytes()
    difference = reread.first_difference(fmt, given, writer.write(batch))
    unchecked = []
    if fmt == "html" and b'id="year-over-year"' in given:
        notes.append(_("{path}'s year-over-year section is not recomputed (the result does not name last year's "
                       "data)").format(path=path))
        heading = re.search(rb'id="year-over-year">\s*<h2>([^<]*)</h2>', given)
        unchecked.append(heading.group(1).decode("utf-8") if heading else "与上年度对比")
    return Verified(result=str(path), format=fmt, provenance=provenance, ruleset=named,
                    data=tuple(str(file) for file in scored), units=len(batch.units), difference=difference,
                    notes=tuple(notes), unchecked=tuple(unchecked))


def _provenance(path: Path) -> tuple[str, Provenance]:
    """The result's format and what it says it was scored from."""
    fmt = INSIDE.get(path.suffix.lower())
    where = str(path)
    if fmt is None:
        beside = sidecar(path)
        if not beside.is_file():
            raise QscoreError(_("{path} does not say what it was scored from: its provenance file {beside} is not "
                              "there (qscore writes it beside a CSV or table written with -o)").format(
                    path=path, beside=beside))
        document = beside.read_bytes()
        try:
            fmt = json.loads(document.decode("utf-8")).get("format")
        except (ValueError, UnicodeDecodeError, AttributeError):
            fmt = None
        if not isinstance(fmt, str):
            raise QscoreError(_("{beside} is not a provenance file qscore wrote: it names no format").format(
                    beside=beside))
        provenance = reread.provenance_of_json(document, str(beside))
        where = str(beside)
    elif fmt == "json":
        provenance = reread.provenance_of_json(path.read_bytes(), where)
    elif fmt == "xlsx":
        provenance = reread.provenance_of_xlsx(path.read_bytes(), where)
    else:
        provenance = reread.provenance_of_html(path.read_bytes(), where)
    if provenance is None:
        raise QscoreError(_("{where} does not name the files it was scored from (it was scored from a table "
                          "already read), so it cannot be recomputed").format(
                where=where))
    if not provenance.data:
        raise QscoreError(_("{where} names no data file it was scored from, so it cannot be recomputed").format(
                where=where))
    return fmt, provenance


def _ruleset(provenance: Provenance, given: str | None, catalog: Catalog, result: Path) -> tuple[Ruleset, str]:
    """The ruleset the result was scored with, checked by its SHA-256, and how it was found."""
    if provenance.ruleset_sha256 is None:
        raise QscoreError(_("{result} was scored with a ruleset built in code, which has no file to find again").format(
                result=result))
    candidates = [given] if given is not None else []
    if provenance.ruleset_file is not None and Path(provenance.ruleset_file).is_file():
        candidates.append(provenance.ruleset_file)
    if provenance.ruleset in catalog.rulesets:
        candidates.append(provenance.ruleset)
    if not candidates:
        gone = _(" and its file {file} is not there").format(file=provenance.ruleset_file) \
            if provenance.ruleset_file else ""
        raise UsageError(_("the ruleset '{ruleset}' that {result} names is not installed{gone}; "
                         "give it with --ruleset").format(
                ruleset=provenance.ruleset, result=result, gone=gone))
    differs = []
    for candidate in candidates:
        if Path(candidate).is_file() and file_sha256(candidate) != provenance.ruleset_sha256:
            # Changed since: said as such, whether or not the changed file still loads.
            differs.append(_changed_ruleset(candidate, catalog))
            continue
        ruleset = load_ruleset(candidate, catalog=catalog)
        fingerprint = ruleset_sha256(ruleset)
        if fingerprint == provenance.ruleset_sha256 and ruleset.id == provenance.ruleset:
            return ruleset, candidate
        differs.append(_("{file} (ruleset '{ruleset}', SHA-256 {sha256})").format(
            file=candidate, ruleset=ruleset.id, sha256=fingerprint))
    raise QscoreError(_("the ruleset has changed since {result} was written: it names ruleset '{ruleset}' "
                      "with SHA-256 {ruleset_sha256}, but found {differs}; give the ruleset "
                      "file it was scored with with --ruleset").format(
            result=result, ruleset=provenance.ruleset, ruleset_sha256=provenance.ruleset_sha256, differs='; '.join(differs)))


def _changed_ruleset(file: str, catalog: Catalog) -> str:
    """A ruleset file that is not the one a result names, described by its id (when it
    still loads) and its SHA-256."""
    fingerprint = file_sha256(file)
    try:
        ruleset = load_ruleset(file, catalog=catalog)
    except RulesetError:
        return _("{file} (SHA-256 {sha256}; it does not load as it stands)").format(file=file, sha256=fingerprint)
    return _("{file} (ruleset '{ruleset}', SHA-256 {sha256})").format(file=file, ruleset=ruleset.id, sha256=fingerprint)


def _files(provenance: Provenance, given: list[Path], result: Path) -> list[Path]:
    """The data files the result names, and its roster file when it names one, each found
    by its SHA-256 among ``given`` or where the result names it."""
    from qscore.pipeline import ROSTER_IN_CODE

    for path in given:
        if not path.is_file():
            raise UsageError(_("no such file: {path}").format(path=path))
    by_hash = {file_sha256(path): path for path in given}
    wanted = [(source, _("data file")) for source in provenance.data]
    roster = provenance.options.roster
    if roster is not None:
        if roster.name == ROSTER_IN_CODE:
            raise QscoreError(_("{result} was scored with a roster given in code, which has no file to find again").format(
                    result=result))
        wanted.append((roster, _("roster file")))
    files, used = [], set()
    for source, what in wanted:
        if source.sha256 in by_hash:
            files.append(by_hash[source.sha256])
            used.add(source.sha256)
            continue
        named = Path(source.name)
        if not named.is_file():
            raise UsageError(_("the {what} {name} that {result} names is not there; give it with --data FILE "
                             "(found by its SHA-256)").format(
                    what=what, name=source.name, result=result))
        now = file_sha256(named)
        if now != source.sha256:
            raise QscoreError(_("the {what} {name} has changed since {result} was written: its SHA-256 is "
                              "{now}, the result names {sha256}; give the file it was scored from with --data").format(
                    what=what, name=source.name, result=result, now=now, sha256=source.sha256))
        files.append(named)
    for sha256, path in by_hash.items():
        if sha256 not in used:
            raise QscoreError(_("--data {path}: its SHA-256 {sha256} is that of no file {result} names").format(
                    path=path, sha256=sha256, result=result))
    return files

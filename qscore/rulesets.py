"""Reading ruleset files (TOML) into validated :class:`~qscore.model.Ruleset` objects.

The schema is documented field by field in ``docs/rulesets.md``.  Loading reads the
whole file and reports every problem in it at once (up to :data:`PROBLEM_LIMIT`), each
with its TOML path, the table and the field, which ``qscore validate`` turns into a
line number.  A problem in one table never hides a problem in another; only what
depends on a broken value is left unchecked.  Unknown keys are refused so that a typo
never passes silently.

Unit names (``applies_to``, ``[roster]``) are kept as data is read
(:func:`qscore.cells.normalise`), so that ``县市场监管局（知识产权局）`` in a
ruleset is the unit ``县市场监管局(知识产权局)`` of a spreadsheet; names that read the
same once normalised are duplicates.
"""

from __future__ import annotations

import difflib
import enum
import functools
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Final, Literal, TypeVar, cast

import attrs

from qscore.errors import PluginError, Problem, RulesetError
from qscore.i18n import N_, _, os_reason
from qscore.model import (CLASSIFY_BY, DIRECTIONS, Adjustments, AssumptionRanges, Category, Classification, Example, Grade,
                          PERCENT_UNITS, Indicator, Item, Ranking, Roster, Rounding, Ruleset)
from qscore.limits import NUMBER_LIMIT, number_problem
from qscore.numbers import ZERO, fmt, to_decimal
from qscore.reading.binding import COUNT_UNITS
from qscore.cells import is_exempt, is_missing, normalise
from qscore.registry import Registry
from qscore.rules.base import Rule, RuleTypes
from qscore.targets import TARGET_KINDS, Absolute, Interim, Target, TargetKinds

T = TypeVar("T")

TOP_KEYS = {"schema", "id", "title", "jurisdiction", "level", "unit_kind", "base_year",
            "horizon_year", "default_year", "source", "missing", "scale_to", "assumptions", "rounding", "ranking",
            "classification", "categories", "indicators", "adjustments", "roster", "examples",
            "assumption_ranges"}
ROSTER_KEYS = {"units", "source", "as_of"}
ASSUMPTION_RANGE_KEYS = {"points", "cutoffs", "bonus", "fixed"}
CATEGORY_KEYS = {"id", "name", "points"}
INDICATOR_KEYS = {"id", "name", "category", "unit", "direction", "baseline", "baseline_year",
                  "target", "lead", "points", "rule", "missing", "aliases", "applies_to", "notes",
                  "source", "change"}
ITEM_KEYS = {"id", "name", "points", "cap", "source"}
ITEM_KINDS = ("bonus", "deductions", "vetoes")
ADJUSTMENT_KEYS = {*ITEM_KINDS, "bonus_cap", "deduction_cap", "total_floor"}
GRADE_KEYS = {"name", "min_score", "count", "share"}
ROUNDING_KEYS = {"places", "mode", "stage"}
EXAMPLE_KEYS = {"name", "year", "inputs", "points", "total", "tier"}
TARGET_NUMBERS = {"value", "percent", "points", "annual_percent", "offset", "share"}
#: Keys that tell a block of keys is an indicator's (no other table has them).
_INDICATOR_ONLY = INDICATOR_KEYS - TOP_KEYS - CATEGORY_KEYS - ITEM_KEYS - EXAMPLE_KEYS
SCHEMA = 1
#: The largest ruleset file read: a plan's rules fill kilobytes, never megabytes.
RULESET_BYTES = 16 * 2**20
#: The first and last year a plan's base and horizon years may be.
PLAN_YEARS = (1949, 2100)
#: The most problems one load reports; past it the search stops.
PROBLEM_LIMIT = 50


def check_ruleset_file(path: Path) -> None:
    """Make sure ``path`` can be read whole as a ruleset: a regular file (a device such
    as /dev/zero never ends, a named pipe may never begin), of at most
    :data:`RULESET_BYTES`.

    :raises RulesetError: naming the file.
    :raises OSError: when it cannot be looked at.
    """
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise RulesetError(_("cannot read the ruleset: it is not a regular file (a device or a named pipe); give a "
                             ".toml file"), file=str(path))
    if status.st_size > RULESET_BYTES:
        raise RulesetError(_("cannot read the ruleset: it has {size:,} bytes, and a ruleset is at most {most:,}; give "
                             "the .toml file of the ruleset").format(size=status.st_size, most=RULESET_BYTES),
                           file=str(path))


def load_ruleset(source: str | os.PathLike[str] | Traversable, rule_types: RuleTypes,
                 target_kinds: TargetKinds = TARGET_KINDS) -> Ruleset:
    """Read and validate a ruleset file.

    :param source: a ``.toml`` ruleset file: a path, or a resource inside a package
        (``importlib.resources.files(...)``), which also works from a zipped install.
    :param rule_types: rule type id → class, as registered by plug-ins.
    :param target_kinds: target kind → shape, as registered by plug-ins.
    :raises RulesetError: carrying every problem found (``problems``), each naming
        its table and field; the error names the file.
    """
    if isinstance(source, (str, os.PathLike)):
        source = Path(source)
    file = str(source)
    try:
        if isinstance(source, Path):
            check_ruleset_file(source)
        raw = source.read_bytes()
    except OSError as exc:
        raise RulesetError(_("cannot read the ruleset: {value}").format(
                value=os_reason(exc)), file=file) from None
    try:
        # utf-8-sig: a byte-order mark, as Windows Notepad saves UTF-8, is not part of the text.
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text, parse_float=Decimal)
    except UnicodeDecodeError as exc:
        from qscore.toml_hints import decode_message  # the hints are read only for a file that fails

        raise RulesetError(decode_message(raw, exc), file=file) from None
    except tomllib.TOMLDecodeError as exc:
        from qscore.toml_hints import syntax_message

        raise RulesetError(syntax_message(text, exc, _INDICATOR_ONLY), file=file) from None
    except ValueError:  # int() refuses a whole number of thousands of digits
        raise RulesetError(_("a whole number has thousands of digits; figures are below {NUMBER_LIMIT:,.0f}").format(
                NUMBER_LIMIT=NUMBER_LIMIT),
                           file=file) from None
    except RecursionError:
        raise RulesetError(_("not valid TOML: arrays or tables nested too deeply"), file=file) from None
    try:
        return parse_ruleset(data, rule_types, file=file, target_kinds=target_kinds)
    except RulesetError as exc:
        raise exc.located(file=file) from None


@attrs.frozen
class RulesetEntry:
    """A registered ruleset.

    :param ruleset: the ruleset.
    :param plugin: the plug-in that registered it.
    """

    ruleset: Ruleset
    plugin: str


#: A ruleset's top-level ``id = "…"``, read without parsing the file.
_ID_LINE = re.compile(r"""^[ \t]*id[ \t]*=[ \t]*(?:"([^"\\\n]+)"|'([^'\n]+)')[ \t]*(?:#.*)?$""")


@attrs.frozen
class PendingRuleset:
    """A ruleset file a plug-in registered, loaded when it is first needed.

    :param source: the file (a path, or a resource inside a package).
    :param plugin: the plug-in that registered it.
    """

    source: Path | Traversable
    plugin: str

    def declared_id(self) -> str | None:
        """The ``id`` the file declares at its top level, read from its text alone (before
        any table header), or ``None`` when it cannot be read that way."""
        try:
            text = self.source.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        for line in text.splitlines():
            if line.lstrip().startswith("["):
                return None
            match = _ID_LINE.match(line)
            if match:
                return match.group(1) or match.group(2)
        return None


class RulesetRegister:
    """What ``qscore_register_rulesets`` receives.

    ``register.package(__name__)`` registers every ``rulesets/*.toml`` file inside a
    plug-in package, which is how ``qscore new-plugin`` and the seed jurisdictions lay
    them out; ``register(path)`` one ruleset file (or a :class:`Ruleset`);
    ``register.directory(path)`` every ``*.toml`` file of a folder.  Files are loaded
    when a ruleset is first needed (:class:`~qscore.plugins.manager.Catalog`), so a run
    loads only the ruleset it scores.
    """

    def __init__(self, registered: list[PendingRuleset | RulesetEntry], plugin: str) -> None:
        self._registered, self.plugin = registered, plugin

    def __call__(self, source: str | os.PathLike[str] | Traversable | Ruleset) -> None:
        if isinstance(source, Ruleset):
            self._registered.append(RulesetEntry(source, self.plugin))
        elif not isinstance(source, (str, os.PathLike, Traversable)):
            raise PluginError(_("register() takes a ruleset file's path or a qscore.Ruleset, got {source!r}").format(
                source=source), plugin=self.plugin)
        else:
            self._registered.append(PendingRuleset(Path(source) if isinstance(source, (str, os.PathLike)) else source,
                                                   self.plugin))

    def directory(self, folder: str | os.PathLike[str] | Traversable) -> None:
        """Register every ``*.toml`` file in ``folder`` (not its sub-folders), by name order."""
        root = Path(folder) if isinstance(folder, (str, os.PathLike)) else folder
        for entry in sorted((entry for entry in root.iterdir() if entry.name.endswith(".toml") and entry.is_file()),
                            key=lambda entry: entry.name):
            self(entry)

    def package(self, package: str) -> None:
        """Register every ``*.toml`` file in the ``rulesets`` folder of ``package`` (a
        plug-in's own ``__name__``), read through :mod:`importlib.resources`."""
        self.directory(resources.files(package).joinpath("rulesets"))


def parse_ruleset(data: Mapping[str, Any], rule_types: RuleTypes, *, file: str | None = None,
                  target_kinds: TargetKinds = TARGET_KINDS) -> Ruleset:
    """Build a :class:`Ruleset` from parsed TOML (or any mapping of the same shape).

    :raises RulesetError: carrying every problem found, up to :data:`PROBLEM_LIMIT`.
    """
    reader = _Reader(rule_types, target_kinds)
    try:
        ruleset = reader.ruleset(data, file)
    except _TooMany:
        raise RulesetError.of(reader.problems, more=True) from None
    if reader.problems or ruleset is FAILED:
        raise RulesetError.of(reader.problems)
    return ruleset


class _Failed(enum.Enum):
    """A value that could not be read; its problem is noted already."""

    FAILED = enum.auto()


FAILED: Final = _Failed.FAILED
Failed = Literal[_Failed.FAILED]


class _TooMany(Exception):
    """The problem limit is passed: stop reading."""


class _Reader:
    """Reads one parsed ruleset, noting every problem rather than stopping at the first.

    Each ``read``-style method returns the value, or :data:`FAILED` once its problem is
    noted; an object is built only from values that were read, so that one broken
    value is reported once, not again by everything built on it.
    """

    def __init__(self, rule_types: RuleTypes, target_kinds: TargetKinds) -> None:
        self.rule_types, self.target_kinds = rule_types, target_kinds
        self.problems: list[Problem] = []

    # -- noting problems ------------------------------------------------------------------

    def problem(self, message: str, table: str | None, field: str | None = None) -> Failed:
        if len(self.problems) == PROBLEM_LIMIT:
            raise _TooMany
        self.problems.append(Problem(message, table, field))
        return FAILED

    def construct(self, cls: Callable[..., T], table: str | None, prefix: str | None = None,
                  **values: Any) -> T | Failed:
        """``cls(**values)``, or FAILED with every bad field noted.

        For classes without converters (qscore's value objects, target shapes) each
        field's validator is run on its own first, so that all bad fields are reported;
        then the object is built, which runs the checks across fields.  Values that are
        FAILED are not checked again and the object is not built.
        """
        fields: Sequence[attrs.Attribute] = attrs.fields(cast(type, cls))
        absent = [a.name for a in fields if a.default is attrs.NOTHING and a.name not in values]
        for name in absent:
            self.problem(_("is required"), table, _dotted(prefix, name))
        ok = not absent and self._fields_valid(fields, table, prefix, values)
        if not ok or any(value is FAILED for value in values.values()):
            return FAILED
        try:
            return cls(**values)
        except RulesetError as exc:
            for problem in exc.located(table=table).problems:
                self.problem(problem.message, problem.table, problem.field)
        except (TypeError, ValueError) as exc:
            self.problem(_attrs_message(exc), table, _attrs_field(exc, prefix))
        return FAILED

    def _fields_valid(self, fields: Sequence[attrs.Attribute], table: str | None, prefix: str | None,
                      values: Mapping[str, Any]) -> bool:
        if any(a.converter is not None for a in fields):
            return True  # validators see converted values: leave it to the constructor
        given = {name: value for name, value in values.items() if value is not FAILED}
        stand_in = SimpleNamespace(**{**{a.name: _default(a) for a in fields}, **given})
        ok = True
        for attribute in fields:
            if attribute.validator is None or attribute.name not in given:
                continue
            try:
                attribute.validator(stand_in, attribute, given[attribute.name])
            except (TypeError, ValueError) as exc:
                self.problem(_attrs_message(exc), table, _dotted(prefix, attribute.name))
                ok = False
        return ok

    # -- plain values ---------------------------------------------------------------------

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], table: str | None) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown and _indicator_keys_astray(unknown, table):
            # In file order (tomllib keeps it), so that the first names the line above which
            # the [[indicators]] line belongs.
            astray = [key for key in data if key not in allowed]
            self.problem(_("the keys {astray} belong to an indicator: an [[indicators]] line "
                         "is probably missing above {astray2!r}").format(
                    astray=', '.join(map(repr, astray)), astray2=astray[0]), table, astray[0])
        elif unknown:
            self.problem(_("unknown key(s) {unknown}; allowed: {allowed}").format(
                    unknown=', '.join(map(repr, unknown)), allowed=', '.join(sorted(allowed))),
                         table)

    def required(self, data: Mapping[str, Any], key: str, table: str | None, kind: type) -> Any:
        if key not in data:
            return self.problem(_("is required"), table, key)
        value = data[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            return self.problem(_("expected {value}, got {value2!r}").format(
                    value=_("an integer") if kind is int else _("a string"), value2=value), table, key)
        return value

    def optional(self, data: Mapping[str, Any], key: str, table: str | None, kind: type, default: Any = None) -> Any:
        return self.required(data, key, table, kind) if key in data else default

    def number(self, data: Mapping[str, Any], key: str, table: str | None, field: str | None = None) -> Any:
        """The decimal at ``key``, ``None`` where there is none."""
        if key not in data:
            return None
        try:
            return to_decimal(data[key])
        except (TypeError, ValueError) as exc:
            return self.problem(str(exc), table, field or key)

    def values(self, raw: Mapping[str, Any], keys: set[str], table: str, *numbers: str) -> dict[str, Any]:
        """The known keys of a plain table, the ``numbers`` among them read as decimals."""
        return {key: self.number(raw, key, table) if key in numbers else value
                for key, value in raw.items() if key in keys}

    def strings(self, data: Mapping[str, Any], key: str, table: str | None) -> tuple[str, ...] | Failed:
        value = data.get(key, [])
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            return self.problem(_("expected a string or a list of strings"), table, key)
        return tuple(value)

    def units(self, data: Mapping[str, Any], key: str, table: str | None) -> tuple[str, ...] | Failed:
        """Unit names, normalised as the data's unit names are."""
        names = self.strings(data, key, table)
        return FAILED if names is FAILED else tuple(map(normalise, names))

    def tables(self, data: Mapping[str, Any], key: str, parent: str | None = None) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            where = f"{parent}.{key}" if parent else key
            self.problem(_("expected an array of tables ([[{where}]])").format(
                    where=where), parent, key)
            return []
        return value

    def element(self, raw: Any, kind: str, number: int, keys: set[str]) -> str | None:
        """The label of an array element for messages, ``indicators[3] (食品抽检合格率)``,
        once its keys are checked; ``None`` when it is not a table."""
        table = f"{kind}[{number}]"
        if not isinstance(raw, Mapping):
            self.problem(_("expected a table"), table)
            return None
        if isinstance(raw.get("name"), str):
            table = f"{kind}[{number}] ({raw['name']})"
        self.unknown_keys(raw, keys, table)
        return table

    def section(self, raw: Any, table: str, keys: set[str], expected: str | None = None) -> bool:
        """Whether a ``[table]`` is a table (its keys checked)."""
        if not isinstance(raw, Mapping):
            self.problem(expected or _("expected a table"), table)
            return False
        self.unknown_keys(raw, keys, table)
        return True

    def not_a_mark(self, name: Any, what: str, table: str, field: str) -> None:
        if isinstance(name, str) and (is_missing(name) or is_exempt(name)):
            mark = _("no-data") if is_missing(name) else _("exempt (不适用)")
            self.problem(_("{what} {name!r} reads as the {mark} mark in a data cell; give the {what} another name").format(
                    what=what, name=name, mark=mark),
                         table, field)

    # -- the ruleset ----------------------------------------------------------------------

    def ruleset(self, data: Mapping[str, Any], file: str | None) -> Ruleset | Failed:
        self.unknown_keys(data, TOP_KEYS, None)
        schema = data.get("schema", SCHEMA)
        if schema != SCHEMA:  # another schema's keys mean other things: read no further
            return self.problem(_("schema {schema!r} is not supported; this qscore reads schema {SCHEMA}").format(
                    schema=schema, SCHEMA=SCHEMA),
                                None, "schema")
        top = {key: self.required(data, key, None, kind) for key, kind in
               (("id", str), ("title", str), ("jurisdiction", str), ("base_year", int), ("horizon_year", int))}
        for key in ("base_year", "horizon_year"):
            # 20277 for 2027 would stretch the path to the target over eighteen millennia.
            top[key] = self.plan_year(top[key], key, None)
        base, horizon = top["base_year"], top["horizon_year"]
        if isinstance(base, int) and isinstance(horizon, int) and horizon < base:
            # Checked here, not left to the Ruleset, so that it is reported even where no
            # indicator loads and the Ruleset cannot be built.
            top["horizon_year"] = self.problem(_("horizon_year {horizon} is before base_year {base}").format(
                    horizon=horizon, base=base),
                                               None, "horizon_year")
        years = _Years(base, top["horizon_year"])
        fields = {key: data[key] for key in ("level", "missing") if key in data}
        fields.update({key: self.required(data, key, None, str) for key in ("unit_kind", "source") if key in data})
        if "scale_to" in data:
            fields["scale_to"] = self.number(data, "scale_to", None)
        if "default_year" in data:
            fields["default_year"] = self.required(data, "default_year", None, int)
        assumptions = self.strings(data, "assumptions", None)
        rounding = self.rounding(data.get("rounding", {}))
        roster = self.roster(data.get("roster"))
        raw_categories, raw_indicators = self.tables(data, "categories"), self.tables(data, "indicators")
        declared = _Declared(_ids(raw_categories), _ids(raw_indicators))
        categories = self.each(raw_categories, "categories", self.category, _Unique("id", "name"))
        indicators = self.each(raw_indicators, "indicators",
                               functools.partial(self.indicator, declared=declared, years=years, roster=roster),
                               _Unique("id", "name"))
        adjustments = self.adjustments(data.get("adjustments", {}))
        classification = self.classification(data.get("classification"))
        ranking = self.ranking(data.get("ranking", {}), declared)
        examples = self.each(self.tables(data, "examples"), "examples",
                             functools.partial(self.example, declared=declared, years=years), _Unique("name"))
        # The ruleset is built from what was read, broken parts left at their defaults, so
        # that its own checks (its id, the years) run even where a table failed; it is
        # returned only if nothing failed.
        parts = {"assumption_ranges": self.assumption_ranges(data.get("assumption_ranges"), declared, data),
                 "assumptions": assumptions, "rounding": rounding, "roster": roster, "adjustments": adjustments,
                 "classification": classification, "ranking": ranking, **fields}
        loaded = [i for i in indicators if i is not FAILED]
        if not raw_indicators and isinstance(data.get("indicators", []), list):
            self.problem(_("expected at least one [[indicators]] table"), None, "indicators")
        if loaded and len(loaded) == len(indicators) and isinstance(adjustments, Adjustments):
            self.total_floor(adjustments, fields.get("scale_to") or sum((i.points for i in loaded), ZERO))
        return self.construct(
            Ruleset, None, **top, **{key: value for key, value in parts.items() if value is not FAILED},
            categories=tuple(c for c in categories if c is not FAILED),
            indicators=tuple(loaded) if loaded else FAILED,
            examples=tuple(e for e in examples if e is not FAILED), file=file)

    def each(self, raws: list[Any], kind: str, read: Callable[[Any, str, int], T | Failed],
             unique: _Unique) -> list[T | Failed]:
        """Each element of the array of tables ``kind`` read, and its id and name checked
        against the elements before it."""
        out = []
        for number, raw in enumerate(raws, 1):
            out.append(read(raw, kind, number))
            unique.check(self, raw, f"{kind}[{number}]")
        return out

    def category(self, raw: Any, kind: str, number: int) -> Category | Failed:
        table = self.element(raw, kind, number, CATEGORY_KEYS)
        if table is None:
            return FAILED
        return self.construct(Category, table, **self.values(raw, CATEGORY_KEYS, table, "points"))

    def indicator(self, raw: Any, kind: str, number: int, *, declared: _Declared, years: _Years,
                  roster: Roster | None | Failed) -> Indicator | Failed:
        table = self.element(raw, kind, number, INDICATOR_KEYS)
        if table is None:
            return FAILED
        identifier, name = self.required(raw, "id", table, str), self.required(raw, "name", table, str)
        points = self.number(raw, "points", table) if "points" in raw else self.problem(_("is required"), table,
                                                                                        "points")
        direction = raw.get("direction", "higher")
        target = self.target(raw, table, count=raw.get("unit") in COUNT_UNITS, direction=direction)
        # The rule is bound to the indicator's full marks and direction: with either
        # broken, only its type and parameters can be checked.
        bindable = points is not FAILED and points >= 0 and direction in DIRECTIONS
        rule = self.rule(raw.get("rule"), table, bindable, full=points, direction=direction,
                         strict=bool(getattr(target, "strict", False)))
        if isinstance(rule, Rule) and rule.uses_target and target is None:
            self.problem(_("rule '{type}' compares with a target, but none is given").format(
                    type=rule.type), table, "target")
        applies_to = self.units(raw, "applies_to", table)
        if isinstance(roster, Roster) and applies_to is not FAILED:
            self.on_roster(applies_to, roster, table)
        baseline = self.number(raw, "baseline", table)
        change = raw.get("change", False)
        if not isinstance(change, bool):
            change = self.problem(_("expected {value}, got {params!r}").format(value=_("true or false"), params=change),
                                  table, "change")
        if raw.get("unit") in PERCENT_UNITS and change is False:
            baseline = self.percentage(baseline, table, "baseline")
            if isinstance(target, Target) and target.kind in ("value", "maintain", "top"):
                self.percentage(getattr(target, "value", None), table, "target")
        return self.construct(
            Indicator, table, id=identifier, name=name, category=self.category_of(raw, table, declared),
            unit=self.optional(raw, "unit", table, str, ""), direction=direction,
            baseline=baseline, baseline_year=self.baseline_year(raw, table, years),
            target=target, lead=self.optional(raw, "lead", table, str, ""), points=points, rule=rule,
            missing=raw.get("missing"), aliases=self.strings(raw, "aliases", table), applies_to=applies_to,
            notes=self.strings(raw, "notes", table), source=self.optional(raw, "source", table, str, ""),
            change=change)

    def category_of(self, raw: Mapping[str, Any], table: str, declared: _Declared) -> str | None | Failed:
        category = self.optional(raw, "category", table, str)
        if isinstance(category, str) and category not in declared.categories:
            known = ", ".join(sorted(declared.categories)) or "none declared"
            return self.problem(_("category {category!r} is not among [[categories]] ({known})").format(
                    category=category, known=known), table, "category")
        return category

    def percentage(self, figure: Any, table: str, field: str) -> Any:
        """``figure`` when it lies in 0–100, as a % value in the data must (or was not
        read), else FAILED with the problem noted: a target of 150 % no unit could reach."""
        if isinstance(figure, Decimal) and not 0 <= figure <= 100:
            return self.problem(_("{figure} is outside 0–100, where a percentage lies (as the data's % values must); "
                                  "check it for a typing error (98.5, not 985)").format(
                figure=fmt(figure)), table, field)
        return figure

    def plan_year(self, year: Any, key: str, table: str | None) -> Any:
        """``year`` when it is one a plan can have (or was not read), else FAILED with the
        problem noted as a typing error."""
        if isinstance(year, int) and not PLAN_YEARS[0] <= year <= PLAN_YEARS[1]:
            return self.problem(_("{key} {year} is outside {first}–{last}, the years a plan can have; check it for a "
                                  "typing error").format(key=key, year=year, first=PLAN_YEARS[0], last=PLAN_YEARS[1]),
                                table, key)
        return year

    def baseline_year(self, raw: Mapping[str, Any], table: str, years: _Years) -> int | None | Failed:
        year = self.plan_year(self.optional(raw, "baseline_year", table, int), "baseline_year", table)
        if isinstance(year, int) and isinstance(years.horizon, int) and year > years.horizon:
            return self.problem(_("baseline_year {year} comes after the horizon year {horizon}").format(
                    year=year, horizon=years.horizon),
                                table, "baseline_year")
        return year

    def on_roster(self, units: tuple[str, ...], roster: Roster, table: str) -> None:
        for unit in units:
            if unit not in roster.units:
                close = difflib.get_close_matches(unit, roster.units, n=3, cutoff=0.5)
                hint = _("; did you mean {names}?").format(names=" / ".join(close)) if close else ""
                self.problem(_("{unit!r} is not a unit of the [roster]{hint}").format(
                        unit=unit, hint=hint), table, "applies_to")

    def target(self, indicator: Mapping[str, Any], table: str, *, count: bool = False,
               direction: str = "higher") -> Target | None | Failed:
        """The indicator's target.  A count's interim points are whole (``interim = "up"``)
        unless the target says otherwise; a shape with a ``direction`` (``top``) takes the
        indicator's."""
        raw = indicator.get("target")
        if raw is None:
            return None
        interim: dict[str, Interim] = {"interim": "up"} if count else {}
        if not isinstance(raw, Mapping):
            value = self.number(indicator, "target", table)
            return value if value is FAILED else Absolute(value=value, interim="up" if count else "none")
        params = dict(raw)
        kind = params.pop("kind", "value")
        shape = self.target_kinds.get(kind)
        if shape is None:
            return self.problem(_("unknown target kind {kind!r}; expected one of {target_kinds}").format(
                    kind=kind, target_kinds=', '.join(self.target_kinds)),
                                table, "target.kind")
        fields = {a.name for a in attrs.fields(shape)}
        allowed = fields - {"direction"}
        unknown = sorted(set(params) - allowed)
        if unknown:
            return self.problem(_("unknown key(s) {unknown} for a '{kind}' target; "
                                "allowed: kind, {allowed}").format(
                    unknown=', '.join(map(repr, unknown)), kind=kind,
                    allowed=', '.join(sorted(allowed))), table, "target")
        for key in TARGET_NUMBERS & set(params):
            params[key] = self.number(params, key, table, f"target.{key}")
        for key, kind in (("text", str), ("strict", bool)):
            if key in params and not isinstance(params[key], kind):
                params[key] = self.problem(_("expected {value}, "
                                           "got {params!r}").format(
                        value=_("a string") if kind is str else _("true or false"),
                        params=params[key]), table, f"target.{key}")
        defaults = {**({"direction": direction} if "direction" in fields and direction in DIRECTIONS else {}),
                    **(interim if "interim" in fields else {})}
        return self.construct(shape, table, "target", **{**defaults, **params})

    def rule(self, raw: Any, table: str, bindable: bool, **bound: Any) -> Rule | Failed:
        if raw is None:
            return self.problem(_("is required"), table, "rule")
        if isinstance(raw, str):
            raw = {"type": raw}
        if not isinstance(raw, Mapping) or "type" not in raw:
            return self.problem(_("expected a rule type name or a table with 'type'"), table, "rule")
        params = dict(raw)
        type_id = params.pop("type")
        rule_type = self.rule_types.get(type_id)
        if rule_type is None:
            return self.problem(_("unknown rule type {type_id!r}; known: {rule_types}").format(
                    type_id=type_id, rule_types=', '.join(sorted(self.rule_types))),
                                table, "rule.type")
        unknown = set(params) - set(rule_type.parameters())
        if unknown:
            allowed = ", ".join(rule_type.parameters()) or "none"
            return self.problem(_("unknown parameter(s) {unknown} for rule '{type_id}'; "
                                "it takes: {allowed}").format(
                    unknown=', '.join(sorted(unknown)), type_id=type_id, allowed=allowed), table, "rule")
        if not bindable:
            return FAILED
        return self.construct(rule_type, table, "rule", **params, **bound)

    def adjustments(self, raw: Any) -> Adjustments | Failed:
        if not self.section(raw, "adjustments", ADJUSTMENT_KEYS):
            return FAILED
        items: dict[str, Any] = {}
        unique = _Unique("id", "name")  # one header names one item, whatever its kind
        for kind in ITEM_KINDS:
            read = self.each(self.tables(raw, kind, "adjustments"), f"adjustments.{kind}", self.item, unique)
            items[kind] = FAILED if FAILED in read else tuple(read)
        caps = {key: self.number(raw, key, "adjustments") for key in ("bonus_cap", "deduction_cap", "total_floor")
                if key in raw}
        return self.construct(Adjustments, "adjustments", **items, **caps)

    def total_floor(self, adjustments: Adjustments, full_marks: Any) -> None:
        """A floor above the full marks would raise every unit's total to it: every unit
        equal, whatever its data."""
        floor = adjustments.total_floor
        if floor is not None and isinstance(full_marks, Decimal) and floor > full_marks:
            self.problem(_("total_floor {floor} is above the full marks {full}: every unit's total would be raised "
                           "to it, whatever its data; the floor is the least a total may be after deductions, "
                           "such as 0").format(floor=fmt(floor), full=fmt(full_marks)), "adjustments", "total_floor")

    def assumption_ranges(self, raw: Any, declared: _Declared,
                          data: Mapping[str, Any]) -> AssumptionRanges | None | Failed:
        """``[assumption_ranges]``: how far our own figures may be off; ``fixed`` names
        indicators and items (by id) whose points the plan states."""
        table = "assumption_ranges"
        if raw is None:
            return None
        if not self.section(raw, table, ASSUMPTION_RANGE_KEYS):
            return FAILED
        adjustments = data.get("adjustments", {})
        items = frozenset().union(*(_ids(adjustments.get(kind, [])) for kind in ITEM_KINDS
                                    if isinstance(adjustments, Mapping) and isinstance(adjustments.get(kind), list)))
        fixed = self.strings(raw, "fixed", table)
        if fixed is not FAILED:
            for name in fixed:
                if name not in declared.indicators | items:
                    fixed = self.problem(_("{name!r} is not the id of an indicator or a bonus or deduction item").format(
                            name=name),
                                         table, "fixed")
        return self.construct(AssumptionRanges, table, **self.values(raw, ASSUMPTION_RANGE_KEYS - {"fixed"}, table,
                                                                      "points", "cutoffs", "bonus"), fixed=fixed)

    def item(self, raw: Any, kind: str, number: int) -> Item | Failed:
        table = self.element(raw, kind, number, ITEM_KEYS)
        if table is None:
            return FAILED
        self.not_a_mark(raw.get("name"), _("item"), table, "name")
        return self.construct(Item, table, **self.values(raw, ITEM_KEYS, table, "points", "cap"))

    def classification(self, raw: Any) -> Classification | None | Failed:
        if raw is None:
            return None
        if not self.section(raw, "classification", {"by", "grades"}):
            return FAILED
        grades = [self.grade(g, n) for n, g in enumerate(self.tables(raw, "grades", "classification"), 1)]
        by = raw.get("by", "score")
        # Which key each class must set depends on 'by': with 'by' broken, only it is reported.
        usable = by in CLASSIFY_BY and FAILED not in grades
        return self.construct(Classification, "classification", by=by,
                              grades=tuple(grades) if usable else FAILED)

    def grade(self, raw: Any, number: int) -> Grade | Failed:
        table = self.element(raw, "classification.grades", number, GRADE_KEYS)
        if table is None:
            return FAILED
        return self.construct(Grade, table, **self.values(raw, GRADE_KEYS, table, "min_score", "share"))

    def ranking(self, raw: Any, declared: _Declared) -> Ranking | Failed:
        if not self.section(raw, "ranking", {"tie_break"}):
            return FAILED
        tie_break = self.strings(raw, "tie_break", "ranking")
        known = declared.categories | declared.indicators
        unknown = [name for name in (() if tie_break is FAILED else tie_break) if name not in known]
        for name in unknown:
            self.problem(_("{name!r} is not a category or indicator id; known: {known}").format(
                    name=name, known=', '.join(sorted(known))),
                         "ranking", "tie_break")
        return self.construct(Ranking, "ranking", tie_break=FAILED if unknown else tie_break)

    def rounding(self, raw: Any) -> Rounding | Failed:
        if not self.section(raw, "rounding", ROUNDING_KEYS):
            return FAILED
        return self.construct(Rounding, "rounding", **self.values(raw, ROUNDING_KEYS, "rounding"))

    def roster(self, raw: Any) -> Roster | None | Failed:
        if raw is None:
            return None
        if not self.section(raw, "roster", ROSTER_KEYS, _("expected a table with 'units', 'source' and 'as_of'")):
            return FAILED
        return self.construct(Roster, "roster", units=self.units(raw, "units", "roster"),
                              source=self.optional(raw, "source", "roster", str, ""),
                              as_of=self.optional(raw, "as_of", "roster", str, ""))

    def example(self, raw: Any, kind: str, number: int, *, declared: _Declared, years: _Years) -> Example | Failed:
        table = self.element(raw, kind, number, EXAMPLE_KEYS)
        if table is None:
            return FAILED
        values: dict[str, Any] = {}
        for key in ("inputs", "points"):
            given = raw.get(key, {})
            if not isinstance(given, Mapping):
                values[key] = self.problem(_("expected a table of column = value"), table, key)
        if "inputs" not in values:
            cells = [(str(k), self.cell_text(v, table, f"inputs.{k}")) for k, v in raw.get("inputs", {}).items()]
            values["inputs"] = FAILED if any(text is FAILED for _, text in cells) else tuple(cells)
        if "points" not in values:
            values["points"] = self.example_points(raw.get("points", {}), table, declared)
        year = raw.get("year")
        if isinstance(year, int) and isinstance(years.base, int) and year < years.base:
            year = self.problem(_("year {year} comes before the plan's base year {base}").format(
                    year=year, base=years.base), table, "year")
        return self.construct(Example, table, **self.values(raw, {"name"}, table), **values,
                              total=self.number(raw, "total", table), tier=raw.get("tier"), year=year)

    def example_points(self, points: Mapping[str, Any], table: str,
                       declared: _Declared) -> tuple[tuple[str, Decimal], ...] | Failed:
        read, ok = [], True
        for indicator_id in points:
            if indicator_id not in declared.indicators:
                self.problem(_("{indicator_id!r} is not an indicator id; known: "
                             "{indicators}").format(
                        indicator_id=indicator_id,
                        indicators=', '.join(sorted(declared.indicators))), table, f"points.{indicator_id}")
                ok = False
                continue
            read.append((indicator_id, self.number(points, indicator_id, table, f"points.{indicator_id}")))
            ok = ok and read[-1][1] is not FAILED
        return tuple(read) if ok else FAILED

    def cell_text(self, value: Any, table: str, field: str) -> str | Failed:
        """A TOML value as the text of a spreadsheet cell, so examples go through the data binder."""
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, Decimal):
            # Bounded first: 1e999999999 written out is a gigabyte.
            problem = number_problem(value, str(value), N_("a ruleset figure"))
            return self.problem(problem, table, field) if problem else f"{value:f}"
        if isinstance(value, (int, str)):
            return str(value)
        return self.problem(_("expected a number or text, got {value!r}").format(
                value=value), table, field)


@attrs.frozen
class _Years:
    """The plan's years as the file gives them (anything, where they are broken)."""

    base: Any
    horizon: Any


@attrs.frozen
class _Declared:
    """The category and indicator ids the file declares, whether or not their tables
    load: references are checked against these, so one broken table causes no echoes."""

    categories: frozenset[str]
    indicators: frozenset[str]


def _indicator_keys_astray(unknown: Sequence[str], table: str | None) -> bool:
    """Whether keys unknown to ``table`` are an indicator's, written without their
    ``[[indicators]]`` line so that they land in the table above (or the top level)."""
    return (not (table or "").startswith("indicators[") and bool({"name", "points", "rule"} & set(unknown))
            and set(unknown) <= INDICATOR_KEYS)


def _ids(raws: Iterable[Any]) -> frozenset[str]:
    return frozenset(raw["id"] for raw in raws if isinstance(raw, Mapping) and isinstance(raw.get("id"), str))


class _Unique:
    """Ids and names already used in one array of tables (or one group of them, such as
    all bonus, deduction and veto items).  Names are compared as data is read."""

    def __init__(self, *keys: str) -> None:
        self.keys = keys
        self.seen: dict[tuple[str, str], tuple[str, str]] = {}  # (key, folded) -> (table, as written)

    def check(self, reader: _Reader, raw: Any, path: str) -> None:
        if not isinstance(raw, Mapping):
            return
        table = f"{path} ({raw['name']})" if isinstance(raw.get("name"), str) else path
        for key in self.keys:
            value = raw.get(key)
            if not isinstance(value, str):
                continue
            first, written = self.seen.setdefault((key, value if key == "id" else normalise(value)), (path, value))
            if first == path:
                continue
            how = "" if written == value else _(", as {written!r} (names are compared as data is read)").format(written=written)
            reader.problem(_("{key} {value!r} is also used by {first}{how}").format(
                    key=key, value=value, first=first, how=how), table, key)


# -- small helpers -----------------------------------------------------------------------

def _dotted(prefix: str | None, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _default(attribute: attrs.Attribute) -> Any:
    """A field's default as a stand-in value (``None`` for a field without one)."""
    default: Any = attribute.default
    if default is attrs.NOTHING:
        return None
    factory = getattr(default, "factory", None)
    return factory() if callable(factory) and not getattr(default, "takes_self", False) else default


#: attrs' own messages for a number or a length out of bounds (it gives no parts for them).
_ATTRS_BOUND = re.compile(r"^(?P<length>Length of )?'(?P<name>[^']+)' must be (?P<op><=|>=|<|>) (?P<bound>.+): "
                          r"(?P<value>.*)$", re.DOTALL)
_RELATIONS = {"<=": N_("at most"), ">=": N_("at least"), "<": N_("less than"), ">": N_("more than")}
#: What each id pattern of the model allows, in words.
_ID_FORMS = {r"^[A-Za-z][A-Za-z0-9_\-]*$": N_("an id is ASCII letters, digits, '_' or '-', starting with a letter, "
                                               "such as food_pass_rate"),
             r"^[a-z0-9][a-z0-9_.\-]*$": N_("a ruleset id is lower-case ASCII letters, digits, '.', '_' or '-', such "
                                             "as shizhu-township")}


def _attrs_message(exc: Exception) -> str:
    """An attrs validator's complaint in qscore's words (and language).

    attrs puts ``(message, attribute, expected, value)`` in the arguments of a choice, a
    pattern or a type it refuses, and only an English sentence for a number or length
    out of bounds, which is read back here.
    """
    message = str(exc.args[0]) if exc.args else str(exc)
    if len(exc.args) == 4 and hasattr(exc.args[1], "name"):
        name, expected, value = exc.args[1].name, exc.args[2], exc.args[3]
        if isinstance(expected, re.Pattern):
            form = _ID_FORMS.get(expected.pattern)
            return (_("{value!r} is not allowed for '{name}': {form}").format(value=value, name=name, form=_(form))
                    if form else message)
        if " must be in " in message:
            return _("'{name}' must be one of {options}, got {value!r}").format(
                name=name, options=", ".join(map(repr, expected)), value=value)
        return message
    bound = _ATTRS_BOUND.match(message)
    if bound is None:
        return message
    relation = _(_RELATIONS[bound["op"]])
    if not bound["length"]:
        return _("'{name}' must be {relation} {bound}, got {value}").format(
            name=bound["name"], relation=relation, bound=bound["bound"], value=bound["value"])
    if (bound["op"], bound["bound"]) == (">=", "1"):
        return _("'{name}' must not be empty").format(name=bound["name"])
    return _("'{name}' must hold {relation} {bound} entries, got {value}").format(
        name=bound["name"], relation=relation, bound=bound["bound"], value=bound["value"])


def _attrs_field(exc: Exception, prefix: str | None) -> str | None:
    attribute = exc.args[1] if len(exc.args) > 1 else None
    name = getattr(attribute, "name", None)
    if name is None:
        return prefix
    return _dotted(prefix, name)

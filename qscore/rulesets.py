"""Reading ruleset files (TOML) into validated :class:`~qscore.model.Ruleset` objects.

The schema is documented field by field in ``docs/rulesets.md``.  Every error names the
file, the table and the field, and unknown keys are refused so that a typo never passes
silently.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import attrs

from qscore.errors import RulesetError
from qscore.model import (Adjustments, Category, Classification, Example, Grade, Indicator, Item,
                          Ranking, Roster, Rounding, Ruleset)
from qscore.limits import NUMBER_LIMIT
from qscore.numbers import to_decimal
from qscore.rules.base import Rule, RuleTypes
from qscore.registry import Registry
from qscore.targets import TARGET_KINDS, Absolute, Target, TargetKinds

T = TypeVar("T")

TOP_KEYS = {"schema", "id", "title", "jurisdiction", "level", "unit_kind", "base_year",
            "horizon_year", "source", "missing", "scale_to", "assumptions", "rounding", "ranking",
            "classification", "categories", "indicators", "adjustments", "roster", "examples"}
ROSTER_KEYS = {"units", "source", "as_of"}
INDICATOR_KEYS = {"id", "name", "category", "unit", "direction", "baseline", "baseline_year",
                  "target", "lead", "points", "rule", "missing", "aliases", "applies_to", "notes",
                  "source"}
ITEM_KEYS = {"id", "name", "points", "cap", "source"}
EXAMPLE_KEYS = {"name", "year", "inputs", "points", "total", "tier"}
SCHEMA = 1


def load_ruleset(source: str | os.PathLike[str] | Traversable, rule_types: RuleTypes,
                 target_kinds: TargetKinds = TARGET_KINDS) -> Ruleset:
    """Read and validate a ruleset file.

    :param source: a ``.toml`` ruleset file: a path, or a resource inside a package
        (``importlib.resources.files(...)``), which also works from a zipped install.
    :param rule_types: rule type id → class, as registered by plug-ins.
    :param target_kinds: target kind → shape, as registered by plug-ins.
    :raises RulesetError: naming the file, table and field of the first problem.
    """
    if isinstance(source, (str, os.PathLike)):
        source = Path(source)
    file = str(source)
    try:
        data = tomllib.loads(source.read_bytes().decode("utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise RulesetError(f"cannot read the ruleset: {exc.strerror or exc}", file=file) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesetError(f"not valid TOML: {exc}", file=file) from None
    except ValueError:  # int() refuses a whole number of thousands of digits
        raise RulesetError(f"a whole number has thousands of digits; figures are below {NUMBER_LIMIT:,.0f}",
                           file=file) from None
    except RecursionError:
        raise RulesetError("not valid TOML: arrays or tables nested too deeply", file=file) from None
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


class RulesetRegister:
    """What ``qscore_register_rulesets`` receives.

    ``register(path)`` registers one ruleset file (or a :class:`Ruleset`);
    ``register.package(__name__)`` registers every ``rulesets/*.toml`` file inside a
    plug-in package, which is how ``qscore new-plugin`` and the seed jurisdictions lay
    them out.
    """

    def __init__(self, registry: Registry[RulesetEntry], rule_types: RuleTypes, target_kinds: TargetKinds,
                 plugin: str) -> None:
        self._registry, self._rule_types, self._target_kinds, self.plugin = registry, rule_types, target_kinds, plugin

    def __call__(self, source: str | os.PathLike[str] | Traversable | Ruleset) -> Ruleset:
        ruleset = source if isinstance(source, Ruleset) else load_ruleset(source, self._rule_types,
                                                                           self._target_kinds)
        self._registry.add(ruleset.id, RulesetEntry(ruleset, self.plugin), self.plugin)
        return ruleset

    def directory(self, folder: str | os.PathLike[str] | Traversable) -> list[Ruleset]:
        """Register every ``*.toml`` file in ``folder`` (not its sub-folders), by name order."""
        root = Path(folder) if isinstance(folder, (str, os.PathLike)) else folder
        files = sorted((entry for entry in root.iterdir() if entry.name.endswith(".toml") and entry.is_file()),
                       key=lambda entry: entry.name)
        return [self(entry) for entry in files]

    def package(self, package: str) -> list[Ruleset]:
        """Register every ``*.toml`` file in the ``rulesets`` folder of ``package`` (a
        plug-in's own ``__name__``), read through :mod:`importlib.resources`."""
        return self.directory(resources.files(package).joinpath("rulesets"))


def parse_ruleset(data: Mapping[str, Any], rule_types: RuleTypes, *, file: str | None = None,
                  target_kinds: TargetKinds = TARGET_KINDS) -> Ruleset:
    """Build a :class:`Ruleset` from parsed TOML (or any mapping of the same shape)."""
    _no_unknown(data, TOP_KEYS, None)
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA:
        raise RulesetError(f"schema {schema!r} is not supported; this qscore reads schema {SCHEMA}", field="schema")
    base_year = _required(data, "base_year", None, int)
    categories = tuple(_build(Category, c, f"categories[{n}]", {"id", "name", "points"}, _numbers("points"))
                       for n, c in enumerate(_tables(data, "categories"), 1))
    indicators = tuple(_indicator(raw, n, rule_types, target_kinds, base_year)
                       for n, raw in enumerate(_tables(data, "indicators"), 1))
    _check_references(categories, indicators)
    fields = {key: data[key] for key in ("id", "title", "jurisdiction", "level", "unit_kind",
                                         "horizon_year", "source", "missing") if key in data}
    if "scale_to" in data:
        fields["scale_to"] = _decimal(data["scale_to"], None, "scale_to")
    for key in ("id", "title", "jurisdiction", "horizon_year"):
        _required(data, key, None, int if key == "horizon_year" else str)
    return _construct(Ruleset, None, base_year=base_year, categories=categories, indicators=indicators,
                      adjustments=_adjustments(data.get("adjustments", {})),
                      classification=_classification(data.get("classification")),
                      ranking=_build(Ranking, data.get("ranking", {}), "ranking", {"tie_break"},
                                     lambda d: {**d, "tie_break": tuple(d.get("tie_break", ()))}),
                      rounding=_build(Rounding, data.get("rounding", {}), "rounding", {"places", "mode", "stage"}),
                      assumptions=tuple(_strings(data, "assumptions", None)),
                      roster=_roster(data.get("roster")),
                      examples=tuple(_example(raw, n, indicators) for n, raw in enumerate(_tables(data, "examples"), 1)),
                      file=file, **fields)


def _named_table(raw: Any, kind: str, number: int, keys: set[str]) -> str:
    """The table's label for messages, ``indicators[3] (食品抽检合格率)``, once its keys are checked."""
    table = f"{kind}[{number}]"
    if not isinstance(raw, Mapping):
        raise RulesetError("expected a table", table=table)
    if isinstance(raw.get("name"), str):
        table = f"{kind}[{number}] ({raw['name']})"
    _no_unknown(raw, keys, table)
    return table


def _indicator(raw: Any, number: int, rule_types: RuleTypes, target_kinds: TargetKinds, base_year: int) -> Indicator:
    table = _named_table(raw, "indicators", number, INDICATOR_KEYS)
    points = _decimal(_required(raw, "points", table), table, "points")
    if points < 0:
        raise RulesetError(f"'points' must be 0 or more, got {points}", table=table, field="points")
    direction = raw.get("direction", "higher")
    target = _target(raw.get("target"), table, target_kinds)
    rule = _rule(raw.get("rule"), rule_types, table, full=points, direction=direction,
                 strict=bool(getattr(target, "strict", False)))
    if rule.uses_target and target is None:
        raise RulesetError(f"rule '{rule.type}' compares with a target, but none is given", table=table, field="target")
    baseline = raw.get("baseline")
    return _construct(
        Indicator, table, id=_required(raw, "id", table, str), name=_required(raw, "name", table, str),
        category=raw.get("category"), unit=raw.get("unit", ""), direction=direction,
        baseline=None if baseline is None else _decimal(baseline, table, "baseline"),
        baseline_year=raw.get("baseline_year"), target=target, lead=raw.get("lead", ""),
        points=points, rule=rule, missing=raw.get("missing"),
        aliases=tuple(_strings(raw, "aliases", table)), applies_to=tuple(_strings(raw, "applies_to", table)),
        notes=tuple(_strings(raw, "notes", table)),
        source=raw.get("source", ""))


def _target(raw: Any, table: str, target_kinds: TargetKinds) -> Target | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        return Absolute(value=_decimal(raw, table, "target"))
    params = dict(raw)
    kind = params.pop("kind", "value")
    shape = target_kinds.get(kind)
    if shape is None:
        raise RulesetError(f"unknown target kind {kind!r}; expected one of {', '.join(target_kinds)}",
                           table=table, field="target.kind")
    allowed = {a.name for a in attrs.fields(shape)}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise RulesetError(f"unknown key(s) {', '.join(map(repr, unknown))} for a '{kind}' target; "
                           f"allowed: kind, {', '.join(sorted(allowed))}", table=table, field="target")
    numeric = {"value", "percent", "points", "annual_percent", "offset"}
    for key in numeric & set(params):
        params[key] = _decimal(params[key], table, f"target.{key}")
    return _construct(shape, table, **params)


def _rule(raw: Any, rule_types: RuleTypes, table: str, **bound: Any) -> Rule:
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, Mapping) or "type" not in raw:
        raise RulesetError("expected a rule type name or a table with 'type'", table=table, field="rule")
    params = dict(raw)
    type_id = params.pop("type")
    rule_type = rule_types.get(type_id)
    if rule_type is None:
        raise RulesetError(f"unknown rule type {type_id!r}; known: {', '.join(sorted(rule_types))}",
                           table=table, field="rule.type")
    unknown = set(params) - set(rule_type.parameters())
    if unknown:
        allowed = ", ".join(rule_type.parameters()) or "none"
        raise RulesetError(f"unknown parameter(s) {', '.join(sorted(unknown))} for rule '{type_id}'; "
                           f"it takes: {allowed}", table=table, field="rule")
    return _construct(rule_type, table, field_prefix="rule", **params, **bound)


def _adjustments(raw: Any) -> Adjustments:
    if not isinstance(raw, Mapping):
        raise RulesetError("expected a table", table="adjustments")
    keys = {"bonus", "deductions", "vetoes", "bonus_cap", "deduction_cap", "total_floor"}
    _no_unknown(raw, keys, "adjustments")
    items = {kind: tuple(_build(Item, item, f"adjustments.{kind}[{n}]", ITEM_KEYS, _numbers("points", "cap"))
                         for n, item in enumerate(_tables(raw, kind, "adjustments"), 1))
             for kind in ("bonus", "deductions", "vetoes")}
    caps = _numbers("bonus_cap", "deduction_cap", "total_floor")({k: raw[k] for k in keys - set(items) if k in raw})
    return _construct(Adjustments, "adjustments", **items, **caps)


def _classification(raw: Any) -> Classification | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise RulesetError("expected a table", table="classification")
    _no_unknown(raw, {"by", "grades"}, "classification")
    grades = tuple(_build(Grade, g, f"classification.grades[{n}]", {"name", "min_score", "count", "share"},
                          _numbers("min_score", "share"))
                   for n, g in enumerate(_tables(raw, "grades", "classification"), 1))
    return _construct(Classification, "classification", by=raw.get("by", "score"), grades=grades)


def _roster(raw: Any) -> Roster | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise RulesetError("expected a table with 'units', 'source' and 'as_of'", table="roster")
    _no_unknown(raw, ROSTER_KEYS, "roster")
    for key in ("source", "as_of"):
        if not isinstance(raw.get(key, ""), str):
            raise RulesetError(f"expected a string, got {raw[key]!r}", table="roster", field=key)
    return _construct(Roster, "roster", units=tuple(_strings(raw, "units", "roster")),
                      source=raw.get("source", ""), as_of=raw.get("as_of", ""))


def _example(raw: Any, number: int, indicators: tuple[Indicator, ...]) -> Example:
    table = _named_table(raw, "examples", number, EXAMPLE_KEYS)
    inputs = raw.get("inputs", {})
    points = raw.get("points", {})
    for key, value in (("inputs", inputs), ("points", points)):
        if not isinstance(value, Mapping):
            raise RulesetError("expected a table of column = value", table=table, field=key)
    known = {i.id for i in indicators}
    for indicator_id in points:
        if indicator_id not in known:
            raise RulesetError(f"{indicator_id!r} is not an indicator id; known: {', '.join(sorted(known))}",
                               table=table, field=f"points.{indicator_id}")
    total = raw.get("total")
    return _construct(Example, table, name=_required(raw, "name", table, str),
                      inputs=tuple((str(k), _cell_text(v, table, f"inputs.{k}")) for k, v in inputs.items()),
                      points=tuple((k, _decimal(v, table, f"points.{k}")) for k, v in points.items()),
                      total=None if total is None else _decimal(total, table, "total"),
                      tier=raw.get("tier"), year=raw.get("year"))


def _cell_text(value: Any, table: str, field: str) -> str:
    """A TOML value as the text of a spreadsheet cell, so examples go through the data binder."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{_decimal(value, table, field):f}"  # bounded first: 1e999999999 is a gigabyte written out
    if isinstance(value, (int, str)):
        return str(value)
    raise RulesetError(f"expected a number or text, got {value!r}", table=table, field=field)


def _check_references(categories: tuple[Category, ...], indicators: tuple[Indicator, ...]) -> None:
    known = {c.id for c in categories}
    for number, indicator in enumerate(indicators, 1):
        if indicator.category is not None and indicator.category not in known:
            raise RulesetError(f"category {indicator.category!r} is not among [[categories]] "
                               f"({', '.join(sorted(known)) or 'none declared'})",
                               table=f"indicators[{number}] ({indicator.name})", field="category")
    for kind, objects in (("categories", categories), ("indicators", indicators)):
        seen: set[str] = set()
        for obj in objects:
            if obj.id in seen:
                raise RulesetError(f"id {obj.id!r} is used twice", table=kind, field="id")
            seen.add(obj.id)


# -- small helpers -----------------------------------------------------------------------

def _construct(cls: Callable[..., T], table: str | None, field_prefix: str | None = None, **kwargs: Any) -> T:
    """``cls(**kwargs)``, with attrs' validation messages turned into :class:`RulesetError`."""
    try:
        return cls(**kwargs)
    except RulesetError as exc:
        raise exc.located(table=table) from None
    except (TypeError, ValueError) as exc:
        raise RulesetError(_attrs_message(exc), table=table, field=_attrs_field(exc, field_prefix)) from None


def _attrs_message(exc: Exception) -> str:
    # attrs validators put (message, attribute, expected, value) in args; the first is enough.
    return str(exc.args[0]) if exc.args else str(exc)


def _attrs_field(exc: Exception, prefix: str | None) -> str | None:
    attribute = exc.args[1] if len(exc.args) > 1 else None
    name = getattr(attribute, "name", None)
    if name is None:
        return prefix
    return f"{prefix}.{name}" if prefix else name


def _build(cls: Callable[..., T], raw: Any, table: str, keys: set[str],
           convert: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> T:
    if not isinstance(raw, Mapping):
        raise RulesetError("expected a table", table=table)
    _no_unknown(raw, keys, table)
    try:
        params = convert(dict(raw)) if convert else dict(raw)
    except (TypeError, ValueError) as exc:
        raise RulesetError(str(exc), table=table) from None
    return _construct(cls, table, **params)


def _numbers(*names: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def convert(params: dict[str, Any]) -> dict[str, Any]:
        for name in names:
            if params.get(name) is not None:
                try:
                    params[name] = to_decimal(params[name])
                except (TypeError, ValueError) as exc:
                    raise TypeError(f"field '{name}': {exc}") from None
        return params
    return convert


def _decimal(value: Any, table: str | None, field: str) -> Decimal:
    try:
        return to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise RulesetError(str(exc), table=table, field=field) from None


def _required(data: Mapping[str, Any], key: str, table: str | None, kind: type | None = None) -> Any:
    if key not in data:
        raise RulesetError("is required", table=table, field=key)
    value = data[key]
    if kind is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise RulesetError(f"expected {'an integer' if kind is int else 'a string'}, got {value!r}",
                           table=table, field=key)
    return value


def _tables(data: Mapping[str, Any], key: str, parent: str | None = None) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        where = f"{parent}.{key}" if parent else key
        raise RulesetError(f"expected an array of tables ([[{where}]])", table=parent, field=key)
    return value


def _strings(data: Mapping[str, Any], key: str, table: str | None) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise RulesetError("expected a string or a list of strings", table=table, field=key)
    return value


def _no_unknown(data: Mapping[str, Any], allowed: set[str], table: str | None) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RulesetError(f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}",
                           table=table)

"""``qscore validate``'s lint: problems a ruleset file can load with, each named by line.

Two severities.  An **error** means qscore would score something other than the plan
or the scoring sheet says, or cannot tell two things apart: points that do not add up
to a declared total, an unknown rule type, a duplicate id or name, bands or classes
that overlap, years out of order, a worked example that does not come out.  A
**warning** is legitimate but suspicious, worth a second look: a target on the wrong
side of the baseline for its direction, a top band or class that no unit can reach.
``qscore validate`` exits 1 on any error and 0 with warnings only.

``tomllib`` keeps no line numbers, so :class:`Locator` finds tables and keys in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from qscore.authoring.examples import check_example
from qscore.model import Indicator, Ruleset
from qscore.numbers import ZERO, fmt
from qscore.targets import Absolute, Change, Growth

if TYPE_CHECKING:
    from qscore.plugins.manager import Catalog

ERROR, WARNING = "error", "warning"
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_\-]+)\s*=""")


@attrs.frozen
class Finding:
    """One lint finding.

    :param severity: ``error`` or ``warning``.
    :param where: the table as load errors name it, e.g. ``indicators[3] (食品抽检合格率)``.
    :param message: what is wrong and what was expected.
    :param line: the 1-based line in the file, ``None`` when it cannot be found.
    """

    severity: str = attrs.field(validator=attrs.validators.in_((ERROR, WARNING)))
    where: str
    message: str
    line: int | None = None

    def render(self, file: str) -> str:
        place = f"{file}:{self.line}" if self.line else file
        return f"{place}: {self.severity}: {self.where + ': ' if self.where else ''}{self.message}"


class Locator:
    """Line numbers of tables and keys in a TOML text, by the names load errors use:
    ``indicators[3]``, ``adjustments.bonus[1]``, ``examples[2].inputs``, ``classification``."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, str | None], int] = {}
        counts: dict[str, int] = {}
        current: dict[str, str] = {}  # array name -> path of its latest element
        table = ""
        for number, line in enumerate(text.splitlines(), 1):
            if match := _ARRAY_HEADER.match(line):
                name = self._resolve(match.group(1), current)
                counts[name] = counts.get(name, 0) + 1
                table = current[name] = f"{name}[{counts[name]}]"
            elif match := _TABLE_HEADER.match(line):
                table = self._resolve(match.group(1), current)
            elif match := _KEY.match(line):
                self._lines.setdefault((table, match.group(1).strip("\"'")), number)
                continue
            else:
                continue
            self._lines.setdefault((table, None), number)

    @staticmethod
    def _resolve(name: str, current: Mapping[str, str]) -> str:
        name = re.sub(r"\s*\.\s*", ".", name.strip())
        for array, path in sorted(current.items(), key=lambda item: -len(item[0])):
            if name.startswith(array + "."):
                return path + name[len(array):]
        return name

    def line(self, table: str, key: str | None = None) -> int | None:
        """The line of ``key`` in ``table`` (or of the table's header when the key is not there)."""
        if key is not None and (table, key) in self._lines:
            return self._lines[(table, key)]
        return self._lines.get((table, None))


class _Findings:
    def __init__(self, locator: Locator) -> None:
        self.locator, self.found = locator, []

    def add(self, severity: str, table: str, message: str, key: str | None = None, label: str = "") -> None:
        where = f"{table} ({label})" if label else table
        self.found.append(Finding(severity, where, message, self.locator.line(table, key)))


def lint_data(data: Mapping[str, Any], locator: Locator, rule_types: Iterable[str]) -> list[Finding]:
    """Checks on the parsed TOML, so they run even where loading stops at the first error."""
    out = _Findings(locator)
    _years(data, out)
    _unknown_rules(data, set(rule_types), out)
    _duplicates(data, out)
    _band_order(data, out)
    _grade_order(data, out)
    return out.found


def lint_ruleset(ruleset: Ruleset, locator: Locator, catalog: Catalog | None = None) -> list[Finding]:
    """Checks on a ruleset that loaded: totals, targets against baselines, reachability, examples."""
    out = _Findings(locator)
    _category_totals(ruleset, out)
    for number, indicator in enumerate(ruleset.indicators, 1):
        _target_side(indicator, f"indicators[{number}]", out)
        _top_band(indicator, f"indicators[{number}]", out)
    _reachable_grades(ruleset, out)
    for number, example in enumerate(ruleset.examples, 1):
        for problem in check_example(ruleset, example, catalog):
            out.add(ERROR, f"examples[{number}]", problem, label=example.name)
    return out.found


# -- checks on the parsed TOML -------------------------------------------------------------

def _tables(data: Mapping[str, Any], key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    value = data.get(key, [])
    for number, table in enumerate(value if isinstance(value, list) else [], 1):
        if isinstance(table, Mapping):
            yield number, table


def _label(table: Mapping[str, Any]) -> str:
    return table["name"] if isinstance(table.get("name"), str) else ""


def _years(data: Mapping[str, Any], out: _Findings) -> None:
    base, horizon = data.get("base_year"), data.get("horizon_year")
    if not (isinstance(base, int) and isinstance(horizon, int)):
        return
    if horizon < base:
        out.add(ERROR, "", f"horizon_year {horizon} comes before base_year {base}", key="horizon_year")
    for number, raw in _tables(data, "indicators"):
        year = raw.get("baseline_year")
        if isinstance(year, int) and year > horizon:
            out.add(ERROR, f"indicators[{number}]", f"baseline_year {year} comes after the horizon year {horizon}",
                    key="baseline_year", label=_label(raw))
    for number, raw in _tables(data, "examples"):
        year = raw.get("year")
        if isinstance(year, int) and not base <= year:
            out.add(ERROR, f"examples[{number}]", f"year {year} comes before the plan's base year {base}",
                    key="year", label=_label(raw))


def _unknown_rules(data: Mapping[str, Any], known: set[str], out: _Findings) -> None:
    for number, raw in _tables(data, "indicators"):
        rule = raw.get("rule")
        type_id = rule.get("type") if isinstance(rule, Mapping) else rule
        if isinstance(type_id, str) and type_id not in known:
            out.add(ERROR, f"indicators[{number}]", f"unknown rule type {type_id!r}; known: {', '.join(sorted(known))}",
                    key="rule", label=_label(raw))


def _duplicates(data: Mapping[str, Any], out: _Findings) -> None:
    adjustments = data.get("adjustments", {})
    adjustments = adjustments if isinstance(adjustments, Mapping) else {}
    groups = {
        "categories": [("categories", n, t) for n, t in _tables(data, "categories")],
        "indicators": [("indicators", n, t) for n, t in _tables(data, "indicators")],
        "adjustment items": [(f"adjustments.{kind}", n, t) for kind in ("bonus", "deductions", "vetoes")
                             for n, t in _tables(adjustments, kind)],
        "examples": [("examples", n, t) for n, t in _tables(data, "examples")],
    }
    for kind, tables in groups.items():
        for key in ("id", "name"):
            seen: dict[str, str] = {}
            for array, number, raw in tables:
                value, table = raw.get(key), f"{array}[{number}]"
                if not isinstance(value, str):
                    continue
                if value in seen:
                    out.add(ERROR, table, f"{kind}: {key} {value!r} is also used by {seen[value]}", key=key,
                            label=_label(raw))
                else:
                    seen[value] = table
    _alias_clashes(groups["indicators"], out)


def _alias_clashes(tables: list[tuple[str, int, Mapping[str, Any]]], out: _Findings) -> None:
    owners = {raw["name"]: f"indicators[{n}]" for _, n, raw in tables if isinstance(raw.get("name"), str)}
    for _, number, raw in tables:
        aliases = raw.get("aliases", [])
        for alias in aliases if isinstance(aliases, list) else [aliases]:
            owner = owners.get(alias)
            if owner and owner != f"indicators[{number}]":
                out.add(ERROR, f"indicators[{number}]", f"alias {alias!r} is the name of {owner}; "
                        "a column with that header would be ambiguous", key="aliases", label=_label(raw))


def _band_order(data: Mapping[str, Any], out: _Findings) -> None:
    for number, raw in _tables(data, "indicators"):
        rule = raw.get("rule")
        bands = rule.get("bands") if isinstance(rule, Mapping) and rule.get("type") == "bands" else None
        if not isinstance(bands, list):
            continue
        lower = raw.get("direction") == "lower"
        steps = [b.get("at_most" if lower else "at_least") for b in bands if isinstance(b, Mapping)]
        points = [b.get("points") for b in bands if isinstance(b, Mapping)]
        table, label = f"indicators[{number}]", _label(raw)
        if all(isinstance(s, (int, Decimal)) for s in steps):
            for a, b in zip(steps, steps[1:]):
                if (a <= b) if not lower else (a >= b):
                    out.add(ERROR, table, f"bands overlap: the step at {fmt(Decimal(b))} comes after the step at "
                            f"{fmt(Decimal(a))}; list the best step first, thresholds "
                            f"{'rising' if lower else 'falling'} strictly", key="rule", label=label)
        if all(isinstance(p, (int, Decimal)) for p in points):
            for a, b in zip(points, points[1:]):
                if b > a:
                    out.add(ERROR, table, f"band points rise from {fmt(Decimal(a))} to {fmt(Decimal(b))} for a worse "
                            "step", key="rule", label=label)


def _grade_order(data: Mapping[str, Any], out: _Findings) -> None:
    raw = data.get("classification")
    if not isinstance(raw, Mapping) or not isinstance(raw.get("grades"), list):
        return
    grades = [g for g in raw["grades"] if isinstance(g, Mapping)]
    by = raw.get("by", "score")
    if by == "score":
        cutoffs = [(g.get("name"), g.get("min_score")) for g in grades if isinstance(g.get("min_score"), (int, Decimal))]
        for (upper, a), (lower, b) in zip(cutoffs, cutoffs[1:]):
            if b >= a:
                out.add(ERROR, "classification", f"classes overlap: '{lower}' (min_score {fmt(Decimal(b))}) is not "
                        f"below '{upper}' (min_score {fmt(Decimal(a))})", key="grades")
    if by == "share":
        shares = [Decimal(str(g["share"])) for g in grades if isinstance(g.get("share"), (int, Decimal))]
        if sum(shares, ZERO) > 1:
            out.add(ERROR, "classification", f"shares add up to {fmt(sum(shares, ZERO))}: the classes overlap",
                    key="grades")


# -- checks on a loaded ruleset ------------------------------------------------------------

def _category_totals(ruleset: Ruleset, out: _Findings) -> None:
    for number, category in enumerate(ruleset.categories, 1):
        if category.points is None:
            continue
        members = [i for i in ruleset.indicators if i.category == category.id]
        total = sum((i.points for i in members), ZERO)
        if total != category.points:
            sums = " + ".join(fmt(i.points) for i in members) or "0"
            out.add(ERROR, f"categories[{number}]", f"declares {fmt(category.points)} points but its indicators "
                    f"carry {sums} = {fmt(total)}", key="points", label=category.name)


def _target_side(indicator: Indicator, table: str, out: _Findings) -> None:
    target, baseline, higher = indicator.target, indicator.baseline, indicator.direction == "higher"
    message = None
    if isinstance(target, Absolute) and baseline is not None and target.value != baseline \
            and (target.value < baseline) == higher:
        side = "below" if higher else "above"
        message = f"target {fmt(target.value)} is {side} the baseline {fmt(baseline)} though {indicator.direction} is better"
    elif isinstance(target, Change):
        change = target.percent if target.percent is not None else target.points
        if change is not None and change != 0 and (change < 0) == higher:
            message = f"the target changes the baseline by {fmt(change)} though {indicator.direction} is better"
    elif isinstance(target, Growth) and target.annual_percent < 0 and higher:
        message = f"annual growth {fmt(target.annual_percent)}% shrinks though higher is better"
    if message:
        out.add(WARNING, table, message + "; check direction and target", key="target", label=indicator.name)


def _top_band(indicator: Indicator, table: str, out: _Findings) -> None:
    bands = getattr(indicator.rule, "bands", None)
    if indicator.rule.type == "bands" and bands and bands[0].points < indicator.points:
        out.add(WARNING, table, f"the best band gives {fmt(bands[0].points)} of the {fmt(indicator.points)} points: "
                "no value earns full marks", key="rule", label=indicator.name)


def _reachable_grades(ruleset: Ruleset, out: _Findings) -> None:
    classification = ruleset.classification
    if classification is None or classification.by != "score":
        return
    bonus = ruleset.adjustments.bonus
    if bonus and ruleset.adjustments.bonus_cap is None:
        return  # without a cap any total can be reached
    best = ruleset.full_marks + (ruleset.adjustments.bonus_cap or ZERO)
    for grade in classification.grades:
        if grade.min_score is not None and grade.min_score > best:
            out.add(WARNING, "classification", f"class '{grade.name}' needs {fmt(grade.min_score)} but the most a "
                    f"unit can score is {fmt(best)}", key="grades")

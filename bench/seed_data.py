"""A national-size data file that a seed ruleset accepts, made from the ruleset itself.

Each indicator gets values in its plausible range: level names for 任务完成 rules, 0–100
for ``%``, whole numbers for counts, decimals around the year's target (or the unit's
own baseline, last year's value or reference figure) otherwise; a few ``-`` cells (no
data) where the ruleset scores a missing value 0, and ties from one-decimal figures.
Where a target or rule needs a per-unit figure that the plan does not carry, the file has
its column: ``名称@基期`` (baseline), ``名称@上年`` (trend) or ``名称@全国平均`` (a
reference).  Bonus, deduction and veto items are counted in their own columns, rarely.

Units are named ``第001县某某镇00001`` and so on, on no roster; a ruleset whose
indicators apply to named units only (``applies_to``) has those units first, so that
some units are scored on them, and every other unit is exempt from them.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from qscore.model import Indicator, Ruleset
from qscore.reading.binding import COUNT_UNITS
from qscore.targets import Figures, Timing

#: A plausible magnitude for a figure with no target to go by (a reference, a base-year
#: value), by the indicator's unit.
TYPICAL = {"%": Decimal(90), "分": Decimal(80), "": Decimal(80), "微克/立方米": Decimal(35), "万吨": Decimal(60),
           "人/亿元": Decimal("0.05"), "起/万台": Decimal("0.3"), "人/万台": Decimal("0.1"),
           "吨标准煤/万元": Decimal("0.6"), "批次/千人": Decimal("1.5")}
TYPICAL_COUNT = Decimal(12)
#: How many distinct values a reference column holds (one per province, say).
REFERENCE_VALUES = 31
MISSING_SHARE = 0.003
FIELD_HEADERS = {"baseline": "基期", "previous": "上年"}


def assessment_year(ruleset: Ruleset) -> int:
    """The year measured: the middle of the plan, an interim year on the path where the
    plan spans more than a year (2025 for 石柱's 2023 → 2027)."""
    return ruleset.base_year + (ruleset.horizon_year - ruleset.base_year) // 2


def timing(ruleset: Ruleset, indicator: Indicator, year: int) -> Timing:
    return Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, year)


def needs_baseline(indicator: Indicator) -> bool:
    """Whether scoring the indicator needs a base-year value the plan does not give."""
    if indicator.baseline is not None:
        return False
    rule, target = indicator.rule, indicator.target
    if rule.type == "progress" or (rule.type == "count" and getattr(rule, "basis", "") == "increase"):
        return True
    return bool(rule.uses_target and target is not None and target.needs == "baseline")


def figure_fields(indicator: Indicator) -> list[str]:
    """The per-unit figures the data must give for this indicator: ``baseline``,
    ``previous`` or a reference's name."""
    fields = ["baseline"] if needs_baseline(indicator) else []
    target = indicator.target
    if indicator.rule.uses_target and target is not None:
        if target.needs == "previous":
            fields.append("previous")
        elif target.needs == "reference":
            fields.append(target.name)  # type: ignore[attr-defined]
    return fields


def figure_header(indicator: Indicator, field: str) -> str:
    return f"{indicator.name}@{FIELD_HEADERS.get(field, field)}"


def places(centre: Decimal) -> int:
    """Decimal places a figure of this size is written with (98.5, 0.52, 0.048)."""
    size = abs(centre)
    return 1 if size >= 10 else 2 if size >= Decimal("0.1") else 3


class Column:
    """How one indicator's cells (and its figure columns' cells) are drawn."""

    def __init__(self, ruleset: Ruleset, indicator: Indicator, year: int, rng: random.Random) -> None:
        self.indicator, self.rng = indicator, rng
        self.timing = timing(ruleset, indicator, year)
        self.fields = figure_fields(indicator)
        self.count = indicator.unit in COUNT_UNITS or indicator.rule.type == "count"
        self.percent = indicator.unit == "%"
        self.missing = (indicator.missing or ruleset.missing) != "error"
        typical = TYPICAL_COUNT if self.count else TYPICAL.get(indicator.unit, TYPICAL[""])
        self.typical = typical
        self.references = [self._near(typical, typical * Decimal("0.05")) for _ in range(REFERENCE_VALUES)]

    def headers(self) -> list[str]:
        return [self.indicator.name, *(figure_header(self.indicator, f) for f in self.fields)]

    def cells(self) -> list[str]:
        """One unit's value cell, then its figure cells."""
        indicator, rng = self.indicator, self.rng
        if indicator.rule.value_kind == "level":
            levels = list(getattr(indicator.rule, "levels", {}))
            value = rng.choices(levels, weights=range(len(levels), 0, -1))[0]  # better levels more often
            return [self._maybe_missing(value)]
        figures = self._figures()
        centre, spread = self._centre(figures)
        worse = -1 if indicator.direction == "higher" else 1
        value = self._near(centre + worse * spread * Decimal("0.3"), spread)
        shown = [figures.get(f) for f in self.fields]
        return [self._maybe_missing(self._text(value)), *(self._text(f) for f in shown)]  # type: ignore[arg-type]

    def _figures(self) -> dict[str, Decimal]:
        out = {}
        for field in self.fields:
            if field == "baseline":
                base = self.typical * Decimal("0.9")
                out[field] = self._near(base, base * (Decimal("0.3") if self.count else Decimal("0.05")))
            elif field == "previous":
                out[field] = self._near(self._plan_target() or self.typical, self.typical * Decimal("0.03"))
            else:
                out[field] = self.rng.choice(self.references)
        return out

    def _plan_target(self) -> Decimal | None:
        indicator = self.indicator
        target = indicator.target
        if target is None or not indicator.rule.uses_target or target.needs is not None:
            return None
        if target.batch:  # 进入前列: the batch sets it; its value, where it states one, is near
            return getattr(target, "value", None)
        return target.resolve(Figures(baseline=indicator.baseline), self.timing)

    def _centre(self, figures: dict[str, Decimal]) -> tuple[Decimal, Decimal]:
        """Where a unit's value lies, and how far it spreads."""
        indicator, rule = self.indicator, self.indicator.rule
        baseline = figures.get("baseline", indicator.baseline)
        if rule.type == "count":
            items = math.ceil(rule.full / getattr(rule, "per_item", Decimal(1)))
            start = baseline if getattr(rule, "basis", "") == "increase" and baseline is not None else Decimal(0)
            return start + Decimal(items) / 2, Decimal(items)
        target = indicator.target
        centre = None
        if target is not None and target.batch:
            centre = self._plan_target()
        elif target is not None and rule.uses_target:
            references = tuple((f, v) for f, v in figures.items() if f not in ("baseline", "previous"))
            centre = target.resolve(Figures(baseline=baseline, previous=figures.get("previous"),
                                            references=references), self.timing)
        if centre is None:
            centre = self.typical
        distance = abs(centre - baseline) if baseline is not None else Decimal(0)
        spread = max(distance, abs(centre) * Decimal("0.03"), Decimal(1) if self.count else Decimal("0.001"))
        return centre, spread

    def _near(self, centre: Decimal, spread: Decimal) -> Decimal:
        """A figure drawn around ``centre``, within the indicator's range (never below 0)."""
        number = max(self.rng.gauss(float(centre), float(spread)), 0.0)
        if self.count:
            return Decimal(round(number))
        if self.percent:  # below 2, a figure without its % sign reads as a fraction (0.2 for 20 %), refused
            number = min(max(number, 2.0), 100.0)
        return round(Decimal(number), places(centre))

    def _text(self, number: Decimal) -> str:
        return f"{number:f}"

    def _maybe_missing(self, text: str) -> str:
        return "-" if self.missing and self.rng.random() < MISSING_SHARE else text


def unit_names(ruleset: Ruleset, count: int) -> Iterator[str]:
    """The units of the file: those some indicator is limited to first, then made-up ones."""
    named = list(dict.fromkeys(unit for i in ruleset.indicators for unit in i.applies_to))[:count]
    yield from named
    for n in range(count - len(named)):
        yield f"第{n // 100 + 1:03d}县某某镇{n:05d}"


def item_cell(kind: str, rng: random.Random) -> str:
    """A unit's count of one bonus, deduction or veto item: mostly empty."""
    draw = rng.random()
    if kind == "veto":
        return "1" if draw < 0.004 else ""
    if kind == "bonus" and draw < 0.005:
        return "2"
    return "1" if draw < 0.02 else ""


def write_data(ruleset: Ruleset, units: int, seed: int, path: Path, year: int | None = None) -> list[str]:
    """Write ``units`` rows for ``ruleset`` to ``path`` (UTF-8 with BOM, as Excel saves
    it); returns the header."""
    rng = random.Random(f"{seed}-{ruleset.id}")
    year = assessment_year(ruleset) if year is None else year
    columns = [Column(ruleset, indicator, year, rng) for indicator in ruleset.indicators]
    adjust = ruleset.adjustments
    items = [("bonus", i) for i in adjust.bonus] + [("deduction", i) for i in adjust.deductions] + \
        [("veto", i) for i in adjust.vetoes]
    header = ["单位", *(h for c in columns for h in c.headers()), *(item.name for _, item in items)]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for name in unit_names(ruleset, units):
            row = [name]
            for column in columns:
                row += column.cells()
            row += [item_cell(kind, rng) for kind, _ in items]
            writer.writerow(row)
    return header

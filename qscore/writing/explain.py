"""A unit's result as an examiner reads it: every figure, and how it was worked out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from qscore.model import NOT_APPLICABLE, BatchResult, Indicator, IndicatorResult, Source, UnitResult
from qscore.numbers import ZERO, fmt, plain
from qscore.scoring import formulas
from qscore.targets import Figures


def _value(result: IndicatorResult, indicator: Indicator) -> str:
    if result.value is None:
        shown = "无数据"
    elif isinstance(result.value, str):
        shown = result.value
    else:
        shown = _figure(result.value, indicator)
    if result.previous is not None:
        shown += f"（上年 {_figure(result.previous, indicator)}）"
    return shown


def _figure(number: Decimal, indicator: Indicator) -> str:
    return f"{fmt(number)}{indicator.unit}" if indicator.unit == "%" else fmt(number)


def follows_path(indicator: Indicator) -> bool:
    """Whether the year's target is a point on the baseline→target path (so meeting it
    means 'on track'), rather than a reference, last year's value or the final target."""
    target = indicator.target
    return (target is not None and target.path == "linear" and target.interim != "horizon"
            and target.start(Figures(baseline=indicator.baseline)) is not None)


def _status(result: IndicatorResult, interim: bool) -> str:
    if result.met is None or result.target is None:
        return ""
    if interim:
        return "，进度达标" if result.met else "，进度滞后"
    return "，已达标" if result.met else "，未达标"


def explain_unit(batch: BatchResult, unit: UnitResult, closing: Sequence[str] = ()) -> str:
    """Plain text: per indicator the value, the target used, the rule and its arithmetic,
    the points; then subtotals, bonus, deductions, veto and the total.

    :param closing: lines to end with: what the unit must achieve to reach the next
        class up (:func:`qscore.analysis.report.closing_line`).
    """
    from tabulate import tabulate

    ruleset = batch.ruleset
    interim = batch.year < ruleset.horizon_year
    lines = [f"{ruleset.title} · {batch.year}年度",
             f"单位：{unit.unit}    排名：第 {unit.rank} 名 / {len(batch.units)}"
             + (f"    等次：{unit.tier}" if unit.tier else "") + f"    总分：{plain(unit.total)}", ""]
    by_id = {i.id: i for i in ruleset.indicators}
    sources = _unit_sources(batch, unit)
    category_names = {c.id: c.name for c in ruleset.categories}
    current = object()
    for number, result in enumerate(unit.indicators, 1):
        indicator = by_id[result.indicator]
        if indicator.category != current:
            current = indicator.category
            lines.append(f"【{category_names.get(indicator.category or '', '未分类')}】")
        unit_text = f"（{indicator.unit}）" if indicator.unit else ""
        lines.append(f"{number:>3}. {indicator.name}{unit_text}  [{indicator.id}]  满分 {fmt(indicator.points)}")
        on_path = interim and follows_path(indicator)
        lines.append(f"     实际值：{_value(result, indicator)}{_status(result, on_path)}")
        if sources is not None and (result.value != NOT_APPLICABLE or indicator.id in sources):
            lines.append(f"     来源：{_sources(indicator, result, sources)}")
        lines.append(f"     {result.explanation}")
        lines.append(f"     得分：{plain(result.points)}")
    lines.append("")
    if ruleset.categories:
        full = {c.id: sum((r.max_points for r in unit.indicators if by_id[r.indicator].category == c.id), ZERO)
                for c in ruleset.categories}
        table = [[c.name, plain(unit.subtotals[c.id]), fmt(full[c.id])] for c in ruleset.categories]
        lines += [tabulate(table, headers=["类别", "得分", "满分"], disable_numparse=True), ""]
    lines += _adjustment_lines(batch, unit, sources)
    lines += closing
    return "\n".join(lines) + "\n"


#: How a figure's field is named in a 来源 line.
_FIELDS = {"previous": "上年值", "baseline": "基期值"}


def _unit_sources(batch: BatchResult, unit: UnitResult) -> dict[str, Source] | None:
    """The unit's sources by column, when the batch was merged from submissions."""
    if batch.sources is None:
        return None
    return {key: source for (name, key), source in batch.sources.items() if name == unit.unit}


def _sources(indicator: Indicator, result: IndicatorResult, sources: dict[str, Source]) -> str:
    """Where the value and each figure of an indicator came from: ``西沱镇.xlsx 填报!D5；上年值 …``."""
    own = sources.get(indicator.id)
    parts = [str(own) if own is not None else "未填报"]
    prefix = f"{indicator.id}@"
    parts += [f"{_FIELDS.get(key[len(prefix):], key[len(prefix):])} {source}" for key, source in sources.items()
              if key.startswith(prefix)]
    return "；".join(parts)


def _adjustment_lines(batch: BatchResult, unit: UnitResult, sources: dict[str, Source] | None = None) -> list[str]:
    adjust = batch.ruleset.adjustments
    sources = sources or {}
    out = []
    for kind, label, cap, applied in (("bonus", "加分", adjust.bonus_cap, unit.bonus),
                                      ("deduction", "扣分", adjust.deduction_cap, unit.deductions)):
        items = [a for a in unit.adjustments if a.kind == kind]
        if not items:
            out.append(f"{label}：无")
            continue
        parts = [f"{a.name} {fmt(a.count)} 次 → {fmt(a.points)}"
                 + (f"（来源：{sources[a.item]}）" if a.item in sources else "") for a in items]
        raw = sum((a.points for a in items), ZERO)
        capped = f"，超过上限 {fmt(cap)}，按 {fmt(applied)} 计" if raw != applied else ""
        out.append(f"{label}：{'；'.join(parts)}；合计 {fmt(raw)}{capped}")
    vetoes = [a.name + (f"（来源：{sources[a.item]}）" if a.item in sources else "")
              for a in unit.adjustments if a.kind == "veto"]
    out.append(f"一票否决：{'；'.join(vetoes)} → 等次定为 {batch.ruleset.classification.lowest}"
               if vetoes and batch.ruleset.classification else
               f"一票否决：{'；'.join(vetoes)}" if vetoes else "一票否决：无")
    base = sum((r.points for r in unit.indicators), ZERO)
    total = f"总分 = 指标得分合计 {plain(base)}"
    if batch.ruleset.scale_to is not None:
        applicable = sum((r.max_points for r in unit.indicators), ZERO)
        scaled = formulas.indicator_parts(batch.ruleset, [base], [applicable])[0]
        out.append(f"得分率折算：{plain(base)} ÷ {fmt(applicable)}（适用指标满分）× {fmt(batch.ruleset.scale_to)}"
                   f" = {plain(scaled)}")
        base = scaled
        total = f"总分 = 折算得分 {plain(base)}"
    if unit.bonus:
        total += f" + 加分 {fmt(unit.bonus)}"
    if unit.deductions:
        total += f" − 扣分 {fmt(unit.deductions)}"
    floor = adjust.total_floor
    if floor is not None and next(iter(formulas.unfloored_totals([base], [unit.bonus], [unit.deductions]))) < floor:
        total += f"（不低于 {fmt(floor)}）"
    out.append(f"{total} = {plain(unit.total)}")
    if unit.gap_to_next is not None:
        out.append(f"距上一等次（{_next_class(batch, unit)}）还差：{plain(unit.gap_to_next)} 分")
        out.append(_lost_points(batch, unit))
    return out


def _next_class(batch: BatchResult, unit: UnitResult) -> str:
    names = [g.name for g in batch.ruleset.classification.grades]  # type: ignore[union-attr]
    return names[names.index(unit.tier) - 1]  # type: ignore[arg-type]


def _lost_points(batch: BatchResult, unit: UnitResult) -> str:
    """The indicators where the unit fell short of full marks, most first: where the gap
    to the next class can be made up."""
    names = {i.id: i.name for i in batch.ruleset.indicators}
    lost = sorted(((r.max_points - r.points, names[r.indicator]) for r in unit.indicators
                   if r.points < r.max_points), key=lambda pair: -pair[0])
    if not lost:
        return "指标失分：无"
    scale = "（折算前的指标分）" if batch.ruleset.scale_to is not None else ""
    return f"指标失分{scale}（从多到少）：" + "；".join(f"{name} {fmt(points)}" for points, name in lost)



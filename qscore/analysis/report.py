"""What-if and robustness results as an examiner reads them: text, JSON and HTML.

The HTML page is one self-contained file (no script, no font, nothing fetched), built
with :mod:`xml.etree.ElementTree` so every text is escaped and the bytes are the same
for the same result: it opens on an office machine without internet.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from qscore.analysis.whatif import Change, Proposal, Standing, WhatIf
from qscore.model import Ruleset
from qscore.numbers import fmt
from qscore.writing.text import json_text

if TYPE_CHECKING:  # explain's closing line needs no robustness study
    from qscore.analysis.robustness import RobustnessResult, UnitRobustness

NUMERALS = "一二三四五六七八九十"


def _value(value: object, unit: str) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    return "无数据" if value is None else str(value)


def _standing(standing: Standing, count: int | None = None) -> str:
    of = f" / {count}" if count else ""
    tier = f"，{standing.tier}" if standing.tier else ""
    return f"总分 {standing.total:f}，第 {standing.rank} 名{of}{tier}"


def _named(change: Change) -> str:
    return f"{change.name}（{change.unit}）" if change.unit else change.name


def whatif_text(result: WhatIf, ruleset: Ruleset, year: int, count: int) -> str:
    """The answer as plain text: where the unit stands, the goal, each proposal."""
    from tabulate import tabulate

    lines = [f"{ruleset.title} · {year}年度",
             f"单位：{result.unit}    现在：{_standing(result.start, count)}"]
    if result.goal is not None:
        lines.append(f"目标：{result.goal.label}")
    lines.append("")
    if result.status != "proposed":
        lines.append(result.message)
    for number, proposal in enumerate(result.proposals):
        name = NUMERALS[number] if number < len(NUMERALS) else str(number + 1)
        lines.append(f"方案{name}：改 {len(proposal.changes)} 项指标")
        rows = [[_named(c), _value(c.value, c.unit), _value(c.new_value, c.unit), f"{c.points:f}", f"{c.new_points:f}"]
                for c in proposal.changes]
        lines.append(tabulate(rows, headers=["指标", "现值", "改为", "得分", "改后得分"], disable_numparse=True))
        lines.append(f"改后：{_standing(proposal.reached)}")
        lines.append("")
    names = {i.id: i.name for i in ruleset.indicators}
    if result.left_out and result.status in ("proposed", "unreachable"):
        lines.append("不在方案内：" + "；".join(f"{names[key]}（{why}）" for key, why in result.left_out))
    return "\n".join(lines).rstrip("\n") + "\n"


def closing_line(result: WhatIf) -> str:
    """The first proposal in one line, for the end of ``explain``."""
    if result.status != "proposed":
        return result.message
    first = result.proposals[0]
    changes = "，".join(f"{c.name} {_value(c.value, c.unit)} → {_value(c.new_value, c.unit)}" for c in first.changes)
    return f"达到{result.goal.label if result.goal else ''}的最小改进：{changes}（改后{_standing(first.reached)}）"


def _standing_json(standing: Standing) -> dict[str, Any]:
    return {"total": standing.total, "rank": standing.rank, "tier": standing.tier}


def _share(number: float | Fraction) -> Decimal:
    """A share or an effort as a figure to six places (JSON writes figures, not floats)."""
    return Decimal(float(number)).quantize(Decimal("0.000001"))


def _proposal_json(proposal: Proposal) -> dict[str, Any]:
    return {"changes": [{"indicator": c.indicator, "name": c.name, "value": c.value,
                         "new_value": c.new_value, "points": c.points,
                         "new_points": c.new_points} for c in proposal.changes],
            "reached": _standing_json(proposal.reached), "effort": _share(proposal.effort)}


def whatif_json(result: WhatIf) -> bytes:
    """``unit``, ``from``, ``to``, ``status``, ``message``, the first proposal's
    ``changes`` and ``reached``, the other proposals as ``alternatives``."""
    first = _proposal_json(result.proposals[0]) if result.proposals else {"changes": [], "reached": None}
    document = {
        "unit": result.unit, "from": _standing_json(result.start),
        "to": None if result.goal is None else {"tier": result.goal.tier, "rank": result.goal.rank},
        "status": result.status, "message": result.message,
        "changes": first["changes"], "reached": first["reached"],
        "alternatives": [_proposal_json(p) for p in result.proposals[1:]],
        "margin": result.margin,
        "left_out": [{"indicator": key, "reason": why} for key, why in result.left_out],
    }
    return (json_text(document) + "\n").encode("utf-8")


# -- robustness -----------------------------------------------------------------------------

def _percent(share: Fraction | Decimal) -> str:
    return f"{float(share) * 100:.1f}%"


def _flip(unit: UnitRobustness) -> str:
    if unit.flip is None:
        return "—"
    shown = f"±{unit.flip * 100:.2f}%"
    return shown if unit.flip_exact else f"≥ {shown}"


def _settings(result: RobustnessResult) -> str:
    ranges = result.ranges
    classification = result.ruleset.classification
    unit = {"score": "分", "rank": "名", "share": "个百分点"}[classification.by] if classification else ""
    fixed = f"；固定不变：{'、'.join(sorted(ranges.fixed))}" if ranges.fixed else ""
    missing = {None: "按规则集", "drop": "剔除有缺失的单位", "zero": "按0分计", "median": "取其他单位的中位数"}[result.missing]
    return (f"{result.samples} 次抽样（种子 {result.seed}）；指标分值 ±{ranges.points * 100:f}%（合计不变），"
            f"等次线 ±{fmt(ranges.cutoffs)} {unit}，加减分项分值 ±{ranges.bonus * 100:f}%；缺失值{missing}{fixed}")


def _headers(result: RobustnessResult) -> list[str]:
    names = [name for name, _ in result.units[0].tiers] if result.units else []
    return ["排名", "单位", "等次", "中位排名", "5%–95%排名", *names, "保持等次", "翻转所需权重变动"]


def _rows(result: RobustnessResult) -> list[list[str]]:
    return [[str(u.rank), u.unit, u.tier or "", str(u.median), f"{u.low}–{u.high}",
             *(_percent(p) for _, p in u.probabilities), _percent(u.keep) if u.tier else "", _flip(u)]
            for u in result.units]


def robustness_text(result: RobustnessResult) -> str:
    from tabulate import tabulate

    lines = [f"{result.ruleset.title} · {result.year}年度 · 排名与等次的稳健性", _settings(result), "",
             tabulate(_rows(result), headers=_headers(result), disable_numparse=True)]
    if result.dropped:
        lines += ["", "剔除（有缺失值）：" + "、".join(result.dropped)]
    return "\n".join(lines) + "\n"


def robustness_json(result: RobustnessResult) -> bytes:
    ranges = result.ranges
    document = {
        "ruleset": result.ruleset.id, "year": result.year, "samples": result.samples, "seed": result.seed,
        "ranges": {"points": ranges.points, "cutoffs": ranges.cutoffs,
                   "bonus": ranges.bonus, "fixed": sorted(ranges.fixed)},
        "missing": result.missing, "dropped": list(result.dropped),
        "units": [{"unit": u.unit, "rank": u.rank, "tier": u.tier, "median_rank": u.median,
                   "rank_interval": [u.low, u.high],
                   "tiers": {name: _share(p) for name, p in u.probabilities},
                   "keep": _share(u.keep),
                   "flip": u.flip, "flip_exact": u.flip_exact} for u in result.units],
    }
    return (json_text(document) + "\n").encode("utf-8")


def robustness_html(result: RobustnessResult) -> bytes:
    """A page with the table and, per unit, its 5–95 % rank interval drawn as a bar
    (the median a dot, the nominal rank a tick)."""
    html = ET.Element("html", lang="zh-CN")
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", charset="utf-8")
    ET.SubElement(head, "title").text = f"{result.ruleset.title} · {result.year}年度 · 稳健性"
    ET.SubElement(head, "style").text = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}")
    body = ET.SubElement(html, "body")
    ET.SubElement(body, "h1").text = f"{result.ruleset.title} · {result.year}年度 · 排名与等次的稳健性"
    ET.SubElement(body, "p").text = _settings(result)
    body.append(_intervals(result))
    ET.SubElement(body, "p").text = "横条：5%–95% 排名区间；圆点：中位排名；竖线：按规则集的排名。"
    table = ET.SubElement(body, "table")
    row = ET.SubElement(table, "tr")
    for header in _headers(result):
        ET.SubElement(row, "th").text = header
    for cells in _rows(result):
        row = ET.SubElement(table, "tr")
        for cell in cells:
            ET.SubElement(row, "td").text = cell
    if result.dropped:
        ET.SubElement(body, "p").text = "剔除（有缺失值）：" + "、".join(result.dropped)
    return b"<!DOCTYPE html>\n" + ET.tostring(html, encoding="utf-8", method="html", xml_declaration=False) + b"\n"


def _intervals(result: RobustnessResult) -> ET.Element:
    count = len(result.units)
    left, width, line = 220, 560, 18
    height = line * count + 40
    svg = ET.Element("svg", xmlns="http://www.w3.org/2000/svg", width=str(left + width + 20), height=str(height),
                     role="img")
    ET.SubElement(svg, "title").text = "各单位 5%–95% 排名区间"

    def x(rank: float) -> str:
        return f"{left + (rank - 0.5) / max(count, 1) * width:.1f}"

    for tick in sorted({1, count, *range(5, count + 1, 5)}):
        ET.SubElement(svg, "line", x1=x(tick), x2=x(tick), y1="20", y2=str(height - 10), stroke="#eee")
        ET.SubElement(svg, "text", x=x(tick), y="14", fill="#666",
                      attrib={"font-size": "10", "text-anchor": "middle"}).text = str(tick)
    for n, unit in enumerate(result.units):
        y = 30 + n * line
        ET.SubElement(svg, "text", x=str(left - 8), y=str(y + 4),
                      attrib={"font-size": "12", "text-anchor": "end"}).text = f"{unit.rank}. {unit.unit}"
        ET.SubElement(svg, "line", x1=x(unit.low), x2=x(unit.high), y1=str(y), y2=str(y), stroke="#4a7ab5",
                      attrib={"stroke-width": "6", "stroke-linecap": "round"})
        ET.SubElement(svg, "circle", cx=x(unit.median), cy=str(y), r="4", fill="#1b3a5c")
        ET.SubElement(svg, "line", x1=x(unit.rank), x2=x(unit.rank), y1=str(y - 7), y2=str(y + 7), stroke="#c0392b",
                      attrib={"stroke-width": "2"})
    return svg

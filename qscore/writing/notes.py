"""What a printed result says besides its figures: the rules and assumptions it was
scored under, where it comes from, which bonus, deduction and veto items applied to
each unit, and how many targets each unit met.

The XLSX workbook (说明 and 来源 sheets, 加减分 sheet) and the HTML report say the same
things in the same words: both read them from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qscore.i18n import _
from qscore.model import BatchResult, Item, Provenance, Ruleset, ScoringOptions, SourceFile, UnitResult
from qscore.numbers import fmt
from qscore.writing.describe import target_text
from qscore.writing.explain import follows_path

if TYPE_CHECKING:
    from qscore.model import HiddenPolicy, MergedPolicy

KIND_LABELS = {"bonus": "加分", "deduction": "扣分", "veto": "一票否决"}
ROUNDING_LABELS = {"half_up": "四舍五入", "half_even": "四舍六入五成双", "down": "舍去"}
DIRECTION_LABELS = {"higher": "越高越好", "lower": "越低越好"}

#: The 来源 rows' labels, in order; :func:`provenance_from_rows` reads them back.
(VERSION, RULESET, RULESET_FILE, YEAR, GIVEN_YEAR, DATA, ENCODING, SHEET, IGNORE_UNKNOWN, PARTIAL, ROSTER, HIDDEN,
 MERGED, FRACTIONS) = ("qscore 版本", "规则集", "规则集文件", "考核年度", "指定年度", "数据文件", "文本编码", "工作表",
                       "忽略未知列", "部分单位", "单位名单", "隐藏行列", "合并单元格", "小数形式的百分比")
HIDDEN_LABELS: dict[HiddenPolicy, str] = {"refuse": "拒绝", "skip": "跳过", "read": "读取"}
MERGED_LABELS: dict[MergedPolicy, str] = {"refuse": "拒绝", "fill": "填充"}
PROVENANCE_HEADER = ["项目", "内容", "SHA-256", "说明"]
VERIFY_NOTE = "复核：qscore verify 本文件，按以上规则集与数据重新计算，逐项核对每个数字。"


def title(batch: BatchResult) -> str:
    """The title every output of ``batch`` carries: the ruleset's title and the year."""
    return f"{batch.ruleset.title}（{batch.year}年度）"


# -- the rules and their assumptions ------------------------------------------------------

def ruleset_notes(ruleset: Ruleset) -> list[tuple[str, str]]:
    """How the ruleset scores, item by item, as (项目, 内容) pairs."""
    rounding = ruleset.rounding
    rounded = (f"每项指标得分保留 {rounding.places} 位小数（{ROUNDING_LABELS[rounding.mode]}），总分为各项得分之和"
               if rounding.stage == "indicator" else
               f"指标得分不取整，总分保留 {rounding.places} 位小数（{ROUNDING_LABELS[rounding.mode]}）")
    notes = [("规则集", f"{ruleset.title}（{ruleset.id}）"), ("地区", ruleset.jurisdiction),
             ("考核对象", ruleset.unit_kind or "—"), ("依据", ruleset.source or "—"),
             ("规划期", f"{ruleset.base_year} 年（基期）→ {ruleset.horizon_year} 年（目标年）"),
             ("指标", f"{len(ruleset.indicators)} 项，满分合计 {fmt(ruleset.full_marks)} 分")]
    on_path = sum(1 for indicator in ruleset.indicators if follows_path(indicator))
    if on_path:
        notes.append(("年度目标", f"考核年度在 {ruleset.horizon_year} 年之前时，{on_path} 项指标的年度目标取基期值到"
                                  "目标值路径上当年的进度值，其余指标按目标值（或数据给出的参照值）"))
    notes += [
             ("计分取整", rounded),
             ("缺失数据", "按 0 分计" if ruleset.missing == "zero" else "视为错误，须补齐后计分")]
    if ruleset.scale_to is not None:
        notes.append(("得分率折算", f"指标得分 ÷ 适用指标满分 × {fmt(ruleset.scale_to)}"))
    notes += [(label, text) for label, text in _adjustment_notes(ruleset)]
    notes.append(("排名", _ranking_note(ruleset)))
    if ruleset.classification is not None:
        notes.append(("等次划分", classification_note(ruleset)))
    if ruleset.roster is not None:
        source = "，".join(part for part in (ruleset.roster.source, ruleset.roster.as_of) if part)
        notes.append(("参评名单", f"{len(ruleset.roster.units)} 个单位" + (f"（{source}）" if source else "")))
    return notes


def classification_note(ruleset: Ruleset) -> str:
    """The grade or tier cut-offs in words: 优秀 ≥ 90 分；… 其余为 不合格."""
    classification = ruleset.classification
    if classification is None:
        return "不分等次"
    grades, parts = classification.grades, []
    for number, grade in enumerate(grades[:-1]):
        if classification.by == "score":
            parts.append(f"{grade.name}：总分 ≥ {fmt(grade.min_score)} 分")
        elif classification.by == "rank":
            parts.append(f"{grade.name}：{'前' if number == 0 else '其后'} {grade.count} 名")
        else:
            share = (grade.share or Decimal(0)) * 100
            parts.append(f"{grade.name}：{'前' if number == 0 else '其后'} {fmt(share)}%")
    parts.append(f"其余为{grades[-1].name}")
    text = "；".join(parts)
    if classification.by == "share":
        text += "（名次线 = 累计比例 × 参评单位数，四舍五入）"
    if ruleset.adjustments.vetoes:
        text += f"；一票否决的单位定为{classification.lowest}"
    return text


def _ranking_note(ruleset: Ruleset) -> str:
    text = "按总分从高到低排名，总分相同的并列同一名次，其后名次顺延"
    if ruleset.ranking.tie_break:
        names = {c.id: c.name for c in ruleset.categories} | {i.id: i.name for i in ruleset.indicators}
        text += "；总分相同时依次比较" + "、".join(names.get(key, key) for key in ruleset.ranking.tie_break)
    return text


def _adjustment_notes(ruleset: Ruleset) -> list[tuple[str, str]]:
    adjust = ruleset.adjustments
    notes = []
    for label, items, cap in (("加分项", adjust.bonus, adjust.bonus_cap), ("扣分项", adjust.deductions,
                                                                            adjust.deduction_cap)):
        if items:
            verb = "加" if label == "加分项" else "扣"
            text = "；".join(_item_note(item, verb) for item in items)
            if cap is not None:
                text += f"；合计不超过 {fmt(cap)} 分"
            notes.append((label, text))
    if adjust.vetoes:
        notes.append(("一票否决", "；".join(item.name + _source(item) for item in adjust.vetoes)))
    if adjust.total_floor is not None and (adjust.deductions or adjust.vetoes):
        notes.append(("总分下限", f"扣分后总分不低于 {fmt(adjust.total_floor)} 分"))
    return notes


def _item_note(item: Item, verb: str) -> str:
    cap = f"，本项最多 {fmt(item.cap)} 分" if item.cap is not None else ""
    return f"{item.name}：每次{verb} {fmt(item.points)} 分{cap}{_source(item)}"


def _source(item: Item) -> str:
    return f"（{item.source}）" if item.source else ""


INDICATOR_HEADER = ["序号", "指标", "类别", "计量单位", "方向", "基期值", "目标", "分值", "计分方法", "牵头部门",
                    "出处", "备注"]


def indicator_rows(ruleset: Ruleset) -> list[list[str]]:
    """Every indicator with its baseline, target, points, rule, lead and source."""
    categories = {c.id: c.name for c in ruleset.categories}
    rows = []
    for number, indicator in enumerate(ruleset.indicators, 1):
        baseline = "—" if indicator.baseline is None else fmt(indicator.baseline)
        rows.append([str(number), indicator.name, categories.get(indicator.category or "", ""), indicator.unit,
                     DIRECTION_LABELS[indicator.direction], baseline, target_text(ruleset, indicator),
                     fmt(indicator.points), indicator.rule.label, indicator.lead, indicator.source,
                     "；".join(indicator.notes)])
    return rows


# -- each unit ------------------------------------------------------------------------------

ADJUSTMENT_HEADER = ["排名", "单位", "类别", "事项代码", "事项", "次数", "分值"]


def adjustment_rows(batch: BatchResult) -> list[list[Any]]:
    """One row per unit and bonus, deduction or veto item applied to it, in rank order:
    rank, unit, 加分/扣分/一票否决, the item's id and name, how many times, points
    (before the caps on all items together)."""
    rows = []
    for rank, unit, adjustments in zip(batch.units.column("rank"), batch.units.column("unit"),
                                       batch.units.column("adjustments")):
        for line in adjustments:
            rows.append([rank, unit, KIND_LABELS.get(line.kind, line.kind), line.item, line.name, line.count,
                         line.points])
    return rows


def adjustment_text(unit: UnitResult) -> str:
    """The items applied to a unit in one line: 获中国质量奖 1 次 +5；被通报批评 2 次 −4."""
    parts = []
    for line in unit.adjustments:
        if line.kind == "veto":
            parts.append(f"{line.name}（一票否决）")
        else:
            sign = "+" if line.kind == "bonus" else "−"
            parts.append(f"{line.name} {fmt(line.count)} 次 {sign}{fmt(line.points)}")
    return "；".join(parts)


#: A notice's kind in words.
NOTICE_KINDS = {"sheet": "工作表", "title": "标题行", "header": "表头", "column": "列", "row": "行", "hidden": "隐藏行列",
                "merged": "合并单元格", "unit": "单位名称", "fractions": "小数形式的百分比", "year": "考核年度",
                "roster": "单位名单", "figure": "基期、上年等数据",
                "source": "数值来源", "missing": "缺失数值"}
NOTICE_HEADER = ["提示", "文件", "工作表", "位置", "内容"]


def notice_rows(batch: BatchResult) -> list[list[str]]:
    """What was done with the data (:attr:`BatchResult.notices`), one row per notice:
    what it is about, the file, sheet, place, and what was done."""
    rows = []
    for notice in batch.notices:
        place = notice.cell or (f"第{notice.row}行" if notice.row is not None else "")
        if notice.column:
            place = f"{place} {notice.column}".strip()
        rows.append([NOTICE_KINDS.get(notice.kind, notice.kind), notice.file or "", notice.sheet or "", place,
                     notice.message])
    return rows or [["（无）", "", "", "", "读入数据时没有跳过、转换或推定任何内容"]]


def targets_met(unit: UnitResult) -> tuple[int, int]:
    """How many of the unit's targets it met, of how many were assessed (exempt and
    target-less indicators and missing values are not assessed)."""
    assessed = [result.met for result in unit.indicators if result.met is not None]
    return sum(1 for met in assessed if met), len(assessed)


def on_track_label(batch: BatchResult) -> str:
    """达标, or 进度达标 when the year's targets are points on the path to the horizon."""
    interim = batch.year < batch.ruleset.horizon_year and any(follows_path(i) for i in batch.ruleset.indicators)
    return "进度达标" if interim else "达标"


# -- where a result comes from --------------------------------------------------------------

def provenance_rows(provenance: Provenance | None) -> list[list[str]]:
    """The 来源 rows (:data:`PROVENANCE_HEADER`): an empty 内容 is "none" (an installed
    ruleset, a detected encoding …), said in words in 说明."""
    if provenance is None:
        return [[RULESET, "", "", "由已读入的表格计分，没有可核对的文件"]]
    options = provenance.options
    roster = options.roster
    rows = [[VERSION, provenance.qscore_version or "", "", "" if provenance.qscore_version else "未安装（源码运行）"],
            [RULESET, provenance.ruleset, "", ""],
            [RULESET_FILE, provenance.ruleset_file or "", provenance.ruleset_sha256 or "",
             "" if provenance.ruleset_file else
             f"已安装的规则集，按代码 {provenance.ruleset} 查找" if provenance.ruleset_sha256 else "在程序中构建，没有文件"],
            [YEAR, str(provenance.year), "", ""],
            [GIVEN_YEAR, "" if options.year is None else str(options.year), "",
             "未指定：按数据所写年度、规则集默认年度或目标年" if options.year is None else "--year"]]
    rows += [[DATA, source.name, source.sha256, ""] for source in provenance.data]
    rows += [[ENCODING, options.encoding or "", "", "" if options.encoding else "自动识别（BOM，否则 UTF-8，否则 GB18030）"],
             [SHEET, options.sheet or "", "", "" if options.sheet else "打开时显示的工作表"],
             [IGNORE_UNKNOWN, _yes(options.ignore_unknown), "", ""],
             [PARTIAL, _yes(options.partial), "", ""],
             [ROSTER, "" if roster is None else roster.name, "" if roster is None else roster.sha256,
              "规则集所列名单" if roster is None else ""],
             [HIDDEN, HIDDEN_LABELS[options.hidden], "", ""],
             [MERGED, MERGED_LABELS[options.merged], "", ""],
             [FRACTIONS, "乘以 100" if options.percent_fractions else "拒绝", "", ""]]
    return rows


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def provenance_from_rows(rows: Sequence[Sequence[Any]], where: str) -> Provenance:
    """The :class:`Provenance` that :func:`provenance_rows` wrote (read back from a 来源
    sheet or section).

    :param where: the file and sheet, for messages.
    :raises QscoreError: for rows that are not a provenance, naming what is missing.
    """
    from qscore.errors import QscoreError

    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        cells = ["" if cell is None else str(cell).strip() for cell in (*row, "", "", "")]
        found.setdefault(cells[0], []).append((cells[1], cells[2]))

    def one(label: str, allowed: Sequence[str] | None = None) -> tuple[str, str]:
        if len(found.get(label, ())) != 1:
            raise QscoreError(_("{where}: the provenance has no '{label}' row, or more than one").format(
                    where=where, label=label))
        value = found[label][0]
        if allowed is not None and value[0] not in allowed:
            raise QscoreError(_("{where}: the provenance's '{label}' is {value!r}, not one of {allowed}").format(
                    where=where, label=label, value=value[0], allowed=', '.join(allowed)))
        return value

    year, given = one(YEAR)[0], one(GIVEN_YEAR)[0]
    for label, text in ((YEAR, year), (GIVEN_YEAR, given or "0")):
        if not text.isdigit():
            raise QscoreError(_("{where}: the provenance's '{label}' is not a year: {text!r}").format(
                    where=where, label=label, text=text))
    ruleset_file, ruleset_sha256 = one(RULESET_FILE)
    roster_file, roster_sha256 = one(ROSTER)
    hidden = {label: key for key, label in HIDDEN_LABELS.items()}
    merged = {label: key for key, label in MERGED_LABELS.items()}
    options = ScoringOptions(
        year=int(given) if given else None, encoding=one(ENCODING)[0] or None, sheet=one(SHEET)[0] or None,
        ignore_unknown=one(IGNORE_UNKNOWN, ("是", "否"))[0] == "是", partial=one(PARTIAL, ("是", "否"))[0] == "是",
        roster=SourceFile(name=roster_file, sha256=roster_sha256) if roster_file else None,
        hidden=hidden[one(HIDDEN, tuple(hidden))[0]], merged=merged[one(MERGED, tuple(merged))[0]],
        percent_fractions=one(FRACTIONS, ("乘以 100", "拒绝"))[0] == "乘以 100")
    return Provenance(ruleset=one(RULESET)[0], ruleset_sha256=ruleset_sha256 or None, year=int(year),
                      data=tuple(SourceFile(name=name, sha256=sha256) for name, sha256 in found.get(DATA, ())),
                      options=options, qscore_version=one(VERSION)[0] or None, ruleset_file=ruleset_file or None)

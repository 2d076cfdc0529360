"""The report for leadership: one self-contained HTML page, in Chinese, that prints on A4.

The page holds everything it shows — styles, plotly.js, every chart's figures — so it
opens on an intranet with no internet, and a browser prints it with the summary first
(headline, charts, the table of every unit, what was done with the data, the rules and
their assumptions, where the result comes from) and then one page per unit with its full explanation (the text of
``qscore explain``).  A notebook calls :func:`html_report`::

    batch = qscore.score("shizhu-township", "townships-2025.csv", year=2025, explain=True)
    Path("报告.html").write_bytes(html_report(batch))

Every figure a reader sees sits in an element marked ``data-verify`` with where it is
(``各单位得分 · 西沱镇 · 总分``), so that ``qscore verify`` can compare a report with the
one it recomputes, figure by figure.  The same batch gives the same bytes: no date, no
random chart id, figures encoded by plotly's standard-library JSON engine.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from qscore.model import NOT_APPLICABLE, BatchResult, UnitResult
from qscore.numbers import fmt, plain
from qscore.writing import notes
from qscore.writing.text import summary_rows

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

#: Fonts every intranet machine may have for Chinese text; none is fetched.
FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimHei", '
         '"WenQuanYi Micro Hei", sans-serif')
#: Colours of the grades or tiers, best first (the last repeats).
CLASS_COLOURS = ("#1F4E79", "#2E75B6", "#9DC3E6", "#F4B183", "#C55A11", "#7F7F7F")
CATEGORY_COLOURS = ("#2E75B6", "#70AD47", "#FFC000", "#5B9BD5", "#ED7D31", "#A5A5A5", "#264478", "#9E480E")
#: The width of the charts in CSS pixels: the text width of an A4 page with 15 mm margins.
PAGE_WIDTH = 680
#: Units in a chart of every unit beyond which the chart shows the first this many.
CHART_MAX_UNITS = 200


@attrs.frozen
class Chart:
    """A chart of the report: its element id, caption and plotly figure as JSON."""

    id: str
    caption: str
    figure: str
    small: bool = False


@attrs.frozen
class Line:
    """A line of a unit's explanation: its kind (for the layout) and its text; a table
    row has its cells."""

    kind: str
    text: str
    cells: tuple[str, ...] = ()


def html_report(batch: BatchResult, *, year_over_year: YearOverYear | None = None) -> bytes:
    """The report of ``batch`` as one HTML file (UTF-8).

    :param batch: scored with ``explain=True`` (each unit's section shows how every
        figure was worked out).
    :param year_over_year: last year against this one, from a comparison
        (:func:`qscore.rounds.report.year_over_year` of :func:`qscore.rounds.compare.compare`).
    """
    from plotly.offline import get_plotlyjs

    page = _template().render(
        title=notes.title(batch), ruleset=batch.ruleset, year=batch.year, fonts=FONTS, page_width=PAGE_WIDTH,
        headline=headline(batch), charts=charts(batch), table=ranking_table(batch),
        year_over_year=year_over_year,
        notice_header=notes.NOTICE_HEADER, notices=notes.notice_rows(batch),
        rules=notes.ruleset_notes(batch.ruleset), assumptions=batch.ruleset.assumptions,
        indicator_header=notes.INDICATOR_HEADER, indicators=notes.indicator_rows(batch.ruleset),
        provenance_header=notes.PROVENANCE_HEADER, provenance=notes.provenance_rows(batch.provenance),
        verify_note=notes.VERIFY_NOTE, units=list(unit_sections(batch, year_over_year)), plotlyjs=get_plotlyjs())
    return str(page).encode("utf-8")


@functools.cache
def _template() -> Any:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.PackageLoader("qscore.writing", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.get_template("report.html.j2")


def write_html(batch: BatchResult) -> bytes:
    """The ``html`` output format: :func:`html_report` without a comparison."""
    return html_report(batch)


# -- the headline ---------------------------------------------------------------------------

def headline(batch: BatchResult) -> list[tuple[str, str]]:
    """The summary at the top, as (what, text) pairs."""
    units = batch.units
    ruleset = batch.ruleset
    if not units:
        return [("参评单位", "0 个")]
    lines = [("参评单位", f"{len(units)} 个{ruleset.unit_kind}"), ("考核年度", f"{batch.year} 年")]
    if ruleset.classification is not None:
        counted = Counter(units.column("tier"))
        lines.append(("等次分布", "，".join(f"{grade.name} {counted.get(grade.name, 0)} 个"
                                            for grade in ruleset.classification.grades)))
    vetoed = sum(units.column("vetoed"))
    if vetoed:
        lines.append(("一票否决", f"{vetoed} 个"))
    ranks, names, totals = units.column("rank"), units.column("unit"), units.column("total")
    vetoes = units.column("vetoed")
    lines.append(("第一名", _places(names, totals, ranks, vetoes, ranks[0])))
    lines.append(("末位", _places(names, totals, ranks, vetoes, ranks[-1])))
    label = notes.on_track_label(batch)
    met = [notes.targets_met(unit) for unit in units]
    assessed = [pair for pair in met if pair[1]]
    if assessed:
        whole = sum(1 for got, of in assessed if got == of)
        lines.append((f"全部目标{label}", f"{whole} 个单位（共 {len(units)} 个）"))
        lines.append((f"目标{label}率", f"{sum(got for got, _ in assessed)} / {sum(of for _, of in assessed)} 项次"))
    return lines


def _places(names: Sequence[str], totals: Sequence[Decimal], ranks: Sequence[int], vetoes: Sequence[bool],
            rank: int) -> str:
    return "、".join(f"{name}（{plain(total)} 分{'，一票否决' if vetoed else ''}）"
                    for name, total, at, vetoed in zip(names, totals, ranks, vetoes) if at == rank)


# -- the table of every unit ----------------------------------------------------------------

@attrs.frozen
class Table:
    """The table of every unit: the header, and per unit its name and cells."""

    header: list[str]
    rows: list[tuple[str, list[str]]]
    numeric: frozenset[int]


def ranking_table(batch: BatchResult) -> Table:
    """Rank, unit, total, tier, subtotals, bonus, deductions, veto, 距上一等次, the targets
    met and the items applied, per unit in rank order."""
    header, rows = summary_rows(batch, detail=False, text=str)
    label = notes.on_track_label(batch)
    header += [label, "加减分事项"]
    out = []
    for row, unit in zip(rows, batch.units):
        got, of = notes.targets_met(unit)
        out.append((unit.unit, [*row, f"{got}/{of}" if of else "—", notes.adjustment_text(unit) or "—"]))
    text_columns = {1, 3, len(header) - 4, len(header) - 1}
    return Table(header, out, frozenset(set(range(len(header))) - text_columns))


# -- year over year -------------------------------------------------------------------------

@attrs.frozen
class YearOverYear:
    """The year-over-year view (made from a comparison by
    :func:`qscore.rounds.report.year_over_year`).

    :param old_year: last year.
    :param old_source: where last year's results come from (a file, ``rounds.db:2024``).
    :param notes: what the reader must know (rounds scored with another ruleset file).
    :param header: the table's header.
    :param rows: a row per unit: totals, change, data and target effects, ranks, tiers.
    :param changes: unit → its change in one line, for its page.
    """

    old_year: int
    old_source: str
    notes: tuple[str, ...]
    header: list[str]
    rows: list[list[str]]
    changes: Mapping[str, str]


# -- each unit ------------------------------------------------------------------------------

@attrs.frozen
class UnitSection:
    """A unit's page: its heading, its explanation's lines, last year against this one."""

    unit: str
    rank: int
    total: str
    tier: str | None
    lines: list[Line]
    change: str | None


def unit_sections(batch: BatchResult, year_over_year: YearOverYear | None = None) -> Iterator[UnitSection]:
    from qscore.writing.explain import explain_unit

    for unit in batch.units:
        lines = list(explanation_lines(explain_unit(batch, unit)))
        change = None if year_over_year is None else year_over_year.changes.get(unit.unit)
        yield UnitSection(unit.unit, unit.rank, plain(unit.total), unit.tier, lines, change)


_INDICATOR = re.compile(r"^\s*\d+\. ")
_RULE = re.compile(r"^[\s-]+$")


def explanation_lines(text: str) -> Iterator[Line]:
    """The lines of an explanation (:func:`qscore.writing.explain.explain_unit`), each
    with its kind: ``title``, ``summary``, ``category``, ``indicator``, ``detail``, a
    table's ``head`` and ``row`` (with cells), or ``closing``.  Empty lines and a
    table's rule are left out; every other line's text is kept as it is."""
    lines = text.splitlines()
    table_until = -1
    for number, line in enumerate(lines):
        if not line.strip():
            continue
        if number <= table_until:
            if not _RULE.match(line):
                yield Line("row", line, tuple(re.split(r"\s{2,}", line.strip())))
            continue
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if following.strip() and _RULE.match(following) and "-" in following:
            table_until = next((n for n in range(number + 2, len(lines)) if not lines[n].strip()), len(lines)) - 1
            yield Line("head", line, tuple(re.split(r"\s{2,}", line.strip())))
        elif number == 0:
            yield Line("title", line)
        elif line.startswith("单位："):
            yield Line("summary", line)
        elif line.startswith("【"):
            yield Line("category", line)
        elif _INDICATOR.match(line):
            yield Line("indicator", line)
        elif line.startswith("     "):
            yield Line("detail", line)
        else:
            yield Line("closing", line)


# -- charts ---------------------------------------------------------------------------------

def charts(batch: BatchResult) -> list[Chart]:
    """The report's charts: totals by rank with the classes, subtotals stacked per unit,
    each indicator's values against the year's target, and the points each unit lost on
    each indicator."""
    if not batch.units:
        return []
    shown = batch.units[:CHART_MAX_UNITS]
    more = f"（前 {len(shown)} 名，共 {len(batch.units)} 个单位）" if len(shown) < len(batch.units) else ""
    found = [Chart("chart-totals", f"图1 各单位总分与{_class_word(batch)}{more}", _json(_totals(batch, shown))),
             Chart("chart-subtotals", f"图2 各单位分类得分{more}", _json(_subtotals(batch, shown))),
             Chart("chart-lost", f"图3 各单位各指标失分（满分 − 得分）{more}", _json(_lost(batch, shown)))]
    for number, (indicator, figure) in enumerate(_distributions(batch), 1):
        found.append(Chart(f"chart-values-{number}", f"图4.{number} {indicator}", _json(figure), small=True))
    return found


def _class_word(batch: BatchResult) -> str:
    classification = batch.ruleset.classification
    if classification is None:
        return "排名"
    return "等次" if classification.by == "score" else "方阵"


def _json(figure: Figure) -> str:
    """A figure as JSON by the standard-library engine (whatever else is installed), so
    the same figure always gives the same text; ``<`` is escaped, safe in a script."""
    import plotly.io

    return str(plotly.io.to_json(figure, validate=False, pretty=False, engine="json"))


def _layout(**more: Any) -> dict[str, Any]:
    layout = {"template": "none", "font": {"family": FONTS, "size": 11, "color": "#222"}, "width": PAGE_WIDTH,
              "margin": {"l": 120, "r": 20, "t": 30, "b": 40}, "paper_bgcolor": "white", "plot_bgcolor": "white",
              "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}}
    layout.update(more)
    return layout


def _unit_axis(names: Sequence[str]) -> dict[str, Any]:
    """A category axis of unit names, the first at the top."""
    return {"type": "category", "categoryorder": "array", "categoryarray": list(names), "autorange": "reversed",
            "tickfont": {"size": 10}, "automargin": True}


def _height(count: int) -> int:
    return 90 + 18 * count


def _floats(values: Sequence[Decimal | None]) -> list[float | None]:
    return [None if value is None else float(value) for value in values]


def _totals(batch: BatchResult, units: Sequence[UnitResult]) -> Figure:
    import plotly.graph_objects as go

    ruleset = batch.ruleset
    names = [unit.unit for unit in units]
    figure = go.Figure(layout=_layout(height=_height(len(units)), barmode="overlay", yaxis=_unit_axis(names),
                                      xaxis={"title": {"text": "总分"}, "gridcolor": "#ddd", "zeroline": False}))
    classes = [grade.name for grade in ruleset.classification.grades] if ruleset.classification else [None]
    for number, name in enumerate(classes):
        mine = [unit for unit in units if unit.tier == name]
        if not mine:
            continue
        figure.add_trace(go.Bar(
            orientation="h", x=[float(unit.total) for unit in mine], y=[unit.unit for unit in mine],
            name=name or "总分", marker={"color": CLASS_COLOURS[min(number, len(CLASS_COLOURS) - 1)]},
            text=[plain(unit.total) for unit in mine], textposition="outside", cliponaxis=False,
            customdata=[[unit.rank] for unit in mine],
            hovertemplate="%{y}<br>第 %{customdata[0]} 名<br>总分 %{text}<extra>" + (name or "") + "</extra>"))
    classification = ruleset.classification
    if classification is not None and classification.by == "score":
        for grade in classification.grades[:-1]:
            figure.add_vline(x=float(grade.min_score or 0), line={"dash": "dash", "color": "#888", "width": 1},
                             annotation={"text": f"{grade.name} ≥ {fmt(grade.min_score)}", "font": {"size": 10}},
                             annotation_position="top")
    elif classification is not None:  # tiers by rank or share: a line between two tiers
        for position in range(1, len(units)):
            if units[position].tier != units[position - 1].tier:
                figure.add_hline(y=position - 0.5, line={"dash": "dash", "color": "#888", "width": 1})
    figure.update_layout(showlegend=classification is not None)
    return figure


def _subtotals(batch: BatchResult, units: Sequence[UnitResult]) -> Figure:
    import plotly.graph_objects as go

    ruleset = batch.ruleset
    names = [unit.unit for unit in units]
    figure = go.Figure(layout=_layout(height=_height(len(units)), barmode="relative", yaxis=_unit_axis(names),
                                      xaxis={"title": {"text": "得分"}, "gridcolor": "#ddd"}))
    if ruleset.categories:
        parts = [(category.name, [unit.subtotals[category.id] for unit in units]) for category in ruleset.categories]
    else:
        parts = [(indicator.name, [unit.indicators[n].points for unit in units])
                 for n, indicator in enumerate(ruleset.indicators)]
    if any(unit.bonus for unit in units):
        parts.append(("加分", [unit.bonus for unit in units]))
    if any(unit.deductions for unit in units):
        parts.append(("扣分", [-unit.deductions for unit in units]))
    for number, (name, values) in enumerate(parts):
        colour = "#C00000" if name == "扣分" else CATEGORY_COLOURS[number % len(CATEGORY_COLOURS)]
        figure.add_trace(go.Bar(orientation="h", x=_floats(values), y=names, name=name, marker={"color": colour},
                                hovertemplate="%{y}<br>" + name + " %{x}<extra></extra>"))
    return figure


def _lost(batch: BatchResult, units: Sequence[UnitResult]) -> Figure:
    """Per unit (rows) and indicator (columns): full marks minus points; blank where the
    indicator does not apply to the unit."""
    import plotly.graph_objects as go

    indicators = batch.ruleset.indicators
    lost = [[None if result.value == NOT_APPLICABLE else float(result.max_points - result.points)
             for result in unit.indicators] for unit in units]
    labels = [_short(indicator.name) for indicator in indicators]
    figure = go.Figure(go.Heatmap(
        z=lost, x=labels, y=[unit.unit for unit in units], zmin=0, colorscale=[[0, "#FFFFFF"], [1, "#C00000"]],
        xgap=1, ygap=1, colorbar={"title": {"text": "失分"}, "thickness": 12},
        texttemplate="%{z}" if len(units) * len(indicators) <= 1200 else None, textfont={"size": 9},
        customdata=[[indicator.name for indicator in indicators]] * len(units),
        hovertemplate="%{y}<br>%{customdata}<br>失分 %{z}<extra></extra>"),
        layout=_layout(height=_height(len(units)) + 90, yaxis=_unit_axis([unit.unit for unit in units]),
                       xaxis={"side": "top", "tickangle": -45, "tickfont": {"size": 9}, "automargin": True}))
    return figure


def _short(name: str, most: int = 10) -> str:
    return name if len(name) <= most else name[:most - 1] + "…"


def _distributions(batch: BatchResult) -> Iterator[tuple[str, Figure]]:
    """Per indicator, the units' values against the target each was scored against."""
    import plotly.graph_objects as go

    units = batch.units
    values_of, targets_of = units.result_columns("value"), units.result_columns("target")
    names = units.column("unit")
    for indicator, values, targets in zip(batch.ruleset.indicators, values_of, targets_of):
        suffix = f"（{indicator.unit}）" if indicator.unit else ""
        figures = [(name, value, target) for name, value, target in zip(names, values, targets)
                   if isinstance(value, Decimal)]
        missing = sum(1 for value in values if value is None)
        exempt = sum(1 for value in values if value == NOT_APPLICABLE)
        remark = "，".join(part for part in (f"{missing} 个单位无数据" if missing else "",
                                            f"{exempt} 个单位不适用" if exempt else "") if part)
        title = f"{indicator.name}{suffix}" + (f"（{remark}）" if remark else "")
        layout = _layout(width=PAGE_WIDTH // 2 - 10, height=150, showlegend=True,
                         margin={"l": 10, "r": 10, "t": 10, "b": 30},
                         legend={"orientation": "h", "y": -0.35, "x": 0, "font": {"size": 9}},
                         xaxis={"gridcolor": "#eee", "zeroline": False}, yaxis={"visible": False})
        figure = go.Figure(layout=layout)
        levels = [value for value in values if isinstance(value, str) and value != NOT_APPLICABLE]
        if levels:
            counted = Counter(levels)
            figure.add_trace(go.Bar(x=list(counted), y=list(counted.values()), name="单位数",
                                    marker={"color": CATEGORY_COLOURS[0]}))
            figure.update_layout(yaxis={"visible": True, "gridcolor": "#eee"})
        if figures:
            figure.add_trace(go.Box(x=[float(value) for _, value, _ in figures], name="实际值",
                                    text=[name for name, _, _ in figures], boxpoints="all", jitter=0.4,
                                    pointpos=0, orientation="h", marker={"color": CATEGORY_COLOURS[0], "size": 5},
                                    line={"color": "#5B9BD5"}, fillcolor="rgba(91,155,213,0.15)",
                                    hovertemplate="%{text}<br>%{x}<extra></extra>"))
            shown_targets = [(name, target) for name, _, target in figures if target is not None]
            if shown_targets:
                figure.add_trace(go.Scatter(
                    x=[float(target) for _, target in shown_targets], y=["实际值"] * len(shown_targets),
                    text=[name for name, _ in shown_targets], mode="markers", name=f"{batch.year}年目标",
                    marker={"symbol": "line-ns-open", "size": 22, "color": "#C00000", "line": {"width": 2}},
                    hovertemplate="%{text}<br>目标 %{x}<extra></extra>"))
        if not figures and not levels:
            figure.add_annotation(text="无可用数据", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
        yield title, figure

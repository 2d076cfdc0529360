"""Questions after a ranking: ``whatif`` (what must a unit achieve?) and ``robustness``
(how sure are the ranks and tiers?)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qscore.cli.app import (_check_year, catalog, check_format_suffix, check_output, data_inputs, data_options,
                            data_paths, echo, echo_notices, emit, main, scoring_ruleset)
from qscore.i18n import N_, _

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from qscore.analysis.case import Case
    from qscore.limits import Limits

#: robustness's formats and the suffix of each.
ROBUSTNESS_SUFFIXES = {"table": ".txt", "json": ".json", "html": ".html"}
RANK_GOAL = re.compile(r"^\s*(?:rank\s*|第\s*)(\d+)\s*名?\s*$", re.IGNORECASE)


def unit_named(case: Case, unit: str, data: Sequence[str]) -> str:
    """The unit of ``case`` called ``unit`` (spaces around it ignored).

    :raises click.BadParameter: naming the data and the closest names, when there is none.
    """
    import difflib

    name = unit.strip()
    if name not in case.dataset.units:
        close = difflib.get_close_matches(name, case.dataset.units, n=3, cutoff=0.3)
        hint = _("; did you mean {names}?").format(names=" / ".join(close)) if close else ""
        raise click.BadParameter(_("no unit '{unit}' in {data}{hint}").format(
                unit=unit, data=" + ".join(data), hint=hint), param_hint="UNIT")
    return name


def _case(ctx: click.Context, ruleset_name: str, data: tuple[str, ...], year: int | None, encoding: str | None,
          sheet: str | None, ignore_unknown: bool, limits: Limits, units: str | None = None, partial: bool = False,
          hidden: str | None = None, fill_merged: bool = False, percent_fractions: bool = False,
          quiet: bool = False) -> Case:
    """The data bound once, read with the data options as ``rank`` reads it; its notices
    (rows skipped, the year chosen …) printed on stderr unless ``quiet`` (the caller
    printed them)."""
    from qscore.analysis.case import load_case

    found = catalog(ctx)
    ruleset = scoring_ruleset(found, ruleset_name)
    _check_year(ruleset, year)
    paths = data_paths(data, units)
    case = load_case(ruleset, paths[0] if len(paths) == 1 else paths, year=year, catalog=found, ignore_unknown=ignore_unknown, encoding=encoding,
                     sheet=sheet, limits=limits, units=units, partial=partial,
                     hidden=hidden or "refuse", merged="fill" if fill_merged else "refuse",  # type: ignore[arg-type]
                     percent_fractions=percent_fractions)
    for notice in () if quiet else case.dataset.notices:
        echo(_("notice: {notice}").format(notice=notice), err=True)
    return case


def _goal(value: str | None) -> str | int | None:
    if value is None:
        return None
    match = RANK_GOAL.match(value)
    return int(match.group(1)) if match else value.strip()


@main.command()
@data_options
@click.argument("unit")
@click.option("--to", "goal", metavar="CLASS|'rank N'",
              help=_("The grade, tier or rank to reach (default: the next grade or tier up)."))
@click.option("--fix", multiple=True, metavar="指标,…",
              help=_("Indicators (id or name, comma-separated, repeatable) the unit cannot change."))
@click.option("--proposals", type=click.IntRange(1, 10), default=3, show_default=True,
              help=_("Most proposals shown, each with another set of indicators."))
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True,
              help=_("Output format."))
@click.pass_context
def whatif(ctx: click.Context, unit: str, goal: str | None, fix: tuple[str, ...], proposals: int, fmt: str,
           **options: Any) -> None:
    """What UNIT must achieve to reach the next grade or tier: the smallest sets of value
    improvements, best first, each re-scored with the whole batch."""
    from qscore.analysis.report import whatif_json, whatif_text
    from qscore.analysis.whatif import whatif as ask

    case = _case(ctx, **options)
    name = unit_named(case, unit, options["data"])
    batch = case.score()
    echo_notices(batch)  # units scored 0 for a missing value …
    result = ask(case, name, to=_goal(goal), fix=fix, limit=proposals, batch=batch)
    if fmt == "json":
        emit(whatif_json(result), None, inputs={})
        return
    batch_year = case.year if case.year is not None else case.ruleset.horizon_year
    echo(whatif_text(result, case.ruleset, batch_year, len(case.dataset.units)), nl=False)


def _range(text: str | None, *, relative: bool, name: str) -> Decimal | None:
    """``±20%``, ``20%``, ``0.2`` (relative) or ``±2``, ``2`` as a number."""
    from decimal import Decimal, InvalidOperation

    from qscore.limits import number_problem

    if text is None:
        return None
    cleaned = text.strip().lstrip("±").removeprefix("+-").strip()
    percent = cleaned.endswith("%")
    try:
        number = Decimal(cleaned.rstrip("%").strip())
    except InvalidOperation:
        raise click.BadParameter(_("'{text}' is not a range such as {example}").format(
            text=text, example="±20%" if relative else "±2"), param_hint=f"'--{name}'") from None
    if not number.is_finite() or number < 0 or (percent and not relative):
        raise click.BadParameter(_("'{text}' is not a range such as {example}").format(
            text=text, example="±20%" if relative else "±2"), param_hint=f"'--{name}'")
    problem = number_problem(number, text, N_("a range"))  # 1e999 would overflow the sampling
    if problem:
        raise click.BadParameter(problem, param_hint=f"'--{name}'")
    return number / 100 if percent else number


@main.command()
@data_options
@click.option("--samples", type=click.IntRange(1, 1_000_000), default=1000, show_default=True,
              help=_("How many samples of the assumptions."))
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help=_("The seed: the same seed, the same result."))
@click.option("--points", "points_range", metavar="±20%",
              help=_("How far each indicator's full marks (and each bonus or deduction item's points) may be off "
                   "(default: the ruleset's [assumption_ranges], else ±20%)."))
@click.option("--cutoffs", "cutoffs_range", metavar="±2",
              help=_("How far each cut-off may move: points by score, places by rank, percentage points by share "
                   "(default: the ruleset's, else ±2)."))
@click.option("--missing", type=click.Choice(("drop", "zero", "median")),
              help=_("Missing values: drop the unit, score 0, or take the other units' median "
                   "(default: as the ruleset says)."))
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help=_("Processes for large batches."))
@click.option("--format", "fmt", type=click.Choice(tuple(ROBUSTNESS_SUFFIXES)),
              help=_("Output format (default: from -o's suffix, else table; html: the table and each unit's rank "
                     "interval drawn)."))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help=_("Write to this file instead of stdout."))
@click.pass_context
def robustness(ctx: click.Context, samples: int, seed: int, points_range: str | None, cutoffs_range: str | None,
               missing: str | None, workers: int, fmt: str | None, output: str | None, **options: Any) -> None:
    """How sure each unit's rank and tier are: a Monte-Carlo over the ruleset's assumed
    weights, cut-offs and bonus values; per unit the median rank, the 5–95 % interval,
    each tier's probability and the change of weights that flips its tier."""
    from qscore.analysis.report import robustness_html, robustness_json, robustness_text
    from qscore.analysis.robustness import robustness as study

    suffix = Path(output).suffix.lower() if output not in (None, "-") else ""
    fmt = fmt or next((name for name, known in ROBUSTNESS_SUFFIXES.items() if known == suffix), "table")
    check_format_suffix(fmt, output, ROBUSTNESS_SUFFIXES)
    points = _range(points_range, relative=True, name="points")
    cutoffs = _range(cutoffs_range, relative=False, name="cutoffs")
    inputs = {**data_inputs(options["data"], options["units"]), N_("ruleset"): _file_or_none(options["ruleset_name"])}
    if output not in (None, "-"):
        check_output(output, inputs)  # before the work, not after
    case = _case(ctx, **options)
    if missing is None:  # the ruleset's policy: units scored 0 for a missing value are named
        echo_notices(case.score())
    result = study(case, samples=samples, seed=seed, points=points, cutoffs=cutoffs,
                   missing=missing, workers=workers)  # type: ignore[arg-type]
    if fmt == "json":
        data = robustness_json(result)
    elif fmt == "html":
        data = robustness_html(result)
    else:
        data = robustness_text(result).encode("utf-8")
    emit(data, output, inputs={**inputs, N_("ruleset file"): case.ruleset.file}, escape=fmt == "table")


def _file_or_none(name: str) -> str | None:
    """``name`` when it names a file (a ruleset given as a path), else ``None`` (an id)."""
    try:
        return name if Path(name).is_file() else None
    except OSError:
        return None

"""``qscore validate``'s lint: what can be wrong in a ruleset that loads, each named by line.

The loader (:mod:`qscore.rulesets`) is the one validator of a ruleset's shape and
consistency: unknown keys and rule types, duplicate ids and names, bands and classes
out of order, years out of order, references to nothing.  It reports every problem
with its TOML path; :func:`problem_findings` gives each its line.  Lint adds only what
a ruleset that loads could still get wrong.

Two severities.  An **error** means qscore would score something other than the plan
or the scoring sheet says, or cannot tell two things apart: points that do not add up
to a declared total, a trend target whose words go against the indicator's direction,
two indicators or items a column header could name, a worked example that does not come
out.  A **warning** is legitimate but suspicious, worth a second look: a target on the
wrong side of the baseline for its direction, a top band or class that no unit can
reach.  ``qscore validate`` exits 1 on any error and 0 with warnings only.

``tomllib`` keeps no line numbers, so :class:`Locator` finds tables and keys in the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from qscore.authoring.examples import check_example
from qscore.errors import RulesetError
from qscore.i18n import N_, _
from qscore.model import Indicator, Ruleset
from qscore.numbers import ZERO, fmt
from qscore.reading.binding import header_key
from qscore.targets import Absolute, Change, Growth, Trend

if TYPE_CHECKING:
    from qscore.plugins.manager import Catalog

ERROR, WARNING = N_("error"), N_("warning")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_\-]+)\s*=""")
_INDEX = re.compile(r"\[\d+\]$")
#: The line tomllib names, as its message or a hint for it gives it (``line 12, column 8: …``).
_TOML_LINE = re.compile(r"^(?:.*\(at )?(?:line (\d+)\b|第 (\d+) 行)")
#: Words of a trend target's text that say which way a unit must move.
FALLING = ("降低", "下降", "减少", "减小")
RISING = ("提高", "提升", "增长", "增加", "上升")


@attrs.frozen
class Finding:
    """One lint finding.

    :param severity: ``error`` or ``warning``.
    :param where: the table as load errors name it, e.g. ``indicators[3] (食品抽检合格率)``
        (empty where the message names it, as the loader's problems do).
    :param message: what is wrong and what was expected.
    :param line: the 1-based line in the file, ``None`` when it cannot be found.
    """

    severity: str = attrs.field(validator=attrs.validators.in_((ERROR, WARNING)))
    where: str
    message: str
    line: int | None = None

    def render(self, file: str) -> str:
        place = f"{file}:{self.line}" if self.line else file
        if self.where:
            return _("{place}: {severity}: {where}: {message}").format(
                place=place, severity=_(self.severity), where=self.where, message=self.message)
        return _("{place}: {severity}: {message}").format(place=place, severity=_(self.severity), message=self.message)


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

    def locate(self, table: str | None, field: str | None = None) -> int | None:
        """The line of a TOML path as the loader names it: ``indicators[3] (食品抽检合格率)``
        and ``rule.bands``, ``classification.grades[2]`` and ``min_score``, or no table
        for the top level.  The deepest key written on a line of its own wins; else the
        header of the deepest table; ``None`` when neither is in the text."""
        tables = table.split(" (", 1)[0].split(".") if table else []
        path = tables + (field.split(".") if field else [])
        for split in range(len(path) - 1, -1, -1):
            key = (".".join(path[:split]), _INDEX.sub("", path[split]))
            if key in self._lines:
                return self._lines[key]
        for end in range(len(tables), 0, -1):
            if (line := self._lines.get((".".join(tables[:end]), None))) is not None:
                return line
        return None


class _Findings:
    def __init__(self, locator: Locator) -> None:
        self.locator = locator
        self.found: list[Finding] = []

    def add(self, severity: str, table: str, message: str, key: str | None = None, label: str = "") -> None:
        where = f"{table} ({label})" if label else table
        self.found.append(Finding(severity, where, message, self.locator.line(table, key)))


def problem_findings(error: RulesetError, locator: Locator) -> list[Finding]:
    """The loader's problems as error findings, each on the line its TOML path points to."""
    found = []
    for problem in error.problems:
        line = locator.locate(problem.table, problem.field)
        if line is None and (match := _TOML_LINE.search(problem.message)):
            line = int(match.group(1) or match.group(2))
        found.append(Finding(ERROR, "", problem.describe(), line))
    return found


def lint_ruleset(ruleset: Ruleset, locator: Locator, catalog: Catalog | None = None) -> list[Finding]:
    """Checks on a ruleset that loaded: totals, targets against baselines and directions,
    headers that name two things, reachability, examples."""
    out = _Findings(locator)
    _category_totals(ruleset, out)
    for number, indicator in enumerate(ruleset.indicators, 1):
        _target_side(indicator, f"indicators[{number}]", out)
        _trend_words(indicator, f"indicators[{number}]", out)
        _top_band(indicator, f"indicators[{number}]", out)
        _change_words(indicator, f"indicators[{number}]", out)
    _header_clashes(ruleset, out)
    _reachable_grades(ruleset, out)
    for number, example in enumerate(ruleset.examples, 1):
        for problem in check_example(ruleset, example, catalog):
            out.add(ERROR, f"examples[{number}]", problem, label=example.name)
    return out.found


# -- checks on a loaded ruleset ------------------------------------------------------------

def _category_totals(ruleset: Ruleset, out: _Findings) -> None:
    for number, category in enumerate(ruleset.categories, 1):
        if category.points is None:
            continue
        members = [i for i in ruleset.indicators if i.category == category.id]
        total = sum((i.points for i in members), ZERO)
        if total != category.points:
            sums = " + ".join(fmt(i.points) for i in members) or "0"
            out.add(ERROR, f"categories[{number}]", _("declares {points} points but its indicators "
                    "carry {sums} = {total}").format(
                    points=fmt(category.points), sums=sums, total=fmt(total)), key="points", label=category.name)


def _target_side(indicator: Indicator, table: str, out: _Findings) -> None:
    target, baseline, higher = indicator.target, indicator.baseline, indicator.direction == "higher"
    message = None
    if isinstance(target, Absolute) and baseline is not None and target.value != baseline \
            and (target.value < baseline) == higher:
        message = (_("target {target} is below the baseline {baseline} though {direction} is better") if higher
                   else _("target {target} is above the baseline {baseline} though {direction} is better")).format(
            target=fmt(target.value), baseline=fmt(baseline), direction=indicator.direction)
    elif isinstance(target, Change):
        change = target.percent if target.percent is not None else target.points
        if change is not None and change != 0 and (change < 0) == higher:
            message = _("the target changes the baseline by {change} though {direction} is better").format(
                change=fmt(change), direction=indicator.direction)
    elif isinstance(target, Growth) and target.annual_percent < 0 and higher:
        message = _("annual growth {growth}% shrinks though higher is better").format(growth=fmt(target.annual_percent))
    if message:
        out.add(WARNING, table, _("{problem}; check direction and target").format(problem=message), key="target", label=indicator.name)


def _trend_words(indicator: Indicator, table: str, out: _Findings) -> None:
    """持续降低 on a higher-is-better indicator would be scored as 持续提高: say so."""
    target = indicator.target
    if not isinstance(target, Trend):
        return
    higher = indicator.direction == "higher"
    wrong, right = (FALLING, RISING) if higher else (RISING, FALLING)
    said = next((word for word in wrong if word in target.text), None)
    if said is not None and not any(word in target.text for word in right):
        moves = _("rises above") if higher else _("falls below")
        out.add(ERROR, table, _("the trend target says '{said}' ({text}) but {direction} is better, "
                "so a unit meets it only if its value {moves} the previous year's; correct the direction or the "
                "text").format(
                said=said, text=target.text, direction=indicator.direction,
                moves=moves), key="target", label=indicator.name)


def _header_clashes(ruleset: Ruleset, out: _Findings) -> None:
    """Ids, names and aliases of two indicators or items that one column header would
    name (read as the data binder reads headers): the column could only go to one."""
    owners: dict[str, tuple[str, str, str]] = {}  # header key -> (owner's table, field, as written)
    things = [(f"indicators[{n}]", i.name, [("id", i.id), ("name", i.name), *(("alias", a) for a in i.aliases)])
              for n, i in enumerate(ruleset.indicators, 1)]
    for kind in ("bonus", "deductions", "vetoes"):
        things += [(f"adjustments.{kind}[{n}]", item.name, [("id", item.id), ("name", item.name)])
                   for n, item in enumerate(getattr(ruleset.adjustments, kind), 1)]
    for table, label, headers in things:
        for field, text in headers:
            owner, owner_field, written = owners.setdefault(header_key(text), (table, field, text))
            if owner != table:
                out.add(ERROR, table, _("{field} {text!r} reads as the same column header as the {owner_field} "
                        "{written!r} of {owner}; a column headed so could only go to one of them").format(
                        field=field, text=text, owner_field=owner_field, written=written, owner=owner),
                        key="aliases" if field == "alias" else field, label=label)


#: Words of an indicator's name that say its figure is a change, not a share.
CHANGE_WORDS = ("增长", "增速", "增幅", "降低率", "下降", "降幅", "减少", "减排", "提高率", "变化率")


def _change_words(indicator: Indicator, table: str, out: _Findings) -> None:
    """A ``%`` indicator named as a change (降低率, 增长率) but read as a share: a unit whose
    figure fell below 0 (emissions rose) or passed 100 could not report it."""
    word = next((word for word in CHANGE_WORDS if word in indicator.name), None)
    if word is not None and indicator.share:
        out.add(WARNING, table, _("'{word}' in the name says the figure is a change, which may be negative or "
                "above 100, but it is read as a percentage in 0–100; set change = true").format(word=word),
                key="unit", label=indicator.name)


def _top_band(indicator: Indicator, table: str, out: _Findings) -> None:
    bands = getattr(indicator.rule, "bands", None)
    if indicator.rule.type == "bands" and bands and bands[0].points < indicator.points:
        out.add(WARNING, table, _("the best band gives {points} of the {points2} points: "
                "no value earns full marks").format(
                points=fmt(bands[0].points), points2=fmt(indicator.points)), key="rule", label=indicator.name)


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
            out.add(WARNING, "classification", _("class '{name}' needs {min_score} but the most a "
                    "unit can score is {best}").format(
                    name=grade.name, min_score=fmt(grade.min_score), best=fmt(best)), key="grades")

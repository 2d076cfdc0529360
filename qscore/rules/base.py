"""The base every scoring rule type derives from, built-in or a plug-in's."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import attrs
from attrs import validators as v

from qscore.errors import PluginError
from qscore.i18n import _
from qscore.numbers import ZERO, exact, meets, to_decimal
from qscore.registry import Registry

Value = Decimal | str


def decimal_field(default: Any = attrs.NOTHING, *, positive: bool = False) -> Any:
    """A rule parameter that is a number: TOML integers and decimals become ``Decimal``."""
    checks = [v.instance_of(Decimal), v.gt(ZERO) if positive else v.ge(ZERO)]
    return attrs.field(default=default, converter=to_decimal, validator=checks, kw_only=True)


@attrs.frozen
class Rule(abc.ABC):
    """A scoring rule bound to one indicator (its full marks and direction).

    A rule type is a subclass registered through the ``qscore_register_rules`` hook; its
    attrs fields after the three below are the parameters a ruleset gives in
    ``rule = { type = "...", ... }``.  Rules return exact points; the engine rounds once.

    :param full: the indicator's full marks.
    :param direction: ``higher`` or ``lower`` is better.
    :param strict: the target must be beaten, not merely equalled (trend targets).
    """

    #: the id rulesets use in ``type = ...``.
    type: ClassVar[str]
    #: the Chinese name of the custom, shown in explanations.
    label: ClassVar[str]
    #: ``number`` or ``level`` (a completion level such as 基本完成).
    value_kind: ClassVar[str] = "number"
    #: whether the rule compares with a target.
    uses_target: ClassVar[bool] = True
    #: whether the rule needs the whole batch at once (排序赋分).
    batch: ClassVar[bool] = False

    full: Decimal = attrs.field(converter=to_decimal, validator=v.ge(ZERO), kw_only=True)
    direction: str = attrs.field(default="higher", validator=v.in_(("higher", "lower")), kw_only=True)
    strict: bool = attrs.field(default=False, kw_only=True)

    @classmethod
    def parameters(cls) -> tuple[str, ...]:
        """The names a ruleset may give in ``rule = {...}``."""
        return tuple(a.name for a in attrs.fields(cls) if a.name not in ("full", "direction", "strict"))

    @abc.abstractmethod
    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        """Exact points in [0, full] for one unit's present value."""

    @abc.abstractmethod
    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        """The arithmetic behind :meth:`points`, with the same figures."""

    def met(self, value: Value, target: Decimal | None) -> bool | None:
        """Whether the value reaches the target (``None`` where the rule has none)."""
        if target is None or not isinstance(value, Decimal):
            return None
        return meets(value, target, self.direction, self.strict)

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...] | None:
        """The values where this rule's points jump or change pace, for one unit.

        Between two neighbouring breakpoints the points stay the same or follow one
        straight line, and past the best one they no longer rise: a what-if search
        (:func:`qscore.analysis.whatif`) tries these values rather than every number.
        Level rules give their level names.  The order does not matter.

        :param target: the unit's target this year (``None`` where the rule has none).
        :param baseline: the unit's base-year value, ``None`` where there is none.
        :param others: the other units' values, for rules that place a unit among them.
        :return: the values, or ``None`` when the rule does not say (the default): the
            search then bisects :meth:`points` and assumes only that points never fall
            as the value gets better.
        """
        return None

    def among(self, others: Sequence[Value]) -> Callable[[Value], Decimal] | None:
        """For a batch rule: one unit's points (unrounded) at any value of its own, the
        other units' values (``others``, each present) staying as they are.

        A what-if search asks this for many values of one unit; ``None`` (the default)
        has it score the whole column again for each.
        """
        return None

    def points_batch(self, values: Sequence[Value], targets: Sequence[Decimal | None],
                     baselines: Sequence[Decimal | None]) -> list[Decimal]:
        """Points for every unit with a value; batch rules override this."""
        return [self.points(*case) for case in zip(values, targets, baselines)]

    def explain_batch(self, values: Sequence[Value], targets: Sequence[Decimal | None],
                      baselines: Sequence[Decimal | None]) -> list[str]:
        """Every unit's :meth:`explain`, one sentence per distinct case (an explanation,
        like the points, depends on the figures alone)."""
        said: dict[tuple[object, ...], str] = {}
        lines = []
        for case in zip(values, targets, baselines):
            key = (exact(case[0]), exact(case[1]), exact(case[2]))
            line = said.get(key)
            if line is None:
                line = said[key] = self.explain(*case)
            lines.append(line)
        return lines

    def _comparison(self) -> str:
        if self.direction == "higher":
            return ">" if self.strict else "≥"
        return "<" if self.strict else "≤"


RuleTypes = Mapping[str, type[Rule]]


class RuleRegister:
    """What ``qscore_register_rules`` receives: call it with a :class:`Rule` subclass."""

    def __init__(self, registry: Registry[type[Rule]], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, rule_type: type[Rule]) -> None:
        if not (isinstance(rule_type, type) and issubclass(rule_type, Rule)) or not getattr(rule_type, "type", ""):
            raise PluginError(_("register() takes a qscore.rules.Rule subclass with a 'type', got {rule_type!r}").format(
                    rule_type=rule_type),
                              plugin=self.plugin)
        self._registry.add(rule_type.type, rule_type, self.plugin)

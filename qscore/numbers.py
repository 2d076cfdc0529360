"""Decimal helpers shared by rules, targets and explanations."""

from __future__ import annotations

from decimal import Decimal

from qscore.i18n import N_, _
from qscore.limits import number_problem

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
SHOWN_PLACES = 4
# Figures whose leading digit is this many powers of ten from 1 are shown with an exponent.
EXTENT = 40


def exact(value: object) -> object:
    """A key that tells apart whatever may be written differently: a decimal by its sign,
    digits and exponent, which its text spells out one to one (``98.5`` and ``98.50`` are
    two keys, as a sentence may show either), anything else as itself.  Units whose
    figures have equal keys share one explanation."""
    return (Decimal, str(value)) if isinstance(value, Decimal) else value


def fmt(number: Decimal | None) -> str:
    """``number`` as an examiner would write it: no exponent, no trailing zeros.

    Figures with more than four decimals (an interim target of 1/3, say) are shown to
    four places with ``≈``; the scoring itself keeps the exact value.
    """
    if number is None:
        return "—"
    if number.is_zero():
        return "0"  # never "-0"
    if not number.is_finite() or not -EXTENT < number.adjusted() < EXTENT:
        return str(number)  # out of any ruleset's or data's bounds: too long to write out
    if number == number.to_integral_value():
        return f"{number.quantize(ONE):f}"
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -SHOWN_PLACES:
        return "≈" + f"{number.quantize(Decimal(1).scaleb(-SHOWN_PLACES)).normalize():f}"
    return f"{number.normalize():f}"


def plain(number: Decimal) -> str:
    """``number`` with every digit it has and no exponent (``87.50``), as outputs write
    a figure; zero is never written ``-0.00``."""
    if number.is_zero():
        number = number.copy_abs()
    return f"{number:f}"


def signed(number: Decimal) -> str:
    """``+ 2`` or ``− 13``: a term added in a formula, with its sign spaced out."""
    return f"+ {fmt(number)}" if number >= 0 else f"− {fmt(-number)}"


def to_decimal(value: object) -> Decimal:
    """A ruleset number (TOML integer or decimal) as ``Decimal``, within the bounds of
    a data cell (:data:`qscore.limits.NUMBER_LIMIT`, :data:`~qscore.limits.MAX_PLACES`);
    anything else is refused.

    :raises TypeError: for a value that is not a number.
    :raises ValueError: for a number out of bounds, NaN or an infinity.
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(_("expected a number, got {value!r}").format(value=value))
    number = Decimal(value)
    problem = number_problem(number, str(number), N_("a ruleset figure"))
    if problem:
        raise ValueError(problem)
    return number


def clamp(number: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return low if number < low else high if number > high else number


def meets(value: Decimal, target: Decimal, direction: str, strict: bool = False) -> bool:
    """Whether ``value`` reaches ``target`` in the better ``direction``."""
    if direction == "higher":
        return value > target if strict else value >= target
    return value < target if strict else value <= target

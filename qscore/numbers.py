"""Decimal helpers shared by rules, targets and explanations."""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
SHOWN_PLACES = 4


def fmt(number: Decimal | None) -> str:
    """``number`` as an examiner would write it: no exponent, no trailing zeros.

    Figures with more than four decimals (an interim target of 1/3, say) are shown to
    four places with ``≈``; the scoring itself keeps the exact value.
    """
    if number is None:
        return "—"
    if number == number.to_integral_value():
        return f"{number.quantize(ONE):f}"
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -SHOWN_PLACES:
        return "≈" + f"{number.quantize(Decimal(1).scaleb(-SHOWN_PLACES)).normalize():f}"
    return f"{number.normalize():f}"


def signed(number: Decimal) -> str:
    """``+ 2`` or ``− 13``: a term added in a formula, with its sign spaced out."""
    return f"+ {fmt(number)}" if number >= 0 else f"− {fmt(-number)}"


def to_decimal(value: object) -> Decimal:
    """A ruleset number (TOML integer or decimal) as ``Decimal``; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise TypeError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"expected a finite number, got {value}")
    return Decimal(value)


def clamp(number: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return low if number < low else high if number > high else number


def meets(value: Decimal, target: Decimal, direction: str, strict: bool = False) -> bool:
    """Whether ``value`` reaches ``target`` in the better ``direction``."""
    if direction == "higher":
        return value > target if strict else value >= target
    return value < target if strict else value <= target

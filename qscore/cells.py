"""Reading one spreadsheet cell the way an examiner meant it.

Excel users type ``98%``, ``９８．５`` (full-width), ``1,150``, `` 96 `` and mark "no
data" with ``-``, ``—`` or ``／``.  Parsing is strict about everything else: text, NaN and
infinities are refused with a message, never guessed at, and so are numerals that are
not digits: NFKC would fold a footnote mark into the figure (``97.5①`` → 97.51,
``1100¹`` → 11001).

:func:`normalise` is the one normalisation of texts, for data and rulesets alike: full-width
forms folded, invisible characters (zero-width space, byte-order mark, direction marks …)
removed, surrounding spaces stripped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from qscore.i18n import N_, _
from qscore.limits import MAX_PLACES, NUMBER_LIMIT, number_problem, shown

# 未填报 and its kin say the unit sent no figure: the same as an empty cell, not text.
MISSING_MARKS = frozenset({"", "-", "--", "—", "——", "–", "－", "\u2212", "/", "／", "无", "暂无", "未填报", "未报", "未上报", "未报送",
                           "缺报", "n/a", "na", "null", "none"})
EXEMPT_MARKS = frozenset({"不适用", "不考核", "免考核"})
TRUE_MARKS = frozenset({"是", "有", "y", "yes", "true", "√", "✓", "✔"})
FALSE_MARKS = frozenset({"否", "没有", "n", "no", "false", "×", "✗"})
# The bounds of a figure, the same for a data cell and a ruleset figure (qscore.limits).
TOO_LARGE = NUMBER_LIMIT
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# Excel writes large or tiny figures in scientific notation (1.15E+16) when it saves CSV.
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,9})?$")


# Characters that show as nothing: zero-width space, non-joiner and joiner, word joiner,
# byte-order mark (zero-width no-break space), soft hyphen, direction marks and embeddings,
# Mongolian vowel separator.  Copied from web pages and chat tools into names.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                      "\u2066\u2067\u2068\u2069\u180e\u2061\u2062\u2063\u2064")
_INVISIBLE_TABLE = dict.fromkeys(map(ord, INVISIBLE))
_INVISIBLE_RE = re.compile(f"[{''.join(sorted(INVISIBLE))}]")


class CellError(ValueError):
    """A cell that does not hold what was expected; the caller adds file, row and column."""


def normalise(text: str) -> str:
    """Full-width forms folded to ASCII (NFKC), invisible characters removed and
    surrounding spaces stripped."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii() and _INVISIBLE_RE.search(text):  # a search is 7 times cheaper than translate
        text = text.translate(_INVISIBLE_TABLE)
    return text.strip()


# A line break inside a cell (Alt+Enter in Excel) with the spaces around it.
_LINE_BREAK = re.compile(r"\s*[\n\r\v\f\x85\u2028\u2029]+\s*")
LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")


def one_line(text: str) -> str:
    """A name written on several lines of one cell (Alt+Enter in Excel, to fit a narrow
    column), as one line: the lines joined directly beside a Chinese character
    (南宾↵街道 → 南宾街道), with one space between two Latin letters or digits."""
    def join(match: re.Match[str]) -> str:
        before, after = text[match.start() - 1:match.start()], text[match.end():match.end() + 1]
        return " " if before.isascii() and after.isascii() and before and after else ""
    return _LINE_BREAK.sub(join, text).strip()


def normalise_all(texts: Sequence[str]) -> list[str]:
    """:func:`normalise` of each text.  A column already in normal form without invisible
    characters (a national file's unit names) is only stripped, checked in one sweep."""
    if all(map(_is_nfkc, texts)) and not _INVISIBLE_RE.search("".join(texts)):
        return list(map(str.strip, texts))
    return list(map(normalise, texts))


def _is_nfkc(text: str) -> bool:
    return unicodedata.is_normalized("NFKC", text)


def invisible(text: str) -> list[str]:
    """The invisible characters in ``text``, as ``U+200B``-style names, in order of appearance."""
    return [f"U+{ord(c):04X}" for c in _INVISIBLE_RE.findall(text)]


def _non_digit_numeral(text: str) -> str | None:
    """The first character that NFKC would fold into digits though it is not a digit
    (①, ¹, ⒈, ½), if any."""
    if text.isascii():
        return None
    return next((c for c in text if c.isnumeric() and not c.isdecimal()
                 and any(d.isdigit() for d in unicodedata.normalize("NFKC", c))), None)


class Exempt:
    """The value of a cell marked 不适用: the indicator does not apply to this unit."""

    _instance: Exempt | None = None

    def __new__(cls) -> Exempt:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "EXEMPT"


EXEMPT = Exempt()


def is_exempt(text: str) -> bool:
    return normalise(text) in EXEMPT_MARKS


def is_missing(text: str) -> bool:
    return normalise(text).lower() in MISSING_MARKS


def parse_number(text: str) -> Decimal | None:
    """The number in a cell (``None`` for a no-data mark); ``98%`` reads as 98.

    :raises CellError: for text, NaN, infinities and absurdly large figures.
    """
    cleaned = normalise(text)
    if cleaned.lower() in MISSING_MARKS:
        return None
    if "\u2212" in cleaned:  # the minus sign of Word and of pages copied from the web (−5)
        cleaned = cleaned.replace("\u2212", "-")
    mark = _non_digit_numeral(text)
    if mark is not None:
        raise CellError(_("expected a number, got {strip!r}: {mark!r} is a footnote mark or a numeral "
                        "that is not a digit; move the note out of the cell").format(
                strip=shown(text.strip()), mark=mark))
    body = cleaned[:-1].rstrip() if cleaned.endswith("%") else cleaned
    if _THOUSANDS.match(body):
        body = body.replace(",", "")
    if not _PLAIN.match(body):
        raise CellError(_("expected a number (such as 98.5, 98% or 1,150), got {strip!r}").format(
                strip=text.strip()))
    try:
        number = Decimal(body)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid numbers
        raise CellError(_("expected a number, got {strip!r}").format(strip=text.strip())) from None
    problem = number_problem(number, text.strip(), N_("an indicator value"))
    if problem:
        raise CellError(problem)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        number = number.quantize(Decimal(1))  # 1.5E+5 is shown as 150000 in explanations
    return number


def parse_count(text: str) -> Decimal:
    """How many times a bonus, deduction or veto item happened; empty and 否 are 0, 是 is 1."""
    cleaned = normalise(text).lower()
    if cleaned in TRUE_MARKS:
        return Decimal(1)
    if cleaned in FALSE_MARKS or cleaned in MISSING_MARKS:
        return Decimal(0)
    try:
        number = parse_number(text)
    except CellError:
        raise CellError(_("expected a count of occurrences (0, 1, 2 … or 是/否), got {strip!r}").format(
                strip=text.strip())) from None
    # 100% (a percent-formatted 1) is no count: read without its sign it would be 100 times.
    if number is None or number < 0 or number != number.to_integral_value() or cleaned.endswith("%"):
        raise CellError(_("expected a count of occurrences (0, 1, 2 … or 是/否), got {strip!r}").format(
                strip=text.strip()))
    return number

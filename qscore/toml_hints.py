"""What went wrong in a ruleset file that is not valid TOML, said as the fix.

``tomllib`` names the line and column where it stopped, in a parser's words (``Invalid
value``, ``Invalid statement``).  The mistakes people really make in a ruleset are few: a
Chinese quotation mark or full-width punctuation typed where TOML needs ASCII, a key in
Chinese left unquoted, text or a number with its unit left unquoted, a missing
``[[indicators]]`` line (so an indicator's keys land in the table above), a header in
full-width brackets, a file saved as GB18030 or UTF-16.  Each is recognised by reading
the offending line of the text itself; only the line and column are taken from the
parser's message.  Everything before the parser's stop is valid TOML, so the strings,
comments and brackets up to there are known exactly.
"""

from __future__ import annotations

import codecs
import re
import tomllib
import unicodedata
from collections.abc import Collection

import attrs

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_KEY_START = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_HEADER = re.compile(r"\s*(\[\[?)\s*([^\[\]]+?)\s*(\]\]?)\s*(?:#.*)?\Z")
#: Keys a block may carry that name the arrays of tables a ruleset has, for a header
#: written ``[indicators]`` where ``[[indicators]]`` was meant.
_ARRAYS = {"indicators", "categories", "examples", "adjustments.bonus", "adjustments.deductions",
           "adjustments.vetoes", "classification.grades"}
#: Characters typed on a Chinese keyboard, with their names and what TOML needs instead.
_CHINESE = {
    "“": ("a Chinese quotation mark", '"'), "”": ("a Chinese quotation mark", '"'),
    "‘": ("a Chinese quotation mark", "'"), "’": ("a Chinese quotation mark", "'"),
    "【": ("a Chinese square bracket", "["), "】": ("a Chinese square bracket", "]"),
    "、": ("a Chinese enumeration comma", ","), "，": ("a full-width comma", ","),
    "＝": ("a full-width equals sign", "="), "［": ("a full-width bracket", "["), "］": ("a full-width bracket", "]"),
    "｛": ("a full-width brace", "{"), "｝": ("a full-width brace", "}"), "＂": ("a full-width quotation mark", '"'),
    "＇": ("a full-width quotation mark", "'"), "＃": ("a full-width hash", "#"), "．": ("a full-width full stop", "."),
    "（": ("a full-width parenthesis", "("), "）": ("a full-width parenthesis", ")"),
    "；": ("a full-width semicolon", ";"),
}
#: ASCII that TOML reads outside strings; another ASCII character there is never TOML.
_TOML_ASCII = set("\"',=[]{}.#+-_ ")


def decode_message(raw: bytes, error: UnicodeDecodeError) -> str:
    """Why ``raw`` is not UTF-8 text, and the fix (save it as UTF-8)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return 'the file is saved as UTF-16 (Notepad\'s "Unicode"), not UTF-8; save it as UTF-8'
    text = bytes(error.object)  # what was decoded: the file past a UTF-8 byte-order mark
    line = text.count(b"\n", 0, error.start) + 1
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return f"line {line}: byte 0x{text[error.start]:02x} is not UTF-8 text; save the file as UTF-8"
    return f'line {line}: the file is saved as GB18030 (GBK, Notepad\'s "ANSI"), not UTF-8; save it as UTF-8'


def syntax_message(text: str, error: tomllib.TOMLDecodeError, indicator_keys: Collection[str]) -> str:
    """The hint for tomllib's ``error`` in ``text``, else its own message.

    :param indicator_keys: the keys only an indicator has, which tell that a block of
        keys is an indicator whose ``[[indicators]]`` line is missing.
    """
    position = _POSITION.search(str(error))
    if position:
        line, column = int(position.group(1)), int(position.group(2))
        hint = _Hints(text, line, column, indicator_keys).find()
        if hint:
            return hint
    return f"not valid TOML: {error}"


@attrs.frozen
class _Line:
    """One line of the text as the parser saw it.

    :param text: the line, without its line break.
    :param outside: the 0-based columns of the characters outside strings and comments.
    :param top: whether the line starts outside any bracket, where a statement may start.
    :param unclosed: the 0-based column of a one-line string still open at the line's end.
    """

    text: str
    outside: frozenset[int]
    top: bool
    unclosed: int | None


def _scan(text: str, last: int) -> list[_Line]:
    """Lines 1 … ``last`` of ``text``, each with what lies outside strings and comments."""
    lines: list[_Line] = []
    string: str | None = None  # the delimiter of the string being read
    depth = 0
    for text_line in text.split("\n")[:last]:
        if string in ('"', "'"):
            string = None  # a one-line string ends with its line (the parser stopped there)
        top, outside, start, i = depth == 0 and string is None, set(), None, 0
        while i < len(text_line):
            char = text_line[i]
            if string is None:
                if char in "\"'":
                    string = char * 3 if text_line.startswith(char * 3, i) else char
                    start, i = i, i + len(string)
                    continue
                if char == "#":
                    break
                outside.add(i)
                depth += (char in "[{") - (char in "]}")
            elif char == "\\" and string[0] == '"':
                i += 1
            elif text_line.startswith(string, i):
                i, string = i + len(string), None
                continue
            i += 1
        unclosed = start if string in ('"', "'") else None
        lines.append(_Line(text_line, frozenset(outside), top, unclosed))
    return lines


class _Hints:
    """The hints for one error at ``line``, ``column`` (1-based, as tomllib counts)."""

    def __init__(self, text: str, line: int, column: int, indicator_keys: Collection[str]) -> None:
        self.lines = _scan(text, line)
        self.number, self.column, self.indicator_keys = line, column - 1, indicator_keys
        self.here = self.lines[-1] if len(self.lines) == line else _Line("", frozenset(), True, None)
        self.following = text.split("\n")[line:]

    def find(self) -> str | None:
        return (self.header() or self.unit() or self.punctuation() or self.unclosed() or self.unquoted()
                or self.colon() or self.duplicate())

    def at(self, column: int, message: str) -> str:
        return f"line {self.number}, column {column + 1}: {message}"

    # -- characters typed on a Chinese keyboard --------------------------------------

    def header(self) -> str | None:
        """``［［indicators］］`` or ``【indicators】``: a header in full-width brackets."""
        text = self.here.text
        wrong = [i for i in sorted(self.here.outside) if text[i] in "［］【】"]
        if not wrong:
            return None
        ascii_text = text.translate(str.maketrans("［］【】", "[][]"))
        match = _HEADER.match(ascii_text)
        if not match or len(match.group(1)) != len(match.group(3)):
            return None
        written = text.strip().split("#", 1)[0].strip()
        header = f"{match.group(1)}{match.group(2)}{match.group(3)}"
        return self.at(wrong[0], f"{written} is written with full-width brackets; TOML needs {header}")

    def punctuation(self) -> str | None:
        """A full-width or Chinese character outside strings: at the parser's column, or before it."""
        text = self.here.text
        wrong = [i for i in sorted(self.here.outside) if i <= self.column and _ascii_for(text[i])]
        if not wrong:
            return None
        i = self.column if self.column in wrong else wrong[0]
        return self.at(i, _character_message(text[i]))

    def unclosed(self) -> str | None:
        """``"食品”``: a string opened with an ASCII quote and closed with a Chinese one."""
        start = self.here.unclosed
        if start is None:
            return None
        text = self.here.text
        quote = text[start]
        closers = [i for i in range(start + 1, len(text)) if _CHINESE.get(text[i], ("", ""))[1] == quote]
        return self.at(closers[-1], _character_message(text[closers[-1]])) if closers else None

    def unquoted(self) -> str | None:
        """A key or a text value in Chinese without quotes."""
        text, outside = self.here.text, self.here.outside
        if self.column not in outside or not _word_char(text[self.column]):
            return None
        start, end = self.column, self.column
        while start > 0 and start - 1 in outside and (_word_char(text[start - 1]) or text[start - 1] == "."):
            start -= 1
        while end < len(text) and end in outside and (_word_char(text[end]) or text[end] == "."):
            end += 1
        word = text[start:end]
        if word.isascii():
            return None
        after, before = text[end:].lstrip()[:1], text[:start].rstrip()[-1:]
        if after in ("=", "＝", "：", ":"):
            return self.at(start, f"the key {word} must be quoted, as a bare key holds only A-Z, a-z, 0-9, _ "
                                  f'and -: write "{word}"')
        if before in ("=", "[", ",") and not (self.here.top and text.lstrip().startswith("[")):
            value = re.split(r"\s*[,\[\]{}#]", text[start:], maxsplit=1)[0].rstrip()
            if not set(value) & set("\"'“”‘’\\"):
                return self.at(start, f'text must be quoted: write "{value}"')
        return None

    def unit(self) -> str | None:
        """``98%``, ``10分``: a number followed by its unit."""
        text, column = self.here.text, self.column
        if column not in self.here.outside or column == 0 or not text[column - 1].isdigit():
            return None
        if text[column].isspace() or text[column] in _TOML_ASCII or text[column].isdigit():
            return None
        number = re.search(r"[+-]?[0-9.]+\Z", text[:column])
        suffix = re.match(r"[^\s,\]}#]+", text[column:])
        assert number is not None and suffix is not None  # a digit before, a non-separator here
        if text[:number.start()].rstrip()[-1:] not in ("=", "[", ","):
            return None  # PM2.5浓度: a key, not a value
        if not all(char in "%％‰" or unicodedata.category(char) == "Lo" for char in suffix.group(0)):
            return None  # not a unit: punctuation, or a typing slip
        figure = number.group(0)
        return self.at(column, f"{figure}{suffix.group(0)} is not a number TOML reads; write {figure} "
                               f'(a unit goes in unit = "…", a remark after #)')

    def colon(self) -> str | None:
        """``id: "x"``: a colon where TOML puts ``=``."""
        text = self.here.text
        if self.column in self.here.outside and text[self.column] == ":" and self.here.top \
                and _KEY_START.match(text[:self.column] + "="):
            return self.at(self.column, "TOML needs = between a key and its value, not :")
        return None

    # -- a key or table given twice: often a missing [[indicators]] line ----------------

    def duplicate(self) -> str | None:
        """A key set a second time in its table, or a table declared a second time."""
        line = self.here
        if not line.top:
            return None
        match = _HEADER.match(line.text)
        if match and len(match.group(1)) == len(match.group(3)) == 1:
            return self._table_again(match.group(2))
        key = _key(line.text)
        if key is None:
            return None
        header: re.Match[str] | None = None
        first: int | None = None
        for number in range(len(self.lines) - 1, 0, -1):
            earlier = self.lines[number - 1]
            if not earlier.top:
                continue
            if found := _HEADER.match(earlier.text):
                header = found
                break
            if first is None and _key(earlier.text) == key:
                first = number
        if first is None:
            return None
        table = f"{header.group(1)}{header.group(2)}{header.group(3)}" if header else None
        where = f"in this {table} table" if table else "at the top level"
        said = f"line {self.number}: {key} is set a second time {where} (first at line {first}); "
        block = self._block_keys()
        if block & {"id", "name"}:  # a new element starts here
            if block & set(self.indicator_keys) or table == "[[indicators]]":
                return said + f"an [[indicators]] line is probably missing above line {self.number}"
            if header and header.group(1) == "[[":
                return said + f"a {table} line is probably missing above line {self.number}"
        return said + "keep one of them"

    def _table_again(self, name: str) -> str | None:
        name = re.sub(r"\s*\.\s*", ".", name)
        first = next((number for number, line in enumerate(self.lines[:-1], 1) if line.top
                      and (m := _HEADER.match(line.text)) and re.sub(r"\s*\.\s*", ".", m.group(2)) == name
                      and len(m.group(1)) == 1), None)
        if first is None:
            return None
        said = f"line {self.number}: [{name}] is declared a second time (first at line {first}); "
        if name in _ARRAYS:
            return said + f"write [[{name}]], in double brackets, above each one"
        return said + f"put its keys under one [{name}]"

    def _block_keys(self) -> set[str]:
        """The keys from the offending line to the next header."""
        keys = {_key(self.here.text)}
        for text in self.following:
            if text.lstrip().startswith("["):
                break
            keys.add(_key(text))
        return {key for key in keys if key}


def _key(text: str) -> str | None:
    """The first part of the key a ``key = value`` line sets, unquoted."""
    match = _KEY_START.match(text)
    return match.group(1).strip("\"'") if match else None


def _word_char(char: str) -> bool:
    """Part of a word someone would type as a key or a value (not TOML's punctuation)."""
    return not char.isspace() and char not in _TOML_ASCII and not _ascii_for(char) and char != ":"


def _ascii_for(char: str) -> str | None:
    """The ASCII character a full-width or Chinese one stands for, ``None`` for others."""
    if char in _CHINESE:
        return _CHINESE[char][1]
    if char.isascii():
        return None
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 and folded.isascii() and folded.isprintable() else None


def _character_message(char: str) -> str:
    replacement = _ascii_for(char)
    assert replacement is not None
    if char == "\u3000":
        return "the full-width space (U+3000) is not a space to TOML; type an ASCII space here"
    if char == "：":
        return "： is a full-width colon; TOML needs = between a key and its value"
    name = _CHINESE[char][0] if char in _CHINESE else (
        "a full-width digit" if replacement.isdigit() else "a full-width character")
    if replacement.isalnum() or replacement in _TOML_ASCII:
        return f"{char} is {name}; TOML needs the ASCII {replacement} here"
    return f"{char} is {name}, which TOML reads only inside quotes; put the text in quotes or after #"


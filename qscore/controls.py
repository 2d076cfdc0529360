"""Control characters made visible.

A unit name read from a file may hold an escape sequence (ESC ``[2J`` clears a
terminal; ESC ``]0;…`` sets its title) or a line break that would end a TOML comment.
Where qscore shows such text to a person, or writes it where it must stay one line,
each control character is written as ``\\x1b`` instead.  Files qscore writes as data
(CSV, JSON, XLSX) keep the text as it was read.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, and the C1 controls (U+0080–U+009F, which a
# terminal may take as ESC sequences: U+009B is CSI).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same and tab and line feed too: for text that must stay on one line.
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def escape_controls(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character written as ``\\xNN``; tabs and line
    breaks are kept unless ``one_line``."""
    pattern = _CONTROL_OR_BREAK if one_line else _CONTROL
    return pattern.sub(_escaped, text) if pattern.search(text) else text

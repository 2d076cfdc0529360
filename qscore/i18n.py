"""The language qscore speaks: Chinese or English, through the standard library's gettext.

English is the source language: a message's id is its English text, so English needs no
catalog.  Chinese comes from ``qscore/locale/zh/LC_MESSAGES/qscore.mo`` (click's own
words, ``Usage:`` and the like, from ``click.mo`` beside it), read once, on the first
Chinese message.

The language follows ``QSCORE_LANG`` (``zh`` or ``en``) when it is set, else the locale:
the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set, Chinese when it starts
with ``zh`` (``zh_CN.UTF-8``); on Windows, where these are rarely set, the user's
display language.  A message is translated when it is made, so a text made at import
time (a command's ``--help``) keeps the language of the process's start.  A module-level
text is marked with :func:`N_` and translated with :func:`_` where it is shown.
"""

from __future__ import annotations

import errno
import functools
import gettext
import os
import sys
from pathlib import Path
from typing import Literal

DOMAIN = "qscore"
LANG_ENV = "QSCORE_LANG"
Language = Literal["en", "zh"]
LOCALE_DIR = Path(__file__).parent / "locale"
#: The locale variables, in the order POSIX gives them precedence.
LOCALE_ENVS = ("LC_ALL", "LC_MESSAGES", "LANG")


def language() -> Language:
    """The language of qscore's messages: ``QSCORE_LANG``, else the locale."""
    chosen = _language_named(os.environ.get(LANG_ENV, ""))
    if chosen is not None:
        return chosen
    for name in LOCALE_ENVS:
        value = os.environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return _windows_language() if sys.platform == "win32" else "en"


def _language_named(value: str) -> Language | None:
    value = value.strip().lower()
    if value.startswith("zh"):
        return "zh"
    if value.startswith("en"):
        return "en"
    return None


def _windows_language() -> Language:
    """Chinese when the user's display language is (primary language 0x04, any region)."""
    import ctypes

    try:
        ui_language = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return "en"
    return "zh" if ui_language & 0x3FF == 0x04 else "en"


@functools.cache
def translations(lang: Language) -> gettext.NullTranslations:
    """The catalog of ``lang`` (English: none, the ids are the English texts)."""
    if lang == "en":
        return gettext.NullTranslations()
    own = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    own.add_fallback(gettext.translation("click", LOCALE_DIR, languages=[lang], fallback=True))
    return own


def _(message: str) -> str:
    """``message`` (its English text) in qscore's language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message for ``count`` (``1 problem``, ``3 problems``) in qscore's language."""
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a text made at import time for the catalog; :func:`_` translates it where shown."""
    return message


#: The system's reasons a file cannot be read or written, by error number: the system
#: gives them in its own language (English on most machines), not the user's.
_REASONS = {getattr(errno, name): text for name, text in (
    ("ENOSPC", N_("no space left on the disk")),
    ("EDQUOT", N_("the disk quota is used up")),
    ("EACCES", N_("permission denied")),
    ("EPERM", N_("operation not permitted")),
    ("EROFS", N_("the disk is read-only")),
    ("ENOENT", N_("no such file or folder")),
    ("ENOTDIR", N_("a part of the path is not a folder")),
    ("EISDIR", N_("it is a folder")),
    ("EFBIG", N_("the file is too large")),
    ("ENAMETOOLONG", N_("the file name is too long")),
    ("EIO", N_("input/output error (the disk or the network drive failed)")),
) if hasattr(errno, name)}


def os_reason(exc: OSError) -> str:
    """Why an operation on a file failed, in qscore's language where the error number is
    a common one, else as the system says it."""
    known = _REASONS.get(exc.errno) if exc.errno is not None else None
    return _(known) if known else exc.strerror or str(exc)


def translate_click() -> None:
    """Have click's own words (``Usage:``, ``Missing argument``, ``Show this message and
    exit.``) follow qscore's language.

    click reads them through gettext's global functions, imported by name into each of its
    modules; they are pointed at qscore's catalog instead (call before the commands are
    defined: some of click's texts are made by its decorators)."""
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
                 "_termui_impl", "shell_completion"):
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = _  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = ngettext  # type: ignore[attr-defined]

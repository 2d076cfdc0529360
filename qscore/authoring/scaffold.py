"""``qscore new-plugin NAME``: a new jurisdiction's plug-in, ready to install and test.

The files come from templates shipped inside qscore (``qscore/authoring/templates/plugin``), filled
in with :class:`string.Template`; nothing is written when the folder already exists.
"""

from __future__ import annotations

import re
import shutil
import string
import tempfile
from importlib.resources import files
from pathlib import Path

from qscore.errors import QscoreError
from qscore.i18n import _, os_reason

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
#: The longest plug-in name: its folder, package (qscore_NAME) and distribution must fit a file name.
NAME_LENGTH = 100

#: template file → where it goes in the new plug-in (itself a template).
LAYOUT = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "$package/__init__.py",
    "ruleset.toml.tmpl": "$package/rulesets/$name.toml",
    "units.csv.tmpl": "examples/units.csv",
    "test_plugin.py.tmpl": "tests/test_$package.py",
}


class ScaffoldError(QscoreError):
    """A plug-in folder that cannot be created."""


def check_name(name: str) -> str:
    """``name`` if it can be an entry-point name, ruleset id and package suffix, else ValueError."""
    if not NAME.match(name):
        raise ValueError(_("'{name}' is not a plug-in name: use lower-case letters and digits, words joined "
                         "by '-', starting with a letter (e.g. 'xianfeng-county')").format(
                name=name))
    if len(name) > NAME_LENGTH:
        raise ValueError(_("a plug-in name of {length} characters is too long to be a folder's name; use at most "
                           "{most}").format(length=len(name), most=NAME_LENGTH))
    return name


def new_plugin(name: str, parent: Path, *, title: str, jurisdiction: str) -> Path:
    """Create ``parent/name/`` from the templates and return it."""
    check_name(name)
    target = parent / name
    if target.exists():
        raise ScaffoldError(_("'{target}' already exists; choose another name or remove it").format(
                target=target))
    fields = {"name": name, "package": "qscore_" + name.replace("-", "_"), "distribution": f"qscore-{name}",
              "title": title, "jurisdiction": jurisdiction}
    templates = files("qscore.authoring").joinpath("templates", "plugin")
    # Build in a temporary sibling and rename, so a failure leaves no half-made plug-in.
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=parent))
    except OSError as exc:
        raise ScaffoldError(_("cannot create the plug-in in {parent}: {reason}").format(
            parent=parent, reason=os_reason(exc))) from None
    try:
        for source, destination in LAYOUT.items():
            path = staging / string.Template(destination).substitute(fields)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = string.Template(templates.joinpath(source).read_text(encoding="utf-8")).substitute(fields)
            path.write_text(text, encoding="utf-8")
        staging.rename(target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ScaffoldError(_("cannot create the plug-in in {parent}: {reason}").format(
                parent=parent, reason=os_reason(exc))) from None
        raise
    return target

"""Commands about rulesets and plug-ins: ``rulesets``, ``plugins``, ``show``, ``validate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qscore.cli.app import catalog, echo, echo_json, echo_table, list_format, main
from qscore.i18n import _

if TYPE_CHECKING:
    from qscore.model import Ruleset
    from qscore.plugins.manager import Catalog


@main.command()
@list_format
@click.pass_context
def rulesets(ctx: click.Context, fmt: str) -> None:
    """List the installed rulesets."""
    entries = catalog(ctx).rulesets.values()
    records = [{"id": e.ruleset.id, "title": e.ruleset.title, "jurisdiction": e.ruleset.jurisdiction,
                "level": e.ruleset.level, "unit_kind": e.ruleset.unit_kind, "indicators": len(e.ruleset.indicators),
                "plugin": e.plugin} for e in sorted(entries, key=lambda e: e.ruleset.id)]
    if fmt == "json":
        echo_json(records)
    else:
        echo_table([[r["id"], r["title"], r["jurisdiction"], r["unit_kind"], r["indicators"], r["plugin"]]
                    for r in records], [_("id"), "标题", "地区", "考核对象", "指标数", _("plug-in")])


@main.command()
@list_format
@click.pass_context
def plugins(ctx: click.Context, fmt: str) -> None:
    """List the active plug-ins and the hooks each implements."""
    infos = catalog(ctx).infos
    if fmt == "json":
        echo_json([{"name": i.name, "version": i.version, "source": i.source, "hooks": list(i.hooks)} for i in infos])
    else:
        echo_table([[i.name, i.version or "", i.source, ", ".join(i.hooks)] for i in infos],
                   [_("name"), _("version"), _("source"), _("hooks")])


@main.command()
@click.argument("ruleset")
@list_format
@click.pass_context
def show(ctx: click.Context, ruleset: str, fmt: str) -> None:
    """Show a ruleset's indicators, targets, leads, points and rules."""
    from qscore.writing.describe import ruleset_document

    document = ruleset_document(catalog(ctx).ruleset(ruleset))
    if fmt == "json":
        echo_json(document)
        return
    echo(f"{document['title']}（{document['id']}）— {document['jurisdiction']}，"
               f"{document['base_year']} → {document['horizon_year']}")
    echo_table([[i["id"], i["name"], i["category"] or "", i["unit"], "↑" if i["direction"] == "higher" else "↓",
                 _shown(i["baseline"]), i["target_text"], i["lead"], _shown(i["points"]), i["rule"]["label"]]
                for i in document["indicators"]],
               [_("id"), "指标", "类别", "单位", "方向", "基期", "目标", "牵头部门", "分值", "规则"])


def _shown(value: Any) -> str:
    from decimal import Decimal

    from qscore.numbers import fmt

    return fmt(value) if value is None or isinstance(value, Decimal) else str(value)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
def validate(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Check ruleset files and lint them; exit 1 if any has an error.

    Every problem is named by its line.  A file that does not load shows all its
    problems (unknown keys and rule types, duplicates, bands or classes out of order,
    years out of order …).  A file that loads is linted: errors (points that do not add
    up, a trend target whose words go against the direction, a header that names two
    things, worked examples that do not come out) fail; warnings (a target on the wrong
    side of the baseline, a top band or class no unit can reach) are shown and pass.
    """
    found = catalog(ctx)
    failed = 0
    for name in files:
        failed += not _validate_file(Path(name), found)
    if failed:
        raise click.ClickException(_("{failed} of {count} file(s) failed validation").format(
            failed=failed, count=len(files)))


def _validate_file(path: Path, found: Catalog) -> bool:
    """Load and lint one file, printing what is wrong by line; whether it passed."""
    from qscore.authoring.lint import ERROR, Locator, lint_ruleset, problem_findings
    from qscore.errors import RulesetError
    from qscore.rulesets import check_ruleset_file, load_ruleset

    try:
        check_ruleset_file(path)  # before it is read, for the lines
        locator = Locator(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, RulesetError):
        locator = Locator("")  # load_ruleset says what is wrong with the file
    ruleset: Ruleset | None = None
    try:
        ruleset = load_ruleset(path, found.rule_types, found.target_kinds)
    except RulesetError as exc:
        findings, more = problem_findings(exc, locator), exc.more
    else:
        findings, more = lint_ruleset(ruleset, locator, found), False
    for finding in sorted(findings, key=lambda f: f.line or 0):
        echo(finding.render(str(path)), err=True)
    errors = sum(f.severity == ERROR for f in findings)
    count = len(findings) - errors
    warnings = _(", {count} warning(s)").format(count=count) if count else ""
    if more:
        echo(_("✗ {file}: more than {errors} errors; the first {errors} are shown").format(file=path, errors=errors),
             err=True)
    elif ruleset is None or errors:
        echo(_("✗ {file}: {errors} error(s){warnings}").format(file=path, errors=errors, warnings=warnings), err=True)
    if ruleset is None or errors:
        return False
    examples = _(", {count} worked example(s) agree").format(count=len(ruleset.examples)) if ruleset.examples else ""
    echo(_("✓ {file}: {id}, {indicators} indicators, full marks {marks}{examples}{warnings}").format(
        file=path, id=ruleset.id, indicators=len(ruleset.indicators), marks=f"{ruleset.full_marks:f}",
        examples=examples, warnings=warnings))
    return True

"""Commands about rulesets and plug-ins: ``rulesets``, ``plugins``, ``show``, ``validate``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from qscore.cli.app import catalog, echo, echo_json, echo_table, list_format, main

if TYPE_CHECKING:
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
                    for r in records], ["id", "标题", "地区", "考核对象", "指标数", "plug-in"])


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
                   ["name", "version", "source", "hooks"])


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
               ["id", "指标", "类别", "单位", "方向", "基期", "目标", "牵头部门", "分值", "规则"])


def _shown(value: Any) -> str:
    from decimal import Decimal

    from qscore.numbers import fmt

    return fmt(value) if value is None or isinstance(value, Decimal) else str(value)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
def validate(ctx: click.Context, files: tuple[str, ...]) -> None:
    """Check ruleset files and lint them; exit 1 if any has an error.

    Lint findings name the line.  Errors (points that do not add up, unknown rule types,
    duplicates, overlapping bands or classes, years out of order, worked examples that
    do not come out) fail; warnings (a target on the wrong side of the baseline, a top
    band or class no unit can reach) are shown and pass.
    """
    found = catalog(ctx)
    failed = 0
    for name in files:
        failed += not _validate_file(Path(name), found)
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} file(s) failed validation")


def _validate_file(path: Path, found: Catalog) -> bool:
    """Load and lint one file, printing what is wrong; whether it passed."""
    import tomllib
    from decimal import Decimal

    from qscore.authoring.lint import ERROR, Locator, lint_data, lint_ruleset
    from qscore.errors import QscoreError
    from qscore.rulesets import load_ruleset

    findings, locator, ruleset, problem = [], None, None, None
    try:
        text = path.read_text(encoding="utf-8")
        locator = Locator(text)
        findings = lint_data(tomllib.loads(text, parse_float=Decimal), locator, found.rule_types)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        pass  # load_ruleset reports these in its own words (ValueError: TOML's, or a number of 4,300 digits)
    try:
        ruleset = load_ruleset(path, found.rule_types, found.target_kinds)
    except QscoreError as exc:
        problem = exc
    if ruleset is not None and locator is not None:
        findings += lint_ruleset(ruleset, locator, found)
    if problem is not None:
        echo(f"✗ {problem}", err=True)
    for finding in sorted(findings, key=lambda f: (f.line or 0, f.severity)):
        echo(finding.render(str(path)), err=True)
    errors = sum(f.severity == ERROR for f in findings)
    if ruleset is None or errors:
        if ruleset is not None:
            echo(f"✗ {path}: {errors} error(s)", err=True)
        return False
    warnings = len(findings) - errors
    echo(f"✓ {path}: {ruleset.id}, {len(ruleset.indicators)} indicators, full marks {ruleset.full_marks:f}"
               + (f", {len(ruleset.examples)} worked example(s) agree" if ruleset.examples else "")
               + (f", {warnings} warning(s)" if warnings else ""))
    return True

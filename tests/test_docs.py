"""Meta-tests: every hook is documented in docs/plugins.md, with each argument, and has a
test that names it; the documentation's code and worked examples are real."""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from pathlib import Path

import pytest

from qscore.plugins import hookspecs
from qscore.rulesets import EXAMPLE_KEYS

ROOT = Path(__file__).parent.parent
PLUGINS_DOC = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
RULESETS_DOC = (ROOT / "docs" / "rulesets.md").read_text(encoding="utf-8")
HOOKS = sorted(name for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
               if name.startswith("qscore_"))


def section(hook: str) -> str:
    parameters = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    heading = f"### `{hook}({parameters})`\n"
    assert heading in PLUGINS_DOC, f"docs/plugins.md has no heading {heading.strip()}"
    rest = PLUGINS_DOC.split(heading, 1)[1]
    return rest.split("\n### ", 1)[0]


def test_there_are_hooks_to_check():
    assert HOOKS == ["qscore_register_adjusters", "qscore_register_readers", "qscore_register_rules",
                     "qscore_register_rulesets", "qscore_register_targets", "qscore_register_writers"]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_every_argument_and_an_example(hook):
    text = section(hook)
    for parameter in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert f"- `{parameter}` —" in text, f"{hook}: argument '{parameter}' is not documented"
    code = re.findall(r"```python\n(.*?)```", text, re.S)
    assert code, f"{hook}: no example"
    assert any(f"def {hook}(" in block for block in code), f"{hook}: the example does not implement it"
    for block in code:
        ast.parse(block)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    tests = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != "test_docs.py"]
    assert any(re.search(rf"\bdef test_{hook}\w*\(", p.read_text(encoding="utf-8")) for p in tests), (
        f"no test named test_{hook}…")


# The rulesets example reads files shipped in a package: tests/authoring/test_new_plugin.py installs
# exactly that module with pip.
@pytest.mark.parametrize("hook", [h for h in HOOKS if h != "qscore_register_rulesets"])
def test_each_documented_example_loads_as_a_plug_in(hook, cli, write, tmp_path):
    # The example from the docs, saved as a folder plug-in, loads and implements its hook.
    code = next(b for b in re.findall(r"```python\n(.*?)```", section(hook), re.S) if f"def {hook}(" in b)
    write("plugins/documented.py", code)
    result = cli("--plugins-dir", str(tmp_path / "plugins"), "plugins", "--format", "json")
    assert result.exit_code == 0, result.output
    assert f'"{hook}"' in result.output


def test_every_example_key_is_documented():
    table = RULESETS_DOC.split("## Worked examples", 1)[1].split("\n## ", 1)[0]
    for key in EXAMPLE_KEYS:
        assert f"| `{key}` |" in table, f"[[examples]] key '{key}' is not in docs/rulesets.md"


def test_the_worked_example_in_rulesets_md_comes_out(cli, write):
    # docs/rulesets.md's example is written for tests/data/township.toml.
    block = RULESETS_DOC.split("## Worked examples", 1)[1]
    example = re.search(r"```toml\n(.*?)```", block, re.S).group(1)
    tomllib.loads(example)
    path = write("documented.toml", (ROOT / "tests" / "data" / "township.toml").read_text(encoding="utf-8")
                 + "\n" + example)
    result = cli("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "1 worked example(s) agree" in result.output


def test_the_template_module_shown_in_the_docs_is_the_one_shipped():
    shipped = (ROOT / "qscore" / "authoring" / "templates" / "plugin" / "__init__.py.tmpl").read_text(encoding="utf-8")
    shown = PLUGINS_DOC.split("## The template", 1)[1]
    code = re.search(r"```python\n(.*?)```", shown, re.S).group(1)
    assert code.strip() in shipped


def tutorial_import(cli, write, tmp_path) -> tuple[str, str]:
    """Run the tutorial's import-table step on the tutorial's own table."""
    table = re.search(r"```text\n(指标类别.*?)```", PLUGINS_DOC, re.S).group(1)
    path = write("示例县指标表.csv", table)
    out = tmp_path / "example-county.toml"
    result = cli("import-table", str(path), "--id", "example-county", "-o", str(out))
    assert result.exit_code == 0, result.output
    return result.stderr, out.read_text(encoding="utf-8")


def test_the_tutorial_import_says_what_the_docs_show(cli, write, tmp_path):
    stderr, text = tutorial_import(cli, write, tmp_path)
    shown = re.search(r"-o example-county/\S+\n(.*?)\n```", PLUGINS_DOC, re.S).group(1)
    assert stderr == shown + "\n"
    assert 'unit = "吨标煤/万元"\ndirection = "lower"' in text


def test_the_tutorial_worked_example_comes_out(cli, write, tmp_path):
    # Step 5 assumes 食品抽检合格率 was renamed food_pass_rate and given 40 points (step 4).
    _, text = tutorial_import(cli, write, tmp_path)
    text = text.replace('id = "i01"', 'id = "food_pass_rate"', 1)
    text = re.sub(r'(id = "food_pass_rate"[^\[]*?)points = [\d.]+', r"\1points = 40", text, count=1)
    example = re.search(r"```toml\n(# Worked by hand for 2027.*?)```", PLUGINS_DOC, re.S).group(1)
    path = write("finished.toml", text + "\n" + example)
    result = cli("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "1 worked example(s) agree" in result.output

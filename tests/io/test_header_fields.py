"""The ``@`` of a per-unit figure's header as a Chinese input method types it: ``＠``
(full-width).  Headers are matched ignoring full-width forms; the ``@`` that splits
``工程质量抽查符合率＠上年`` was not, and the column was refused as naming nothing.

The data are kaizhou-towns' example for 2027 with that one header typed full-width.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[2] / "examples" / "kaizhou" / "towns-2027.csv"


@pytest.fixture(autouse=True)
def seeds(allow_plugins) -> None:
    allow_plugins("kaizhou")


@pytest.mark.parametrize("at", ["＠", "﹫"])
def test_a_full_width_at_sign_splits_the_field_as_the_ascii_one_does(cli, tmp_path, at):
    text = EXAMPLE.read_text(encoding="utf-8-sig")
    assert text.count("工程质量抽查符合率@上年") == 1
    path = tmp_path / "towns-2027.csv"
    path.write_text(text.replace("工程质量抽查符合率@上年", f"工程质量抽查符合率{at}上年"), encoding="utf-8-sig")
    typed = cli("rank", "kaizhou-towns", str(path), "--format", "csv")
    example = cli("rank", "kaizhou-towns", str(EXAMPLE), "--format", "csv")
    assert (typed.exit_code, example.exit_code) == (0, 0), typed.output
    assert typed.stdout_bytes == example.stdout_bytes

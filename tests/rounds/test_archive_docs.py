"""docs/data.md describes the archive as qscore makes it: the schema printed there is the
schema created, every column is in the table of columns, and the example query runs."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

import qscore
from qscore.provenance import provenance_of
from qscore.rounds.archive import Archive

ROOT = Path(__file__).parent.parent.parent
SECTION = (ROOT / "docs" / "data.md").read_text(encoding="utf-8").split("## The archive of rounds", 1)[1]


def _objects(connection: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "ORDER BY type, name")
    return [(kind, name, table, " ".join(sql.split())) for kind, name, table, sql in rows]


def _documented_schema() -> str:
    return SECTION.split("The schema, exactly as qscore creates it", 1)[1].split("```sql\n", 1)[1].split("```", 1)[0]


def test_the_documented_schema_is_the_schema_created(tmp_path):
    documented = sqlite3.connect(":memory:")
    documented.executescript(_documented_schema())
    with Archive.open(tmp_path / "rounds.db", create=True):
        pass
    created = sqlite3.connect(tmp_path / "rounds.db")
    assert _objects(documented) == _objects(created)
    assert len(_objects(created)) == 12  # 7 tables, 3 indexes, 2 views


def test_every_column_is_described(tmp_path):
    with Archive.open(tmp_path / "rounds.db", create=True):
        pass
    connection = sqlite3.connect(tmp_path / "rounds.db")
    described = {match.group(1): match.group(2) for match in
                 re.finditer(r"^\| `(\w+)`(?: \(view\))? \| [^|]+ \| (.+) \|$", SECTION, re.M)}
    names = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
    assert sorted(described) == sorted(names)
    for name in names:
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({name})")]
        missing = [column for column in columns if f"`{column}`" not in described[name]]
        assert not missing, f"docs/data.md does not describe {name}.{', '.join(missing)}"


def test_the_example_query_gives_a_units_figures_by_year(tmp_path, allow_plugins):
    allow_plugins("shizhu")
    path = tmp_path / "rounds.db"
    with Archive.open(path, create=True) as archive:
        for year in (2024, 2025):
            data = ROOT / "examples" / "shizhu" / f"county-{year}.csv"
            batch = qscore.score("shizhu-county", data, year=year)
            archive.record(batch, provenance_of(batch, [data]))
    query = re.search(r"```sql\n(SELECT .*?)```", SECTION, re.S)
    assert query is not None
    rows = sqlite3.connect(path).execute(query.group(1)).fetchall()
    assert len(rows) == 2 * 32
    assert rows[0] == (2024, "石柱县", "制造业质量竞争力指数", "86.5", "86.75", "3.43", 0)
    assert rows[32] == (2025, "石柱县", "制造业质量竞争力指数", "87.8", "88.5", "3.20", 0)


@pytest.mark.parametrize("command", ["rank", "compare", "history"])
def test_the_section_names_each_command(command):
    assert f"qscore {command}" in SECTION

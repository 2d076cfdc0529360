"""Two things docs/rulesets.md states that a plan's author must otherwise guess: tiers by
rank count places (a tie at the cut puts both units above it), and a vetoed unit's value
takes part in a top-places target."""

from __future__ import annotations

RULESET = """
    id = "places"
    title = "名次测试"
    jurisdiction = "测试市"
    unit_kind = "区县"
    base_year = 2024
    horizon_year = 2027

    [[indicators]]
    id = "satisfaction"
    name = "公共服务质量满意度"
    unit = "分"
    target = { kind = "top", place = 3, value = 80 }
    points = 10
    rule = { type = "deduction", per_step = 2 }

    [[adjustments.vetoes]]
    id = "incident"
    name = "发生重大质量安全事故"

    [classification]
    by = "rank"
    grades = [{ name = "第一方阵", count = 3 }, { name = "第二方阵", count = 3 }, { name = "第三方阵" }]
"""


def test_a_tie_at_the_cut_shares_the_class_and_the_next_counts_places(cli, write):
    ruleset = write("places.toml", RULESET)
    # The 3rd best is 84.4 (戊区's 85.0, vetoed, is 2nd of the top 3): 丙区 and 丁区 reach
    # neither, 10 − 2 × (84.4 − 84) = 9.20 each, shared 3rd; 己区 10 − 2 × 1.4 = 7.20 5th,
    # 庚区 10 − 2 × 2.4 = 5.20 6th, 辛区 10 − 2 × 4.4 = 1.20 7th.
    data = write("2025.csv", "区县,公共服务质量满意度,发生重大质量安全事故\n甲区,86.5,\n乙区,84.4,\n丙区,84,\n"
                             "丁区,84,\n戊区,85,是\n己区,83,\n庚区,82,\n辛区,80,\n")
    result = cli("rank", str(ruleset), str(data), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = [line.split(",")[:4] for line in result.stdout.lstrip("\ufeff").splitlines()[1:]]
    assert rows == [["1", "甲区", "10.00", "第一方阵"], ["1", "乙区", "10.00", "第一方阵"],
                    ["3", "丙区", "9.20", "第一方阵"], ["3", "丁区", "9.20", "第一方阵"],
                    ["5", "己区", "7.20", "第二方阵"], ["6", "庚区", "5.20", "第二方阵"],
                    ["7", "辛区", "1.20", "第三方阵"], ["8", "戊区", "10.00", "第三方阵"]]

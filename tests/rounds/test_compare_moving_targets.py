"""What `compare` calls last year's targets: the year's point on the path moved back, and
nothing else. A target from the data (@上年) or from the batch (前3名) is this year's in
both scorings, so its move is data effect (docs/data.md, *The archive of rounds*)."""

from __future__ import annotations

import json
from decimal import Decimal

RULESET = """
    id = "moving-targets"
    title = "目标变动测试"
    jurisdiction = "测试市"
    unit_kind = "区县"
    base_year = 2024
    horizon_year = 2027

    [[indicators]]
    id = "food"
    name = "食品抽检合格率"
    unit = "%"
    baseline = 97
    target = 98.5
    points = 10
    rule = "progress"

    [[indicators]]
    id = "satisfaction"
    name = "公共服务质量满意度"
    unit = "分"
    target = { kind = "top", place = 3, value = 80 }
    points = 10
    rule = { type = "deduction", per_step = 2 }

    [[indicators]]
    id = "deaths"
    name = "事故死亡率"
    direction = "lower"
    target = { kind = "trend", text = "持续降低" }
    points = 10
    rule = "pass_fail"
"""

HEADER = "区县,食品抽检合格率,公共服务质量满意度,事故死亡率,事故死亡率@上年\n"


def test_only_the_path_moves_back_for_last_years_targets(cli, write):
    ruleset = write("moving.toml", RULESET)
    # 乙区 keeps every value; the 3rd best 满意度 goes 84.4 → 84.8 (丙区 rises), and 乙区's own
    # 上年 death rate, last year 0.030, is this year its 2025 value 0.025.
    old = write("2025.csv", HEADER + "甲区,98,86.5,0.02,0.03\n乙区,97.6,83,0.025,0.030\n丙区,98,84.4,0.02,0.03\n"
                                     "丁区,98,85,0.02,0.03\n")
    new = write("2026.csv", HEADER + "甲区,98,86.5,0.02,0.02\n乙区,97.6,83,0.025,0.025\n丙区,98,84.8,0.02,0.02\n"
                                     "丁区,98,85,0.02,0.02\n")
    result = cli("compare", str(ruleset), str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    unit = next(u for u in json.loads(result.stdout, parse_float=Decimal)["units"] if u["unit"] == "乙区")
    food, satisfaction, deaths = unit["indicators"]
    # The path: 2025 target 97.5, 2026 98; 97.6 → (0.6 ÷ 0.5 → 1) × 10 = 10, then 0.6 ÷ 1 × 10 = 6.
    assert (food["old"]["target"], food["new"]["target"]) == (Decimal("97.5"), Decimal("98"))
    assert (food["data_effect"], food["target_effect"]) == (Decimal("0.00"), Decimal("-4.00"))
    # 前3名: 10 − 2 × 1.4 = 7.20, then 10 − 2 × 1.8 = 6.40; the new batch sets both scorings' target.
    assert (satisfaction["old"]["target"], satisfaction["new"]["target"]) == (Decimal("84.4"), Decimal("84.8"))
    assert (satisfaction["old"]["points"], satisfaction["new"]["points"]) == (Decimal("7.20"), Decimal("6.40"))
    assert (satisfaction["data_effect"], satisfaction["target_effect"]) == (Decimal("-0.80"), Decimal("0.00"))
    # 持续降低: 0.025 < 0.030 met, then 0.025 < 0.025 not; this year's @上年 in both scorings.
    assert (deaths["old"]["points"], deaths["new"]["points"]) == (Decimal("10.00"), Decimal("0.00"))
    assert (deaths["data_effect"], deaths["target_effect"]) == (Decimal("-10.00"), Decimal("0.00"))

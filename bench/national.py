"""National-scale benchmark: rank 40,000 townships on 50 indicators, against a floor and a peer.

Run ``python bench/national.py`` (see bench/README.md).  It generates a ruleset and a
data file under ``bench/out/`` (or ``--out DIR``), then measures and prints:

- qscore end to end as a process: ``qscore rank RULESET DATA -o out.csv`` (median of ``--repeat`` runs);
- the floor: a process that reads the same CSV with :mod:`csv` and makes every cell a
  ``Decimal``;
- the peer: GoRules ZEN (``zen-engine``) evaluating the same scoring as one JDM
  expression node, one evaluation per unit, its totals checked against qscore's;
- a county run (33 units × 26 indicators) and ``qscore --help``, as whole processes.

Nothing here is imported by qscore; ``zen-engine`` is optional (``pip install
'qscore[bench]'``) and the peer is skipped with a message when it is missing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from measure import MiB, Runs, compile_packages, median_of, qscore_command, read_totals, run_process
from measure import best_of  # noqa: F401  (bench/analysis.py takes it from here)
from zen_peer import decision

HERE = Path(__file__).resolve().parent
LEVELS = {"完成": Decimal(1), "基本完成": Decimal("0.6"), "未完成": Decimal(0)}
# One cycle of rule shapes, in the proportions an assessment sheet mixes them;
# (rule type, direction, variant).
PATTERN = [
    ("pass_fail", "higher", ""), ("ratio", "higher", ""), ("progress", "higher", ""),
    ("bands", "higher", ""), ("deduction", "higher", "proportional"), ("count", "higher", "value"),
    ("levels", "higher", ""), ("pass_fail", "lower", ""), ("ratio", "lower", ""),
    ("progress", "higher", ""), ("bands", "lower", ""), ("deduction", "higher", "whole"),
    ("count", "higher", "increase"), ("rank", "higher", ""), ("pass_fail", "higher", ""),
    ("ratio", "higher", ""), ("progress", "lower", ""), ("bands", "higher", ""),
    ("deduction", "lower", "started"), ("count", "higher", "value"), ("pass_fail", "higher", ""),
    ("ratio", "lower", ""), ("progress", "higher", ""), ("bands", "higher", ""),
    ("deduction", "higher", "proportional"),
]
BONUS = [("award", "获省级质量奖", Decimal(3), Decimal(6)),
         ("model", "获评质量强镇示范", Decimal(1), None)]
BONUS_CAP = Decimal(5)
DEDUCTION = ("criticised", "被通报批评", Decimal(2))
VETO = ("incident", "发生重大质量安全事故")
CATEGORIES = [("product", "产品质量"), ("engineering", "工程质量"), ("service", "服务质量"),
              ("environment", "生态环境质量"), ("foundation", "质量基础")]


# --------------------------------------------------------------------------- generation

def indicator_specs(count: int, seed: int) -> list[dict]:
    """``count`` indicators with their rule shape, figures and points."""
    rng = random.Random(seed)
    specs = []
    for n in range(count):
        kind, direction, variant = PATTERN[n % len(PATTERN)]
        spec = {"id": f"i{n + 1:02d}", "name": f"指标{n + 1:02d}", "kind": kind, "direction": direction,
                "variant": variant, "points": Decimal(rng.choice((1, 2, 2, 3))),
                "category": CATEGORIES[n % len(CATEGORIES)][0]}
        if kind == "count":
            spec.update(unit="个", baseline=Decimal(rng.randint(1, 3)), per_item=Decimal("0.5"))
        elif kind == "levels":
            spec.update(unit="")
        elif direction == "higher":
            target = Decimal(rng.randint(960, 995)) / 10
            spec.update(unit="%", target=target, baseline=target - Decimal(rng.randint(20, 60)) / 10)
        else:
            target = Decimal(rng.randint(25, 35))
            spec.update(unit="微克/立方米", target=target, baseline=target + Decimal(rng.randint(5, 15)))
        specs.append(spec)
    return specs


def _rule_toml(spec: dict) -> str:
    kind, full = spec["kind"], spec["points"]
    if kind in ("pass_fail", "ratio", "progress"):
        return f'"{kind}"'
    if kind == "bands":
        key, sign = ("at_least", -1) if spec["direction"] == "higher" else ("at_most", 1)
        steps = [(spec["target"], full), (spec["target"] + sign * 2, full * Decimal("0.8")),
                 (spec["target"] + sign * 5, full * Decimal("0.5"))]
        bands = ", ".join(f"{{ {key} = {t}, points = {p} }}" for t, p in steps)
        return f'{{ type = "bands", bands = [{bands}] }}'
    if kind == "deduction":
        return f'{{ type = "deduction", per_step = 0.5, step = 1, partial = "{spec["variant"]}" }}'
    if kind == "count":
        return f'{{ type = "count", per_item = {spec["per_item"]}, basis = "{spec["variant"]}" }}'
    if kind == "rank":
        return '{ type = "rank", step = 0.0001, floor = 0.5 }'
    return '{ type = "levels", levels = { "完成" = 1, "基本完成" = 0.6, "未完成" = 0 } }'


def ruleset_toml(specs: list[dict], ident: str) -> str:
    lines = [f'id = "{ident}"', 'title = "全国乡镇质量工作考核（基准测试）"', 'jurisdiction = "全国"',
             'level = "township"', 'unit_kind = "乡镇（街道）"', "base_year = 2023", "horizon_year = 2027", "",
             "[classification]", 'by = "score"',
             'grades = [{ name = "优秀", min_score = 90 }, { name = "良好", min_score = 75 }, '
             '{ name = "合格", min_score = 60 }, { name = "不合格" }]', ""]
    for ident_, name in CATEGORIES:
        lines += ["[[categories]]", f'id = "{ident_}"', f'name = "{name}"', ""]
    for spec in specs:
        lines += ["[[indicators]]", f'id = "{spec["id"]}"', f'name = "{spec["name"]}"',
                  f'category = "{spec["category"]}"', f'unit = "{spec["unit"]}"',
                  f'direction = "{spec["direction"]}"', f'points = {spec["points"]}', f"rule = {_rule_toml(spec)}"]
        if "baseline" in spec:
            lines.append(f'baseline = {spec["baseline"]}')
        if "target" in spec:
            lines.append(f'target = {spec["target"]}')
        lines.append("")
    lines += ["[adjustments]", f"bonus_cap = {BONUS_CAP}", ""]
    for ident_, name, points, cap in BONUS:
        lines += ["[[adjustments.bonus]]", f'id = "{ident_}"', f'name = "{name}"', f"points = {points}"]
        lines += [f"cap = {cap}"] if cap is not None else []
        lines.append("")
    lines += ["[[adjustments.deductions]]", f'id = "{DEDUCTION[0]}"', f'name = "{DEDUCTION[1]}"',
              f"points = {DEDUCTION[2]}", "", "[[adjustments.vetoes]]", f'id = "{VETO[0]}"', f'name = "{VETO[1]}"', ""]
    return "\n".join(lines)


def _cell(spec: dict, rng: random.Random) -> str:
    if rng.random() < 0.003:
        return rng.choice(("-", "", "—"))
    kind = spec["kind"]
    if kind == "levels":
        return rng.choices(tuple(LEVELS), weights=(6, 3, 1))[0]
    if kind == "count":
        return str(rng.randint(0, 9))
    if kind == "rank":
        return f"{rng.uniform(60, 100):.1f}"
    if spec["direction"] == "higher":
        value = min(rng.gauss(float(spec["target"]) - 1, 2.5), 100.0)
        text = f"{max(value, 80.0):.1f}"
        return text + "%" if rng.random() < 0.05 else text
    return f"{max(rng.gauss(float(spec['target']) + 1, 4), 5.0):.1f}"


def data_rows(specs: list[dict], units: int, seed: int) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(seed + 1)
    header = ["乡镇（街道）", *(f"{s['name']}（{s['unit']}）" if s["unit"] else s["name"] for s in specs),
              *(b[1] for b in BONUS), DEDUCTION[1], VETO[1]]
    rows = []
    for n in range(units):
        row = [f"第{n // 1000 + 1:02d}县某某镇{n:05d}", *(_cell(s, rng) for s in specs)]
        row += ["1" if rng.random() < 0.02 else "", "是" if rng.random() < 0.03 else "",
                str(rng.choice((1, 2))) if rng.random() < 0.02 else "", "是" if rng.random() < 0.004 else ""]
        rows.append(row)
    return header, rows


def generate(out: Path, name: str, units: int, indicators: int, seed: int) -> tuple[Path, Path, list[dict]]:
    specs = indicator_specs(indicators, seed)
    ruleset = out / f"{name}.toml"
    ruleset.write_text(ruleset_toml(specs, f"bench-{name}"), encoding="utf-8")
    header, rows = data_rows(specs, units, seed)
    data = out / f"{name}.csv"
    with data.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return ruleset, data, specs


# --------------------------------------------------------------------------- processes

def floor_main(path: str) -> None:
    """The floor: read the CSV with csv and turn every cell into a Decimal (text stays text)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        table = []
        for row in reader:
            cells = [row[0]]
            for text in row[1:]:
                try:
                    cells.append(Decimal(text.rstrip("%")))
                except InvalidOperation:
                    cells.append(text)
            table.append(cells)
    print(len(table))


# --------------------------------------------------------------------------- the peer

def _num(text: str) -> float | None:
    text = text.strip().rstrip("%")
    try:
        return float(text)
    except ValueError:
        return None


def zen_expression(spec: dict, var: str) -> str:
    """The indicator's exact points, as ZEN expression language, from the same figures."""
    kind, direction, full = spec["kind"], spec["direction"], spec["points"]
    target, baseline = spec.get("target"), spec.get("baseline")
    higher = direction == "higher"
    if kind == "levels":
        return f'{var} == "完成" ? {full} : {var} == "基本完成" ? {full} * 0.6 : 0'
    if kind == "rank":  # the place among all units comes with the context: ZEN sees one unit per call
        return f"max([{full} - ({var} - 1) * 0.0001, 0.5])"
    if kind == "count":
        items = f"max([{var} - {baseline}, 0])" if spec["variant"] == "increase" else f"max([{var}, 0])"
        return f"min([{items} * {spec['per_item']}, {full}])"
    meets = f"{var} >= {target}" if higher else f"{var} <= {target}"
    if kind == "pass_fail":
        return f"{meets} ? {full} : 0"
    if kind == "ratio":
        return (f"{full} * min([max([{var} / {target}, 0]), 1])" if higher
                else f"{var} > 0 ? {full} * min([max([{target} / {var}, 0]), 1]) : ({meets} ? {full} : 0)")
    if kind == "progress":
        return f"{full} * min([max([({var} - {baseline}) / ({target} - {baseline}), 0]), 1])"
    if kind == "bands":
        sign = -1 if higher else 1
        steps = [(target, full), (target + sign * 2, full * Decimal("0.8")), (target + sign * 5, full * Decimal("0.5"))]
        op = ">=" if higher else "<="
        return " : ".join(f"{var} {op} {t} ? {p}" for t, p in steps) + " : 0"
    gap = f"max([{target} - {var}, 0])" if higher else f"max([{var} - {target}, 0])"
    steps = {"proportional": gap, "whole": f"floor({gap})", "started": f"ceil({gap})"}[spec["variant"]]
    return f"max([{full} - {steps} * 0.5, 0])"


def zen_graph(specs: list[dict]) -> str:
    expressions = []
    for n, spec in enumerate(specs):
        var = f"v{n}"
        body = zen_expression(spec, var)
        expressions.append({"id": f"e{n}", "key": f"p{n}", "value": f"{var} == null ? 0 : round({body}, 2)"})
    bonus = " + ".join(f"min([b{n} * {points}, {cap}])" if cap is not None else f"b{n} * {points}"
                       for n, (_, _, points, cap) in enumerate(BONUS))
    indicators = " + ".join(f"$.p{n}" for n in range(len(specs)))
    expressions += [
        {"id": "bonus", "key": "bonus", "value": f"min([{bonus}, {BONUS_CAP}])"},
        {"id": "deduction", "key": "deduction", "value": f"d0 * {DEDUCTION[2]}"},
        {"id": "total", "key": "total", "value": f"max([{indicators} + $.bonus - $.deduction, 0])"},
        {"id": "veto", "key": "vetoed", "value": "x0 > 0"},
    ]
    return decision(expressions)


def zen_contexts(data: Path, specs: list[dict]) -> tuple[list[str], list[dict]]:
    """One context per unit, as a ZEN user would build them from the CSV."""
    with data.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    count = len(specs)
    contexts = []
    for row in rows:
        context = {}
        for n, spec in enumerate(specs):
            text = row[1 + n].strip()
            context[f"v{n}"] = (text if text in LEVELS else None) if spec["kind"] == "levels" else _num(text)
        extra = [_num(row[1 + count + k]) or 0 for k in range(4)]
        yes = [1 if row[1 + count + k].strip() == "是" else v for k, v in enumerate(extra)]
        context.update(b0=yes[0], b1=yes[1], d0=yes[2], x0=yes[3])
        contexts.append(context)
    # 排序赋分 needs the whole batch, which a per-unit decision never sees: give it each place.
    for n, spec in enumerate(specs):
        if spec["kind"] == "rank":
            values = sorted((c[f"v{n}"] for c in contexts if c[f"v{n}"] is not None), reverse=True)
            first: dict[float, int] = {}
            for place, value in enumerate(values, 1):
                first.setdefault(value, place)
            for c in contexts:
                c[f"v{n}"] = None if c[f"v{n}"] is None else first[c[f"v{n}"]]
    return [row[0] for row in rows], contexts


def peer_main(data: Path, ranked: Path, units: int, indicators: int, seed: int, sample: int) -> None:
    """Measure ZEN (run as a child, so the parent stays small while it measures others)."""
    try:
        import zen
    except ImportError:
        print(json.dumps({"skipped": "zen-engine is not installed (pip install 'qscore[bench]')"}))
        return
    specs = indicator_specs(indicators, seed)
    start = time.perf_counter()
    names, contexts = zen_contexts(data, specs)
    decision = zen.ZenEngine().create_decision(zen_graph(specs))
    middle = time.perf_counter()
    results = [decision.evaluate(context)["result"] for context in contexts]
    end = time.perf_counter()
    ours = read_totals(ranked)
    picked = random.Random(7).sample(range(len(names)), min(sample, len(names)))
    wrong = [(names[n], results[n]["total"], str(ours[names[n]])) for n in picked
             if Decimal(str(results[n]["total"])).quantize(Decimal("0.01"), ROUND_HALF_UP) != ours[names[n]]]
    print(json.dumps({"version": zen_version(), "evaluate": end - middle, "whole": end - start,
                      "units": len(names), "checked": len(picked), "wrong": wrong[:5], "wrong_count": len(wrong)}))


def zen_version() -> str:
    from importlib import metadata

    return metadata.version("zen-engine")


def interleaved(times: int, ours: list[str], theirs: list[str]) -> tuple[Runs, Runs]:
    """Two commands run by turns, ``times`` each."""
    first, second = [], []
    for _ in range(times):
        first.append(run_process(ours)[0])
        second.append(run_process(theirs)[0])
    return Runs(first), Runs(second)


# --------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=40_000)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="median of this many national runs")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--sample", type=int, default=1000, help="ZEN totals checked against qscore's")
    parser.add_argument("--role", choices=("generate", "floor", "peer"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    national, county = args.out / "national", args.out / "county"
    if args.role == "generate":
        generate(args.out, "national", args.units, args.indicators, args.seed)
        generate(args.out, "county", 33, 26, args.seed)
        return
    if args.role == "floor":
        floor_main(f"{national}.csv")
        return
    if args.role == "peer":
        peer_main(Path(f"{national}.csv"), args.out / "national-ranked.csv", args.units, args.indicators,
                  args.seed, args.sample)
        return
    measure(args, national, county)


def measure(args: argparse.Namespace, national: Path, county: Path) -> None:
    # Everything heavy runs in a child, so that no child inherits a large parent's pages.
    args.out.mkdir(parents=True, exist_ok=True)
    common = ["--units", str(args.units), "--indicators", str(args.indicators), "--seed", str(args.seed),
              "--out", str(args.out)]
    me = [sys.executable, __file__, *common]
    run_process([*me, "--role", "generate"])
    compile_packages(["qscore"])
    values = args.units * args.indicators
    size = Path(f"{national}.csv").stat().st_size
    print(f"data   {args.units:,} units × {args.indicators} indicators = {values:,} values, "
          f"{size / MiB:.1f} MiB CSV; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")

    qscore = qscore_command()
    ranked = args.out / "national-ranked.csv"
    # qscore and the floor take turns, so that both see the same moments of a shared machine.
    ours, floor = interleaved(args.repeat, [*qscore, "rank", f"{national}.toml", f"{national}.csv", "-o", str(ranked)],
                              [*me, "--role", "floor"])
    print(f"qscore end to end (process, CSV in → ranked, tiered CSV out): {ours.wall:.2f} s wall, "
          f"{ours.cpu:.2f} s CPU (median of {args.repeat}); {ours.wall / values * 1e6:.2f} µs per value; "
          f"peak RSS {ours.rss / MiB:.0f} MiB")
    print(f"floor  csv.reader + Decimal per cell (process): {floor.wall:.2f} s wall, {floor.cpu:.2f} s CPU; "
          f"{floor.wall / values * 1e6:.2f} µs per value; peak RSS {floor.rss / MiB:.0f} MiB")
    print(f"ratio  qscore / floor = {ours.wall / floor.wall:.2f} wall, {ours.cpu / floor.cpu:.2f} CPU")

    small = median_of(5, [*qscore, "rank", f"{county}.toml", f"{county}.csv", "-o", str(args.out / "county-ranked.csv")])
    print(f"county 33 units × 26 indicators (process): {small.wall:.3f} s wall (median of 5), "
          f"peak RSS {small.rss / MiB:.0f} MiB")
    help_run = median_of(5, [*qscore, "--help"])
    print(f"help   qscore --help (process): {help_run.wall:.3f} s wall (median of 5)")

    _, out = run_process([*me, "--sample", str(args.sample), "--role", "peer"])
    peer = json.loads(out)
    if "skipped" in peer:
        print(f"peer   GoRules ZEN: skipped — {peer['skipped']}")
        return
    print(f"peer   GoRules ZEN {peer['version']} (one JDM expression node, one evaluate() per unit): "
          f"{peer['evaluate']:.2f} s for {peer['units']:,} evaluations alone "
          f"({peer['evaluate'] / values * 1e6:.2f} µs per value), {peer['whole']:.2f} s with reading the CSV "
          f"into contexts; totals agree with qscore on {peer['checked'] - peer['wrong_count']} of "
          f"{peer['checked']} sampled units")
    for name, theirs, ours_total in peer["wrong"]:
        print(f"       differs: {name}: ZEN {theirs}, qscore {ours_total}")
    print(f"ratio  ZEN (evaluations alone) / qscore (whole process) = {peer['evaluate'] / ours.wall:.1f} wall")


if __name__ == "__main__":
    main()

"""Issue 18's table: every seed ruleset at national scale, in every output format, with peers.

Run ``python bench/seeds.py`` (see bench/README.md).  For each installed seed ruleset it
generates a data file of ``--units`` units that the ruleset accepts (``bench/seed_data.py``),
then measures as whole processes, ``--repeat`` rounds taken by turns:

- ``qscore rank ID data.csv -o out.csv`` (and ``.json``, ``.xlsx``; JSON without
  explanations too where ``rank`` has ``--no-explain``), the table to stdout through a
  pipe, and ``qscore explain ID data.csv UNIT``;
- the floor (``csv`` + ``Decimal`` per cell) and the polars float script
  (``bench/polars_peer.py``), whose totals are checked against qscore's;
- for a ruleset with per-unit figure columns, the same ruleset with those targets made
  constant (its twin), to show what the figures cost.

Then once per ruleset GoRules ZEN (``bench/zen_peer.py``); on one ruleset (``--archive``)
recording a round, comparing two and one unit's history; and for all: ``qscore --help``
and the README's 33-unit run.  It prints each figure beside issue 18's target, and writes
it all as JSON (``--json``).  polars and zen-engine are optional (``pip install -e
'.[bench]'``): a missing one is skipped with a message.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import re
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from measure import (MiB, Runs, available_memory, command_options, compile_packages, machine, median_of, read_totals,
                     qscore_command, run_process)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README_RUN = ["rank", "shizhu-township", str(ROOT / "examples/shizhu/townships-2025.csv"), "--year", "2025"]
SYNTHETIC = "bench-national"  # bench/national.py's 50-indicator ruleset, measured when named
FORMATS = ("csv", "json", "json-no-explain", "xlsx", "table", "explain")
HEAVY = ("json", "json-no-explain", "xlsx")
RSS_LIMIT_MIB = 500  # issue 18: peak RSS for every format


# --------------------------------------------------------------------------- preparing

def seed_rulesets() -> list[str]:
    """The installed rulesets' ids, as ``qscore rulesets`` lists them."""
    _, out = run_process([*qscore_command(), "rulesets", "--format", "json"])
    return sorted(entry["id"] for entry in json.loads(out))


def synthetic_ruleset(out: Path, seed: int) -> Any:
    """``bench/national.py``'s ruleset: 50 indicators cycling through every built-in rule type."""
    import national
    from qscore import load_ruleset

    path = out / f"{SYNTHETIC}.toml"
    path.write_text(national.ruleset_toml(national.indicator_specs(50, seed), SYNTHETIC), encoding="utf-8")
    return load_ruleset(path)


def constant_twin(ruleset: Any, year: int, out: Path) -> tuple[Path, str] | None:
    """The ruleset with every target or baseline that needs a per-unit figure made a
    constant of the same size, written beside the data (``None`` where it has none)."""
    import seed_data
    from qscore import load_ruleset
    from qscore.targets import Figures

    changed = {i.id: i for i in ruleset.indicators if seed_data.figure_fields(i)}
    if not changed or not ruleset.file:
        return None
    blocks = re.split(r"(?m)^(?=\[)", Path(ruleset.file).read_text(encoding="utf-8"))
    ident = f"{ruleset.id}-constant"
    text = [re.sub(r'(?m)^id\s*=\s*"[^"]*"', f'id = "{ident}"', blocks[0], count=1)]
    for block in blocks[1:]:
        if block.startswith("[[examples]]"):
            continue
        found = re.search(r'(?m)^id\s*=\s*"([^"]+)"\s*$', block)
        indicator = changed.get(found.group(1)) if found and block.startswith("[[indicators]]") else None
        if indicator is not None:
            column = seed_data.Column(ruleset, indicator, year, random.Random(0))
            base = column.typical * Decimal("0.9")
            target = indicator.target.resolve(
                Figures(baseline=base, previous=column.typical,
                        references=((getattr(indicator.target, "name", ""), column.typical),)), column.timing)
            block = re.sub(r"(?m)^target\s*=.*$", f"target = {round(target, 4)}", block, count=1)
            if seed_data.needs_baseline(indicator):
                block = block.replace(found.group(0), f"{found.group(0)}\nbaseline = {base}", 1)  # type: ignore[union-attr]
        text.append(block)
    path = out / f"{ident}.toml"
    path.write_text("".join(text), encoding="utf-8")
    load_ruleset(path)  # refuses a twin that does not load, with qscore's message
    return path, ident


def without_figures(data: Path, out: Path) -> Path:
    """``data`` without its per-unit figure columns (``名称@…``)."""
    with data.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    keep = [n for n, header in enumerate(rows[0]) if "@" not in header]
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([row[n] for n in keep] for row in rows)
    return out


def prepare(ident: str, units: int, seed: int, out: Path) -> dict[str, Any]:
    """Write one ruleset's data file, its plan for the float peers and its twin; describe
    them.  Runs in a child process: the measuring parent stays small, and a child's peak
    RSS counts the pages of the parent it was started from."""
    import plan
    import seed_data
    from qscore import load_ruleset

    ruleset = synthetic_ruleset(out, seed) if ident == SYNTHETIC else load_ruleset(ident)
    year = seed_data.assessment_year(ruleset)
    data = out / f"{ident}.csv"
    header = seed_data.write_data(ruleset, units, seed, data, year)
    case: dict[str, Any] = {"id": ident, "name": ruleset.file if ident == SYNTHETIC else ident,  # qscore takes an id or a path
            "out": str(out), "year": year, "data": str(data), "units": units,
            "indicators": len(ruleset.indicators), "figures": [h for h in header if "@" in h],
            "unit": next(seed_data.unit_names(ruleset, 1)), "plan": str(out / f"{ident}.plan.json"),
            "plan_years": [ruleset.base_year, ruleset.horizon_year],
            "plan_problem": "", "twin": None, "twin_data": None}
    try:
        Path(case["plan"]).write_text(json.dumps(plan.build_plan(ruleset, header, year), ensure_ascii=False),
                                      encoding="utf-8")
    except plan.Unsupported as exc:
        case["plan"], case["plan_problem"] = None, f"the float peers do not model {exc}"
    twin = constant_twin(ruleset, year, out)
    if twin is not None:
        case["twin"] = [str(twin[0]), twin[1]]
        case["twin_data"] = str(without_figures(data, out / f"{ident}-constant.csv"))
    return case


class Case:
    """One prepared ruleset: its files and the unit explained (see :func:`prepare`)."""

    def __init__(self, described: dict[str, Any]) -> None:
        self.id, self.name, self.year, self.unit = described["id"], described["name"], described["year"], described["unit"]
        self.out, self.data = Path(described["out"]), Path(described["data"])
        self.units, self.indicators, self.figures = described["units"], described["indicators"], described["figures"]
        self.plan_years: list[int] = described["plan_years"]
        self.plan = Path(described["plan"]) if described["plan"] else None
        self.plan_problem = described["plan_problem"]
        self.twin = (Path(described["twin"][0]), described["twin"][1]) if described["twin"] else None
        self.twin_data = Path(described["twin_data"]) if described["twin_data"] else None

    @property
    def values(self) -> int:
        return self.units * self.indicators

    def output(self, suffix: str) -> Path:
        return self.out / f"{self.id}-ranked{suffix}"


# --------------------------------------------------------------------------- measuring

def commands(case: Case, qscore: list[str], options: dict[str, set[str]]) -> dict[str, list[str]]:
    """Each measured command of one ruleset, by name."""
    common = ["--year", str(case.year)]
    rank = [*qscore, "rank", case.name, str(case.data), *common]
    explain = [*qscore, "explain", case.name, str(case.data), case.unit, *common]
    # Units named on no roster: the file's own list is the roster, as a national batch has
    # one (else --partial, which says so for every unit and looks for a close name for each).
    partial = roster_option(case, options["rank"])
    rank += partial
    explain += roster_option(case, options["explain"])
    out = {"csv": [*rank, "-o", str(case.output(".csv"))], "json": [*rank, "-o", str(case.output(".json"))],
           "xlsx": [*rank, "-o", str(case.output(".xlsx"))], "table": [*rank, "--quiet"], "explain": explain}
    if "--no-explain" in options["rank"]:
        out["json-no-explain"] = [*rank, "--no-explain", "-o", str(case.output("-no-explain.json"))]
    me = [sys.executable, str(Path(__file__).resolve())]
    out["floor"] = [*me, "--role", "floor", str(case.data)]
    if case.plan is not None and importlib.util.find_spec("polars") is not None:
        out["polars"] = [sys.executable, str(HERE / "polars_peer.py"), str(case.plan), str(case.data),
                         str(case.out / f"{case.id}-polars.csv")]
    if case.twin is not None:
        out["twin-csv"] = [*qscore, "rank", str(case.twin[0]), str(case.twin_data), *common,
                           "-o", str(case.out / f"{case.id}-constant-ranked.csv"), *partial]
    return out


def roster_option(case: Case, options: set[str]) -> list[str]:
    """What tells this qscore the units of the data file are the ones to score."""
    if "--units" in options:
        roster = case.out / f"{case.id}.units.txt"
        if not roster.exists():
            with case.data.open(encoding="utf-8-sig", newline="") as handle:
                names = [row[0] for row in csv.reader(handle)][1:]
            roster.write_text("\n".join(names) + "\n", encoding="utf-8")
        return ["--units", str(roster)]
    return ["--partial"] if "--partial" in options else []


def measure_case(case: Case, argv: dict[str, list[str]], repeat: int, min_free: float,
                 say: Callable[[str], None], loads: list[float]) -> dict[str, Runs]:
    """Every command of the case, ``repeat`` rounds by turns (each round runs them all),
    so that the ratios compare runs made at the same moments of a shared machine.
    Appends the load average at the start of each round to ``loads``."""
    runs: dict[str, list[Any]] = {name: [] for name in argv}
    for round_ in range(1, repeat + 1):
        loads.append(round(os.getloadavg()[0], 2))
        for name, command in argv.items():
            if name in HEAVY and available_memory() < min_free * 2**30:
                say(f"  {name}: skipped in round {round_}: less than {min_free:g} GiB of memory available")
                continue
            runs[name].append(run_process(command, keep=False)[0])
        say(f"  round {round_}/{repeat} (load average {loads[-1]}): " + ", ".join(f"{n} {r[-1].wall:.2f} s" for n, r in runs.items() if r))
    return {name: Runs(r) for name, r in runs.items() if r}


def measure_archive(case: Case, argv: dict[str, list[str]], csv_run: Runs, repeat: int, first_year: int,
                    last_year: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Issue 18's archive targets on this ruleset: recording a round (``rank --record``),
    ``compare`` of two recorded rounds, ``history`` of one unit over every year recorded."""
    qscore = argv["csv"][:argv["csv"].index("rank")]
    archive = case.out / f"{case.id}-rounds.db"
    rank = [part for part in argv["csv"] if part != str(case.year)]
    rank = rank[:rank.index("--year")] + rank[rank.index("--year") + 1:]

    def record(year: int) -> list[str]:
        return [*rank, "--year", str(year), "--record", str(archive)]

    recorded = []
    for _ in range(repeat):
        archive.unlink(missing_ok=True)
        recorded.append(run_process(record(case.year))[0])
    older = case.year - 1 if case.year > first_year else case.year + 1
    run_process(record(older))
    pair = sorted((older, case.year))
    compare = [*qscore, "compare", case.name, f"{archive}:{pair[0]}", f"{archive}:{pair[1]}",
               "-o", str(case.out / f"{case.id}-compare.csv")]
    compared = median_of(repeat, compare)
    years = [y for y in range(first_year, last_year + 1) if y not in pair][:8]
    for year in years:
        run_process(record(year))
    history = median_of(max(repeat, 5), [*qscore, "history", str(archive), case.unit, "--ruleset", case.id])
    out = {"record": Runs(recorded).as_dict(), "compare": compared.as_dict(), "history": history.as_dict(),
           "rounds_in_history": len(years) + 2, "compared_years": pair,
           "record_vs_csv": round(Runs(recorded).wall / csv_run.wall, 3),
           "compare_vs_csv": round(compared.wall / csv_run.wall, 3)}
    say(f"  archive: record {Runs(recorded).wall:.2f} s = {out['record_vs_csv']:.2f}× CSV (target ≤ 3) "
        f"{mark(out['record_vs_csv'] <= 3)}; compare {pair[0]}/{pair[1]} {compared.wall:.2f} s = "
        f"{out['compare_vs_csv']:.2f}× CSV (target ≤ 2) {mark(out['compare_vs_csv'] <= 2)}; history of one unit "
        f"over {out['rounds_in_history']} rounds {history.wall:.3f} s (target ≤ 0.2 s, over 10) "
        f"{mark(history.wall <= 0.2)}")
    return out


def run_peer_zen(case: Case) -> dict[str, Any]:
    if case.plan is None:
        return {"skipped": case.plan_problem}
    if importlib.util.find_spec("zen") is None:
        return {"skipped": "zen-engine is not installed (pip install -e '.[bench]')"}
    totals = case.out / f"{case.id}-zen.csv"
    run, out = run_process([sys.executable, str(HERE / "zen_peer.py"), str(case.plan), str(case.data), str(totals)])
    result = json.loads(out)
    result["process"] = run.as_dict()
    result["agreement"] = checked(case.output(".csv"), totals, 0)
    return result


def checked(ours: Path, theirs: Path, sample: int) -> dict[str, Any]:
    """:func:`agreement`, worked out in a child process (two batches of totals in memory)."""
    _, out = run_process([sys.executable, str(Path(__file__).resolve()), "--role", "agree", str(ours),
                          str(theirs), str(sample)])
    return json.loads(out)  # type: ignore[no-any-return]


def agreement(ours: Path, theirs: Path, sample: int) -> dict[str, Any]:
    """How many units' totals agree to the cent (all units, or a sample of ``sample``)."""
    mine, other = read_totals(ours), read_totals(theirs)
    names = sorted(mine)
    if 0 < sample < len(names):
        names = random.Random(7).sample(names, sample)
    cent = Decimal("0.01")
    differ = [(name, str(mine[name]), str(other.get(name))) for name in names
              if name not in other or other[name].quantize(cent) != mine[name].quantize(cent)]
    return {"checked": len(names), "agree": len(names) - len(differ), "differ": len(differ), "examples": differ[:5]}


# --------------------------------------------------------------------------- targets

def ratio(runs: dict[str, Runs], name: str, base: str = "csv", measure: str = "wall") -> float | None:
    """``name``'s median ÷ ``base``'s median, of the wall times or of the CPU times."""
    if name not in runs or base not in runs:
        return None
    return getattr(runs[name], measure) / getattr(runs[base], measure)


def targets(case: Case, runs: dict[str, Runs], zen: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 18's targets for this ruleset, each with the figure measured and whether it is met."""
    out = []

    def add(key: str, what: str, value: float | None, limit: float, at_least: bool = False,
            cpu: float | None = None) -> None:
        def met(figure: float | None) -> bool | None:
            return None if figure is None else (figure >= limit if at_least else figure <= limit)

        out.append({"key": key, "what": what, "value": None if value is None else round(value, 3),
                    "limit": ("≥ " if at_least else "≤ ") + f"{limit:g}", "met": met(value),
                    "cpu_value": None if cpu is None else round(cpu, 3), "met_by_cpu": met(cpu)})

    def compare(key: str, what: str, name: str, limit: float, base: str = "csv") -> None:
        add(key, what, ratio(runs, name, base), limit, cpu=ratio(runs, name, base, "cpu"))

    csv_run = runs.get("csv")
    add("csv_us_per_value", "CSV µs per value", csv_run.wall / case.values * 1e6 if csv_run else None, 1,
        cpu=csv_run.cpu / case.values * 1e6 if csv_run else None)
    compare("csv_vs_polars", "CSV ÷ polars", "csv", 1.5, base="polars")
    zen_ratio = zen["evaluate"] / csv_run.wall if csv_run and "evaluate" in zen else None
    zen_cpu = zen["evaluate"] / csv_run.cpu if csv_run and "evaluate" in zen else None
    add("zen_vs_csv", "ZEN evaluations ÷ CSV", zen_ratio, 7, at_least=True, cpu=zen_cpu)
    compare("json_vs_csv", "JSON ÷ CSV", "json", 3)
    compare("json_no_explain_vs_csv", "JSON --no-explain ÷ CSV", "json-no-explain", 1.5)
    compare("xlsx_vs_csv", "XLSX ÷ CSV", "xlsx", 4)
    compare("table_vs_csv", "table ÷ CSV", "table", 1.5)
    compare("explain_vs_csv", "explain ÷ CSV", "explain", 1.2)
    for name in FORMATS:
        if name in runs:
            add(f"{name}_rss_mib", f"{name} peak RSS (MiB)", runs[name].rss / MiB, RSS_LIMIT_MIB)
    if "twin-csv" in runs:
        compare("figures_vs_constant", "CSV ÷ CSV of the twin without per-unit figures", "csv", 1.2, base="twin-csv")
    return out


# --------------------------------------------------------------------------- reporting

def mark(met: bool | None) -> str:
    return "—" if met is None else "✓" if met else "✗"


def describe_case(case: Case, runs: dict[str, Runs], polars: dict[str, Any], zen: dict[str, Any],
                  goals: list[dict[str, Any]], say: Callable[[str], None]) -> None:
    by_key = {g["key"]: g for g in goals}
    say(f"  {'command':<16}{'wall s':>9}{'CPU s':>9}{'RSS MiB':>9}{'µs/value':>10}{'× CSV':>8}{'CPU ×':>8}   target")
    for name, run in runs.items():
        goal = by_key.get(f"{name.replace('-', '_')}_vs_csv") or (by_key["csv_us_per_value"] if name == "csv" else None)
        target = f"{goal['what']} {goal['limit']} {mark(goal['met'])}" if goal else ""
        say(f"  {name:<16}{run.wall:>9.2f}{run.cpu:>9.2f}{run.rss / MiB:>9.0f}{run.wall / case.values * 1e6:>10.2f}"
            f"{ratio(runs, name) or 0:>8.2f}{ratio(runs, name, measure='cpu') or 0:>8.2f}   {target}")
    for key in ("csv_vs_polars", "zen_vs_csv", "figures_vs_constant"):
        goal = by_key.get(key)
        if goal:
            shown = "not measured" if goal["value"] is None else f"{goal['value']:.2f} (CPU {goal['cpu_value']:.2f})"
            say(f"  {goal['what']}: {shown}, target {goal['limit']} {mark(goal['met'])}")
    heavy = [g for g in goals if g["key"].endswith("_rss_mib") and g["met"] is False]
    if heavy:
        say("  peak RSS over 500 MiB: " + ", ".join(f"{g['key'].removesuffix('_rss_mib')} {g['value']:.0f}" for g in heavy))
    if "agreement" in polars:
        a = polars["agreement"]
        say(f"  polars totals agree with qscore's to the cent on {a['agree']:,} of {a['checked']:,} units"
            + (f"; {a['differ']} differ, e.g. {a['examples'][0][0]}: qscore {a['examples'][0][1]}, polars "
               f"{a['examples'][0][2]}" if a["differ"] else ""))
    elif "skipped" in polars:
        say(f"  polars: skipped — {polars['skipped']}")
    if "agreement" in zen:
        a = zen["agreement"]
        say(f"  ZEN {zen['version']}: {zen['evaluate']:.2f} s of evaluations ({zen['whole']:.2f} s with reading "
            f"the CSV into contexts); totals agree on {a['agree']:,} of {a['checked']:,} units")
    elif "skipped" in zen:
        say(f"  ZEN: skipped — {zen['skipped']}")


def cell(result: dict[str, Any], name: str, key: str) -> str:
    runs = result["runs"]
    if name not in runs:
        return "—"
    goal = next((g for g in result["targets"] if g["key"] == key), None)
    wall = runs[name]["median"]["wall_s"]
    if name == "csv":
        return f"{wall:.2f} s, {goal['value']:.2f} µs/value {mark(goal['met'])}" if goal else f"{wall:.2f} s"
    if not goal or goal["value"] is None:
        return f"{wall:.2f} s"
    return f"{wall:.2f} s = {goal['value']:.1f}× (CPU {goal['cpu_value']:.1f}×) {mark(goal['met'])}"


def summary(results: dict[str, dict[str, Any]]) -> list[str]:
    """Issue 18's table as Markdown: a row per ruleset, the targets in the header."""
    lines = ["| ruleset | CSV (≤ 1 µs/value) | JSON (≤ 3× CSV) | JSON, no explanations (≤ 1.5×) | XLSX (≤ 4×) "
             "| table (≤ 1.5×) | explain (≤ 1.2×) | peak RSS (≤ 500 MiB) | CSV ÷ polars (≤ 1.5) | ZEN ÷ CSV (≥ 7) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for ident, result in results.items():
        goals = {g["key"]: g for g in result["targets"]}
        rss = [g for g in result["targets"] if g["key"].endswith("_rss_mib")]
        worst = max(rss, key=lambda g: g["value"]) if rss else None
        rss_text = (f"{worst['value']:.0f} MiB ({worst['key'].removesuffix('_rss_mib')}) {mark(worst['met'])}"
                    if worst else "—")
        peers = []
        for key in ("csv_vs_polars", "zen_vs_csv"):
            goal = goals.get(key)
            peers.append("—" if not goal or goal["value"] is None else
                         f"{goal['value']:.2f} (CPU {goal['cpu_value']:.2f}) {mark(goal['met'])}")
        lines.append(f"| {ident} ({result['indicators']}) | {cell(result, 'csv', 'csv_us_per_value')} "
                     f"| {cell(result, 'json', 'json_vs_csv')} | {cell(result, 'json-no-explain', 'json_no_explain_vs_csv')} "
                     f"| {cell(result, 'xlsx', 'xlsx_vs_csv')} | {cell(result, 'table', 'table_vs_csv')} "
                     f"| {cell(result, 'explain', 'explain_vs_csv')} | {rss_text} | {peers[0]} | {peers[1]} |")
    return lines


# --------------------------------------------------------------------------- main

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=40_000, help="units per data file (default 40,000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; figures are medians (default 3)")
    parser.add_argument("--rulesets", default="",
                        help=f"comma-separated ids to measure (default: every seed ruleset; '{SYNTHETIC}' adds "
                             "bench/national.py's 50-indicator ruleset)")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="comma-separated commands to time (default: all of csv,json,json-no-explain,xlsx,"
                             "table,explain)")
    parser.add_argument("--no-peers", action="store_true", help="skip the floor, polars and ZEN")
    parser.add_argument("--no-zen", action="store_true", help="skip ZEN (about 20–35 s per ruleset at 40,000 units)")
    parser.add_argument("--archive", default="shizhu-township",
                        help="the ruleset whose rounds are recorded, compared and listed (issue 18's archive "
                             "targets; default shizhu-township; '' for none)")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--sample", type=int, default=0, help="units whose totals are checked (default 0: all)")
    parser.add_argument("--min-free-gib", type=float, default=6.0,
                        help="skip a JSON or XLSX run when less memory than this is available (default 6)")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "seeds", help="where the files go")
    parser.add_argument("--json", type=Path, default=HERE / "out" / "seeds.json", help="the results as JSON")
    parser.add_argument("--role", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> None:
    args = parse_args()
    if args.role:
        child(args.role)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    say = print
    compile_packages(["qscore", *plugin_packages()])
    qscore = qscore_command()
    options = {"rank": command_options("rank"), "explain": command_options("explain")}
    wanted = [w.strip() for w in args.rulesets.split(",") if w.strip()]
    rulesets = [r for r in seed_rulesets() if not wanted or r in wanted]
    if SYNTHETIC in wanted:
        rulesets.append(SYNTHETIC)
    unknown = set(wanted) - set(rulesets)
    if unknown:
        raise SystemExit(f"no ruleset {', '.join(sorted(unknown))}; see `qscore rulesets`")
    formats = {f.strip() for f in args.formats.split(",")}
    report: dict[str, Any] = {
        "machine": machine(), "units": args.units, "repeat": args.repeat, "seed": args.seed,
        "qscore_options": {"units": "--units" in options["rank"], "partial": "--partial" in options["rank"],
                           "no_explain": "--no-explain" in options["rank"]},
        "rulesets": {}}
    say(f"{args.units:,} units per ruleset, medians of {args.repeat} rounds; Python {report['machine']['python']}, "
        f"{report['machine']['cpus']} CPUs, {report['machine']['memory_gib']} GiB, load average "
        f"{report['machine']['load_average']}; units checked "
        f"{'against the file' + chr(39) + 's own list (--units)' if report['qscore_options']['units'] else 'with --partial' if report['qscore_options']['partial'] else 'against no roster'}"
        f", --no-explain {'measured' if report['qscore_options']['no_explain'] else 'not in this qscore'}")
    for ident in rulesets:
        report["rulesets"][ident] = measure_ruleset(ident, args, qscore, options, formats, say)
    report["help"] = median_of(max(args.repeat, 5), [*qscore, "--help"]).as_dict()
    report["readme_run"] = median_of(max(args.repeat, 5), [*qscore, *README_RUN]).as_dict()
    for key, what in (("help", "qscore --help"), ("readme_run", "README's 33-unit run")):
        wall, cpu = report[key]["median"]["wall_s"], report[key]["median"]["cpu_s"]
        report[key]["target"] = {"limit": "≤ 0.1", "met": wall <= 0.1, "met_by_cpu": cpu <= 0.1}
        say(f"{what}: {wall:.3f} s wall, {cpu:.3f} s CPU (medians of {max(args.repeat, 5)}; target ≤ 0.1 s) "
            f"{mark(wall <= 0.1)}")
    say("")
    for line in summary(report["rulesets"]):
        say(line)
    report["machine"]["load_average_after"] = round(os.getloadavg()[0], 2)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    say(f"\nwritten: {args.json}")


def measure_ruleset(ident: str, args: argparse.Namespace, qscore: list[str], options: dict[str, set[str]],
                    formats: set[str], say: Callable[[str], None]) -> dict[str, Any]:
    _, described = run_process([sys.executable, str(Path(__file__).resolve()), "--role", "prepare", ident,
                                str(args.units), str(args.seed), str(args.out)])
    case = Case(json.loads(described))
    size = case.data.stat().st_size / MiB
    say(f"\n{case.id}: {case.units:,} units × {case.indicators} indicators = {case.values:,} values, year "
        f"{case.year}, {size:.1f} MiB" + (f"; figure columns: {', '.join(case.figures)}" if case.figures else ""))
    argv = {name: command for name, command in commands(case, qscore, options).items()
            if name in formats or (not args.no_peers and name in ("floor", "polars")) or
            (name == "twin-csv" and "csv" in formats)}
    loads: list[float] = []
    runs = measure_case(case, argv, args.repeat, args.min_free_gib, say, loads)
    polars: dict[str, Any] = {}
    if "polars" in runs and "csv" in runs:
        polars["agreement"] = checked(case.output(".csv"), case.out / f"{case.id}-polars.csv", args.sample)
    elif not args.no_peers:
        polars["skipped"] = case.plan_problem or "polars is not installed (pip install -e '.[bench]')"
    zen = {} if args.no_peers or args.no_zen or "csv" not in runs else run_peer_zen(case)
    archive = None
    if ident == args.archive and "csv" in runs:
        has = "--record" in options["rank"] and {"compare", "history"} <= set(top_commands())
        archive = measure_archive(case, argv, runs["csv"], args.repeat, *case.plan_years, say) if has else \
            {"skipped": "this qscore has no rank --record, compare or history"}
    goals = targets(case, runs, zen)
    describe_case(case, runs, polars, zen, goals, say)
    return {"indicators": case.indicators, "units": case.units, "values": case.values, "year": case.year,
            "data_mib": round(size, 1), "figure_columns": case.figures, "explained_unit": case.unit,
            "twin": case.twin[1] if case.twin else None,
            "load_averages": loads, "runs": {name: r.as_dict() for name, r in runs.items()},
            "ratios_to_csv": {name: round(ratio(runs, name) or 0, 3) for name in runs},
            "cpu_ratios_to_csv": {name: round(ratio(runs, name, measure="cpu") or 0, 3) for name in runs},
            "polars": polars, "zen": zen, "archive": archive, "targets": goals}


def child(role: list[str]) -> None:
    """What a child process of the benchmark does: ``floor DATA``, ``prepare ID UNITS SEED
    OUT`` or ``agree OURS THEIRS SAMPLE``; it prints its result."""
    if role[0] == "floor":
        import national

        national.floor_main(role[1])
    elif role[0] == "prepare":
        print(json.dumps(prepare(role[1], int(role[2]), int(role[3]), Path(role[4])), ensure_ascii=False))
    elif role[0] == "agree":
        print(json.dumps(agreement(Path(role[1]), Path(role[2]), int(role[3])), ensure_ascii=False))


def plugin_packages() -> list[str]:
    from importlib.metadata import entry_points

    return [entry.value.split(":")[0] for entry in entry_points(group="qscore")]


def top_commands() -> list[str]:
    _, out = run_process([*qscore_command(), "--help"])
    text = out.decode("utf-8", errors="replace")
    listed = text.split("Commands:", 1)[1] if "Commands:" in text else ""
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


if __name__ == "__main__":
    main()

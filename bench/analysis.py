"""What-if and robustness benchmark: the figures issue 15 asks for, as whole processes.

Run ``python bench/analysis.py`` (see bench/README.md).  It generates a batch of 1,000
units × 26 indicators with ``bench/national.py``'s generator (every rule type, bonus,
deduction and veto items, grades by score) under ``bench/out/``, then measures:

- ``qscore robustness`` with 1,000 samples on it, with both cores and with one;
- ``qscore robustness`` with 1,000 samples on the bundled 重庆 38 区县 (2025);
- ``qscore whatif`` for 石柱 among the 38, and the library's ``whatif`` for each of the 38.

Nothing here is imported by qscore.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from national import best_of, generate, qscore_command  # noqa: E402

CHONGQING = ROOT / "examples" / "chongqing" / "districts-2025.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=26)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["QSCORE_LOAD_PLUGINS"] = "chongqing"
    ruleset, data, _ = generate(args.out, "analysis", args.units, args.indicators, args.seed)
    qscore = qscore_command()
    print(f"machine Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")

    study = [*qscore, "robustness", str(ruleset), str(data), "--samples", str(args.samples), "--format", "json",
             "-o", str(args.out / "analysis-robustness.json")]
    for workers in (2, 1):
        run = best_of(args.repeat, [*study, "--workers", str(workers)])
        print(f"robustness {args.units:,} units × {args.indicators} indicators, {args.samples:,} samples, "
              f"{workers} worker(s) (process): {run.wall:.2f} s wall, {run.cpu:.2f} s CPU (best of {args.repeat}), "
              f"peak RSS {run.rss / 2**20:.0f} MiB")

    districts = [*qscore, "robustness", "chongqing-districts", str(CHONGQING), "--year", "2025",
                 "--samples", str(args.samples), "--format", "json", "-o", str(args.out / "chongqing-robustness.json")]
    run = best_of(5, districts)
    print(f"robustness 重庆 38 区县, {args.samples:,} samples (process): {run.wall:.2f} s wall, {run.cpu:.2f} s CPU "
          f"(best of 5)")

    whatif = [*qscore, "whatif", "chongqing-districts", str(CHONGQING), "石柱土家族自治县", "--year", "2025"]
    run = best_of(5, whatif)
    print(f"whatif     石柱 among the 38 (process): {run.wall:.2f} s wall, {run.cpu:.2f} s CPU (best of 5)")

    from qscore.analysis import load_case, whatif as ask

    case = load_case("chongqing-districts", CHONGQING, year=2025)
    times = []
    for unit in case.dataset.units:
        start = time.perf_counter()
        ask(case, unit)
        times.append(time.perf_counter() - start)
    print(f"whatif     each of the 38 (library, data bound once): median {statistics.median(times) * 1000:.0f} ms, "
          f"slowest {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

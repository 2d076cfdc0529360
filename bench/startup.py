"""Paired start-up medians: ``qscore --help`` and the README's 33-unit run, timed by
turns with two installs of qscore (before and after a change), wall and CPU time of
each process from ``wait4``.

    python bench/startup.py BEFORE/bin/qscore AFTER/bin/qscore --repeat 11

Run each command once first (done here, outside the timing) so that the bytecode cache
is warm, and leave ``PYTHONDONTWRITEBYTECODE`` unset (it is removed from the children's
environment): otherwise every start compiles qscore's modules again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (["--help"], ["rank", "shizhu-township", "examples/shizhu/townships-2025.csv", "--year", "2025"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("executables", nargs="+", help="qscore executables, timed by turns")
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for command in COMMANDS:
        outputs = {exe: subprocess.run([exe, *command], env=env, capture_output=True, cwd=ROOT).stdout
                   for exe in args.executables}
        wall: dict[str, list[float]] = {exe: [] for exe in args.executables}
        cpu: dict[str, list[float]] = {exe: [] for exe in args.executables}
        for _ in range(args.repeat):
            for exe in args.executables:
                start = time.perf_counter()
                child = subprocess.Popen([exe, *command], env=env, stdout=subprocess.DEVNULL, cwd=ROOT)
                _, _, usage = os.wait4(child.pid, 0)
                child.returncode = 0
                wall[exe].append(time.perf_counter() - start)
                cpu[exe].append(usage.ru_utime + usage.ru_stime)
        same = len(set(outputs.values())) == 1
        print(f"qscore {' '.join(command)}" + ("" if same else "  (outputs differ)"))
        for exe in args.executables:
            print(f"  {exe}: wall {statistics.median(wall[exe]) * 1000:.1f} ms, "
                  f"CPU {statistics.median(cpu[exe]) * 1000:.1f} ms (median of {args.repeat})")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()

"""Measuring whole processes: wall time, CPU time and peak RSS of one child at a time.

Shared by ``bench/national.py`` and ``bench/seeds.py``.  Each figure is the child's own
(``wait4``), never the sum of every child so far.  On a shared machine one run says
little: take the median of several (:func:`median_of`), and compare figures measured in
the same run of the benchmark.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

MiB = 2**20


class Run:
    """One child process's wall time, CPU time (user + system) and peak RSS (bytes)."""

    def __init__(self, wall: float, cpu: float, rss: int) -> None:
        self.wall, self.cpu, self.rss = wall, cpu, rss

    def as_dict(self) -> dict[str, float]:
        return {"wall_s": round(self.wall, 4), "cpu_s": round(self.cpu, 4), "rss_mib": round(self.rss / MiB, 1)}


class Runs:
    """Several runs of one command: medians, and every run kept for the record."""

    def __init__(self, runs: Sequence[Run]) -> None:
        self.runs = list(runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss(self) -> float:
        return statistics.median(r.rss for r in self.runs)

    def as_dict(self) -> dict[str, object]:
        return {"median": Run(self.wall, self.cpu, int(self.rss)).as_dict(), "runs": [r.as_dict() for r in self.runs]}


def run_process(argv: Sequence[str], *, keep: bool = True) -> tuple[Run, bytes]:
    """Run ``argv`` to its end, reading its standard output through a pipe; its own
    resource use comes from wait4.

    The output is returned, or with ``keep=False`` read and dropped as it comes (a
    national table, without growing this process).  A child's peak RSS counts the pages
    of the process it was started from, so the measuring process should stay small.  A
    child that fails stops the benchmark with its message.
    """
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=errors)
        assert child.stdout is not None
        if keep:
            stdout = child.stdout.read()
        else:
            stdout = b""
            while child.stdout.read(2**16):
                pass
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.stdout.close()
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(map(str, argv))} failed ({child.returncode}):\n"
                             f"{errors.read().decode(errors='replace')}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024), stdout


def median_of(times: int, argv: Sequence[str]) -> Runs:
    """``argv`` run ``times`` times in a row."""
    return Runs([run_process(argv)[0] for _ in range(times)])


def best_of(times: int, argv: Sequence[str]) -> Run:
    """The fastest wall and CPU times of ``times`` runs, and the largest peak RSS."""
    runs = median_of(times, argv).runs
    return Run(min(r.wall for r in runs), min(r.cpu for r in runs), max(r.rss for r in runs))


def qscore_command() -> list[str]:
    """The ``qscore`` script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("qscore")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qscore"]


def command_options(command: str) -> set[str]:
    """The long options ``qscore COMMAND --help`` lists (to use an option only where this
    qscore has it, e.g. ``--partial``)."""
    _, out = run_process([*qscore_command(), command, "--help"])
    words = out.decode("utf-8", errors="replace").replace(",", " ").replace("/", " ").split()
    return {word.split("=")[0] for word in words if word.startswith("--")}


def compile_packages(names: Sequence[str]) -> None:
    """Byte-compile these packages once, as an installed wheel has them.

    With an editable install and ``PYTHONDONTWRITEBYTECODE=1`` every process would
    compile qscore's modules again (about 0.04 s of each run); the cached files are
    read even where that variable is set.
    """
    import compileall
    import importlib.util

    for name in names:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    memory = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            memory = int(next(line for line in handle if line.startswith("MemTotal")).split()[1]) * 1024
    except (OSError, StopIteration, ValueError):
        pass
    return {"python": sys.version.split()[0], "cpus": os.cpu_count(), "memory_gib": round(memory / 2**30, 1),
            "load_average": round(os.getloadavg()[0], 2)}


def available_memory() -> int:
    """Bytes the kernel says new processes can have without swapping."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            return int(next(line for line in handle if line.startswith("MemAvailable")).split()[1]) * 1024
    except (OSError, StopIteration, ValueError):
        return 0


def read_totals(path: Path) -> dict[str, Decimal]:
    """Each unit's total in a results CSV qscore (or a peer writing its columns) wrote."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        unit, total = header.index("单位"), header.index("总分")
        return {row[unit]: Decimal(row[total]) for row in reader}

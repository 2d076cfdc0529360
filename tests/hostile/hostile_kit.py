"""What every hostile case checks: the exact exit code and message, inputs byte-identical
after the run, no temporary file left; and, for the bounded cases, a real ``qscore``
process under memory and CPU limits (``resource``), so that a case that does unbounded
work fails by running out of them rather than by a clock."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from click.testing import Result

DATA = Path(__file__).parent.parent / "data"
RULESET = DATA / "township.toml"
UNITS = DATA / "townships.csv"
#: A real qscore process reading a small file stays well inside these; unbounded work
#: (gigabytes inflated, a quadratic header match) runs out of them.
MEMORY_BUDGET = 768 * 2**20
CPU_BUDGET = 20


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (hidden temporary files included)."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def copy_inputs(folder: Path, *sources: Path) -> list[Path]:
    """The sources copied into ``folder``, so that a run can be checked to leave them alone."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(source, folder / source.name)) for source in sources]


def check_cli(cli: Callable[..., Result], folder: Path, *args: str, code: int, output: str | None) -> Result:
    """Run the CLI in-process; exact exit code and output (``None``: a success whose
    output the caller checks); the folder byte-identical afterwards (no input changed,
    no file or temporary file added)."""
    before = files(folder)
    result = cli(*args)
    if output is not None:
        assert result.output == output
    assert result.exit_code == code, result.output
    assert files(folder) == before
    return result


def preexec(memory: int = MEMORY_BUDGET, cpu: int = CPU_BUDGET, file_size: int | None = None) -> Callable[[], None]:
    """Limits for a child process: address space, CPU seconds, and a largest file."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        if file_size is not None:
            # A write past the limit then fails with EFBIG instead of killing the process.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    return limit


def environment(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("QSCORE_")}
    return {**env, "QSCORE_LOAD_PLUGINS": "", **extra}


def run_qscore(args: Iterable[str], *, cwd: Path, memory: int = MEMORY_BUDGET, cpu: int = CPU_BUDGET,
               file_size: int | None = None, prefix: Iterable[str] = ()) -> subprocess.CompletedProcess[str]:
    """``qscore ARGS`` as a process in ``cwd`` under the budgets."""
    return subprocess.run([*prefix, sys.executable, "-m", "qscore", *args], cwd=cwd, capture_output=True,
                          text=True, env=environment(), preexec_fn=preexec(memory, cpu, file_size), timeout=300)


def check_process(folder: Path, *args: str, code: int, stderr: str, stdout: str = "", **budget: int) -> None:
    """Run ``qscore`` under the budgets in ``folder``: exact exit code, stderr and stdout;
    the folder byte-identical afterwards.  Killed for CPU, or out of memory, it fails."""
    before = files(folder)
    done = run_qscore(args, cwd=folder, **budget)
    assert done.returncode != -signal.SIGXCPU, "the CPU budget ran out"
    assert "MemoryError" not in done.stderr, "the memory budget ran out"
    assert done.stderr == stderr
    assert (done.returncode, done.stdout) == (code, stdout)
    assert files(folder) == before

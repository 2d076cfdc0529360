"""A last thing done when a signal ends qscore.

SIGTERM and SIGHUP end a process at once, without unwinding its ``finally`` blocks or
context managers; what must not outlive qscore (a half-written temporary file, worker
processes) is dealt with by a handler first, which then lets the signal do what it would
have done.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

#: The signals that end qscore from outside: ``kill``, a closed terminal, Ctrl-C.
ENDING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name))


@contextlib.contextmanager
def first_on_signal(action: Callable[[], None], signals: Sequence[int] = ENDING) -> Iterator[None]:
    """While the block runs, each of ``signals`` first runs ``action``, then does what it
    would have done (ends qscore; Ctrl-C stops it as usual).  Signals that are ignored
    (``nohup``) stay ignored; the handlers are put back afterwards.  Only the main thread
    may handle signals: elsewhere the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def handle(signum: int, frame: Any) -> None:
        action()
        signal.signal(signum, previous[signum])
        signal.raise_signal(signum)

    for number in signals:
        handler = signal.getsignal(number)
        if handler is not None and handler != signal.SIG_IGN:
            previous[number] = signal.signal(number, handle)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)

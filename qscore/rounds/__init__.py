"""The examiner's year across rounds: an archive of recorded rounds, the comparison of
two years, and what moved each unit's total.

- :mod:`~qscore.rounds.archive` — the SQLite archive (``qscore rank … --record``);
- :mod:`~qscore.rounds.stored` — a batch as the archive's rows, and back;
- :mod:`~qscore.rounds.compare` — two years side by side, each change split exactly
  into a data effect and a target effect (``qscore compare``);
- :mod:`~qscore.rounds.report` — comparisons and histories as tables, CSV, JSON, XLSX.
"""

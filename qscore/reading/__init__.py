"""Spreadsheets in: a reader per file format turns a file into a :class:`RawTable` of
strings (:mod:`~qscore.reading.text` for CSV and JSON, :mod:`~qscore.reading.xlsx` for
workbooks, plug-ins for more), and :mod:`~qscore.reading.binding` reads that table as
the examiner meant it for one ruleset, cell by cell (:mod:`qscore.cells`, the one
reading of a cell's text, shared with the rules and the ruleset loader)."""

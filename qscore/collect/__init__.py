"""The collection round: the form (填报表) an examiner sends to every unit or department,
and the submissions that come back, merged into one dataset.

- :mod:`~qscore.collect.forms` — what a form asks for: its columns, headed exactly as
  qscore reads them, the units it lists, its title (which states the year), and how a
  form or a merged workbook qscore made is recognised when it comes back.
- :mod:`~qscore.collect.merge` — submissions (one file per township, one per department
  with its own columns, partial files) combined into one
  :class:`~qscore.reading.binding.Dataset`: conflicts refused, each value's source kept,
  the checklist of what is still missing.
- :mod:`~qscore.collect.workbook` — the merged workbook read back: each value's source
  from its 来源 sheet, and what it still lacks.

Reading each submission is the pipeline's (:func:`qscore.pipeline.collect`): the same
reader, layout recognition and binding as one data file.  The workbooks themselves are
written by :mod:`qscore.writing.template`.
"""

"""Scoring and ranking: the column-wise engine, the formulas of a total, ranks and
classes, the engine's results as columns, and the plug-in adjusters' contract."""

"""Tools for plug-in authors: a new plug-in from the template (:mod:`~qscore.authoring.scaffold`),
a plan's indicator table turned into a ruleset (:mod:`~qscore.authoring.importer`), the
lint of ``qscore validate`` (:mod:`~qscore.authoring.lint`) and the worked examples'
check (:mod:`~qscore.authoring.examples`).  The test kit is :mod:`qscore.testing`."""

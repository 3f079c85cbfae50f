"""Teaching helpers, pure and print-free: formulas with the numbers substituted (:mod:`.working`),
convolution and pooling by hand (:mod:`.apply`), grading answers (:mod:`.check`) and exercises
(:mod:`.quiz`). Text is message ids for :mod:`cnncalc.i18n`; rendering lives in :mod:`cnncalc.render`."""

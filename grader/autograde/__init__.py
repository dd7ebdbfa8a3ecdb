"""Grading a class: submissions in, scores, feedback and a grade sheet out.

Phases, one module each: ``intake``/``collect`` (find the submissions), ``flags`` (what looked like
tampering), ``worker`` (grade one notebook: program, sandboxed run, verdicts outside), ``sandbox``
(bubblewrap, memory cgroup, the warm runner), ``results`` (typed results), ``store`` (run folders,
merged grade sheet, shards), ``feedback`` (HTML pages), ``gradebook`` (nbgrader's database),
``execute`` (the optional full notebook run), ``run`` (the command line).

After grading, from the immutable runs: ``timestamps`` (when each assignment was handed in),
``policy`` (late work), ``manual`` (written answers graded by hand in nbgrader's formgrader),
``sheet`` (a row of grades.csv), ``exports`` (Canvas, Moodle, Gradescope), ``report`` (the class
report), ``similarity`` (pairs for a human to review).
"""

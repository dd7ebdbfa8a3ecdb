"""The sandbox side of grading: run a student's program and call its exercises. Knows no answers.

* :mod:`vitlab.harness.wire`: the job and outputs files (JSON + safetensors, never pickle);
* :mod:`vitlab.harness.runner`: runs one job (the program's cells, then every case's call);
* :mod:`vitlab.harness.zygote`: imports torch once and forks a fresh, isolated child per job;
* :mod:`vitlab.harness.calls`: how to call each exercise on given inputs (one module per notebook);
* :mod:`vitlab.harness.scratch`: what a call does while it runs (torch calls, lines, built-ins).

Nothing here imports :mod:`vitlab.checks` (oracles, catalogue) or the instructor package: the
grader's sandbox mounts this package, and never those.
"""

"""Instructor-only: hidden cases, oracles that are a notebook's answer, and mistakes written as code.

Never shipped to students (``make student-release`` leaves it out) and never mounted in the
grader's sandbox, so nothing in a student's process can read it. One module per notebook, each with:

* ``HIDDEN``: grade id -> hidden cases (other shapes, random values, edge cases, invariants);
* ``ORACLES`` (optional): grade id -> the oracle the grader uses instead of the public one;
* ``MISTAKES`` (optional): grade id -> more catalogued mistakes, for the grader's diagnoses.

:mod:`vitlab.checks.registry` reads them by grade id.
"""

"""Instructor-only: hidden test cases and oracles. Never shipped in the student release.

Hidden tests (``### BEGIN HIDDEN TESTS`` in ``solutions/``) call these; the grader restores them
at autograde time. They reuse the public checks' oracles and mistake catalogue with other shapes,
random values, edge cases and invariants, so that hard-coding the visible examples earns nothing.
"""

"""Instructor tooling: the nbgrader course, the release pipeline and the autograde pipeline."""

"""Shared fixtures. Notebook runs are grouped: one kernel per notebook, one grading run per module."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the grader package lives at the repository root
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["VITLAB_FAST"] = "1"


def assignments() -> list[str]:
    return sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT

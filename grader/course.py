"""The nbgrader course: its configuration and the assignments it holds."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "notebooks"
GRADING = ROOT / ".grading"  # every grading artefact; git-ignored
CONFIG_FILE = Path(__file__).resolve().parent / "nbgrader_config.py"


def assignments(source: Path = SOLUTIONS) -> list[str]:
    """Assignment folders (NN_topic) in order."""
    return sorted(p.name for p in source.iterdir() if p.is_dir() and p.name[:2].isdigit() and "_" in p.name)


def notebooks(assignment: str, source: Path = SOLUTIONS) -> list[Path]:
    return sorted(p for p in (source / assignment).glob("*.ipynb"))


def config(root: Path | None = None, **directories: str) -> Config:
    """The course config, optionally moved to another root (a grading run's private course)."""
    cfg = PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()
    if root is not None:
        cfg.CourseDirectory.root = str(root)
        cfg.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    for name, value in directories.items():
        setattr(cfg.CourseDirectory, name, value)
    return cfg


def api(cfg: Config):
    """An NbGraderAPI on ``cfg`` that logs warnings only."""
    # nbgrader creates its gradebook with the `alembic` command of this interpreter's environment
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=cfg)
    nbgrader = NbGraderAPI(coursedir=coursedir, config=cfg)
    nbgrader.log.setLevel(logging.WARNING)
    return nbgrader

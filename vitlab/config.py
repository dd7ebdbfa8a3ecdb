"""The one place for run-time settings read from the environment."""

from __future__ import annotations

import os
from pathlib import Path


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


#: Quick mode (``VITLAB_FAST=1``): small subsets and few steps, used by nbval, autograde and CI.
FAST: bool = _flag("VITLAB_FAST")

#: Where the Debian package ``dataset-fashion-mnist`` installs the four original IDX files.
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def data_dir() -> Path | None:
    """``$VITLAB_DATA`` if set: a folder holding the original Fashion-MNIST ``.gz`` files."""
    value = os.environ.get("VITLAB_DATA")
    return Path(value).expanduser() if value else None


def cache_dir() -> Path:
    """Writable folder for unpacked or downloaded data (``$VITLAB_CACHE``, default ~/.cache/vitlab)."""
    value = os.environ.get("VITLAB_CACHE")
    base = Path(value).expanduser() if value else Path.home() / ".cache" / "vitlab"
    return base


def quick(full: int, fast: int) -> int:
    """Pick a size: ``full`` normally, ``fast`` in quick mode."""
    return fast if FAST else full

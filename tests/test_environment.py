"""The environment: pins kept equal in both files, torch and torchvision together, d2l importable."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.conftest import ROOT

PIN = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^;\s]+)")


def pins_pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [
        d for group in project["optional-dependencies"].values() for d in group
    ]
    return {m[1].lower(): m[2] for s in specs if (m := PIN.match(s))}


def pins_environment() -> dict[str, str]:
    lines = [line.strip().lstrip("-").strip() for line in (ROOT / "environment.yml").read_text().splitlines()]
    return {m[1].lower(): m[2] for line in lines if (m := PIN.match(line))}


def test_environment_yml_pins_what_pyproject_pins():
    assert pins_environment() == pins_pyproject()


def test_torch_and_torchvision_pinned_together():
    pins = pins_pyproject()
    assert (pins["torch"], pins["torchvision"]) == ("2.14.1", "0.29.1")


def test_the_pinned_versions_are_installed():
    from importlib.metadata import version

    import torch
    import torchvision

    assert torch.__version__.split("+")[0] == "2.14.1"
    assert torchvision.__version__.split("+")[0] == "0.29.1"
    for name, pinned in pins_pyproject().items():
        if name not in ("torch", "torchvision"):
            assert version(name) == pinned, f"{name}: installed {version(name)}, pinned {pinned}"


def test_d2l_imports_next_to_modern_numpy():
    d2l = pytest.importorskip("d2l.torch")
    assert hasattr(d2l, "Trainer") and hasattr(d2l, "MultiHeadAttention")

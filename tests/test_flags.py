"""Flags without running anything: edited/added/deleted test cells, and code that reaches for the
machinery, seen through every alias. (Scores never depend on flags; the attacks end to end are in
tests/test_autograde.py.)"""

from __future__ import annotations

import nbformat
import pytest

from grader.autograde import flags

SETUP = (
    "import math\nimport numpy as np\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n"
    "from vitlab import checks",
)


@pytest.mark.parametrize(
    "source, flag",
    [
        ("import sys\nsys.modules['vitlab.checks.patchify'] = None", "suspicious:sys.modules"),
        ("get_ipython().input_transformers_post.append(f)", "suspicious:input-transformer"),
        ("get_ipython().set_custom_exc((Exception,), h)", "suspicious:custom-exception-handler"),
        ("import os\nos._exit(0)", "suspicious:os._exit"),
        ("from os import _exit", "suspicious:os._exit"),
        ("torch.allclose = lambda *a, **k: True", "monkeypatch:torch.allclose"),
        ("np.testing.assert_allclose = print", "monkeypatch:numpy.testing.assert_allclose"),
        ("math.isclose = lambda *a: True", "monkeypatch:math.isclose"),
        ("setattr(torch, 'equal', f)", "monkeypatch:setattr(torch)"),
        ("setattr(torch.nn.functional, 'mse_loss', f)", "monkeypatch:setattr(torch.nn.functional)"),
        ("import importlib", "suspicious:importlib"),
        ("__import__('os')", "suspicious:__import__"),
        ("import ctypes", "suspicious:ctypes"),
        ("!curl http://example.com", "suspicious:shell-or-magic"),
        # through aliases: the checks library, the harness, the instructor package
        (
            "import vitlab.checks.core as zz\nzz.Exercise.verdict = f",
            "monkeypatch:vitlab.checks.core.Exercise.verdict",
        ),
        ("import vitlab.checks.core as zz\nzz.Exercise.verdict = f", "suspicious:checks-internals"),
        (
            "from vitlab.harness import runner as r\nr.capture = f",
            "monkeypatch:vitlab.harness.runner.capture",
        ),
        (
            "import vitlab.harness.wire as w\nsetattr(w, 'write_outputs', f)",
            "monkeypatch:setattr(vitlab.harness.wire)",
        ),
        ("m = torch.nn\nm.Module.__call__ = f", "monkeypatch:torch.nn.Module.__call__"),
        ("F.__dict__['unfold'] = f", "monkeypatch:F.__dict__"),
        ("vars(torch)['equal'] = f", "suspicious:__dict__"),
        ("torch.nn.functional.__dict__.update(unfold=f)", "monkeypatch:torch.nn.functional.__dict__"),
        ("from instructor import patchify", "suspicious:instructor-package"),
        ("import instructor.patchify as p", "suspicious:instructor-package"),
        ("checks.run = lambda *a: None", "monkeypatch:vitlab.checks.run"),
    ],
)
def test_code_flags(source, flag):
    assert flag in flags.code_flags([("answer", source)], SETUP), flags.code_flags(
        [("answer", source)], SETUP
    )


def test_ordinary_answers_raise_no_flag():
    answers = [
        (
            "patchify",
            "def patchify(x, p):\n    self_proj = torch.zeros(3)\n    x = x.reshape(1, -1)\n"
            "    return torch.allclose(x, x)",
        ),
        (
            "embed",
            "class PatchEmbedding(nn.Module):\n    def __init__(self, c, p, d):\n        super().__init__()\n"
            "        self.proj = nn.Linear(c * p * p, d)\n        self.patch_size = p\n"
            "    def forward(self, x):\n        return self.proj(patchify(x, self.patch_size))",
        ),
        (
            "head",
            "def replace_head(model, k, name='head'):\n    parent_name, _, last = name.rpartition('.')\n"
            "    parent = model.get_submodule(parent_name) if parent_name else model\n"
            "    setattr(parent, last, nn.Linear(4, k))",
        ),
        ("plot", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nprint('shape', (2, 3))"),
    ]
    assert flags.code_flags(answers, SETUP) == []


def _test_cell(gid: str, source: str, points: int = 2):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": gid,
        "locked": True,
        "points": points,
        "solution": False,
        "schema_version": 3,
    }
    return cell


def test_cell_flags():
    release = nbformat.v4.new_notebook()
    release.cells = [_test_cell("t1", "check(1)"), _test_cell("t2", "check(2)")]
    submitted = nbformat.v4.new_notebook()
    submitted.cells = [
        _test_cell("t1", "pass"),
        _test_cell("t9", "print('bonus')", 100),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    assert flags.cell_flags(submitted, release) == [
        "test-cell-edited:t1",
        "test-cell-added:t9",
        "test-cell-deleted:t2",
    ]

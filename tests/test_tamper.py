"""Tamper resistance without a kernel: recorded outcomes, the trusted replay, and the flags.

The end-to-end attacks (a patched torch.allclose, fake checks, input transformers, os._exit, ...)
are sample submissions graded in tests/test_autograde.py; here each mechanism is tested alone.
"""

from __future__ import annotations

import os

import nbformat
import pytest
import torch

from grader import tamper
from grader.verdicts import NOT_RECORDED, load_record, load_records, replay_cell, setup_imports
from vitlab.checks import core
from vitlab.checks import patchify as checks

PUBLIC = "checks.test_patchify(patchify)"
NAMESPACE = {"checks": checks}


def correct(images, patch_size):
    return checks.patches_oracle(images, patch_size) if images.shape[-1] % patch_size == 0 else _raise()


def _raise():
    raise ValueError("not divisible")


def column_major(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("not divisible")
    x = images.reshape(B, C, H // P, P, W // P, P).permute(0, 4, 2, 1, 3, 5)
    return x.reshape(B, -1, C * P * P)


def from_scratch(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("not divisible")
    return images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5).reshape(B, -1, C * P * P)


def record(tmp_path, student, monkeypatch) -> list:
    """What the kernel would write for the public patchify test, read back as the grader does."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv(core.grading.ENV, str(tmp_path))
    try:
        checks.test_patchify(student)
    except core.CheckFailure:
        pass
    monkeypatch.delenv(core.grading.ENV)
    return sorted(tmp_path.iterdir())


def test_checks_record_nothing_outside_grading(tmp_path):
    assert core.grading.ENV not in os.environ
    checks.test_patchify(from_scratch)  # a student's JupyterLab: no files, same output
    assert not list(tmp_path.iterdir())


def test_replay_passes_a_correct_answer_and_names_the_mistake_of_a_wrong_one(tmp_path, monkeypatch):
    good = replay_cell(
        "test_patchify", PUBLIC, NAMESPACE, load_records(record(tmp_path / "a", from_scratch, monkeypatch))
    )
    assert good.passed and len(good.verdicts) == 4
    bad = replay_cell(
        "test_patchify", PUBLIC, NAMESPACE, load_records(record(tmp_path / "b", column_major, monkeypatch))
    )
    assert not bad.passed and "column-major" in bad.verdicts[0].message


def test_a_patched_comparison_in_the_kernel_changes_nothing(tmp_path, monkeypatch):
    with monkeypatch.context() as patch:  # what the student's kernel did to itself
        patch.setattr(torch, "allclose", lambda *a, **k: True)
        paths = record(tmp_path, column_major, monkeypatch)
    assert not replay_cell("test_patchify", PUBLIC, NAMESPACE, load_records(paths)).passed


def test_missing_records_fail_the_cell(tmp_path, monkeypatch):
    paths = record(tmp_path, from_scratch, monkeypatch)
    verdict = replay_cell("test_patchify", PUBLIC, NAMESPACE, load_records(paths[:-1]))
    assert not verdict.passed and verdict.verdicts[-1].message == NOT_RECORDED
    assert not replay_cell("test_patchify", PUBLIC, NAMESPACE, []).passed


def test_records_out_of_order_fail_and_are_flagged(tmp_path, monkeypatch):
    paths = record(tmp_path, from_scratch, monkeypatch)
    verdict = replay_cell("test_patchify", PUBLIC, NAMESPACE, load_records(paths)[::-1])
    assert not verdict.passed and verdict.mismatch


def test_a_cell_that_checks_nothing_earns_nothing():
    assert not replay_cell("test_x", "pass", NAMESPACE, []).passed


def test_malformed_pickled_and_linked_records_are_rejected(tmp_path, monkeypatch):
    (tmp_path / "junk.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    assert load_record(tmp_path / "junk.safetensors") is None
    torch.save({"patches": torch.zeros(2)}, tmp_path / "pickle.safetensors")  # never unpickled
    assert load_record(tmp_path / "pickle.safetensors") is None
    good = record(tmp_path / "r", from_scratch, monkeypatch)[0]
    (tmp_path / "link.safetensors").symlink_to(good)
    assert load_record(good) is not None and load_record(tmp_path / "link.safetensors") is None
    from safetensors.torch import save_file

    save_file({"patches": torch.zeros(1)}, tmp_path / "foreign.safetensors", metadata={"format": "other"})
    assert load_record(tmp_path / "foreign.safetensors") is None


def test_long_error_messages_are_cut(tmp_path, monkeypatch):
    def chatty(images, patch_size):
        raise ValueError("x" * 10_000)

    verdict = replay_cell(
        "test_patchify", PUBLIC, NAMESPACE, load_records(record(tmp_path, chatty, monkeypatch))
    )
    assert not verdict.passed and len(verdict.verdicts[0].message) < 600


def test_setup_imports_run_only_the_import_lines():
    ns = setup_imports(
        ["import math\nraise SystemExit('never run')\nfrom vitlab.checks import patchify as checks"]
    )
    assert ns["checks"] is checks and "math" in ns


@pytest.mark.parametrize(
    "source, flag",
    [
        ("import sys\nsys.modules['vitlab.checks.patchify'] = None", "suspicious:sys.modules"),
        ("get_ipython().input_transformers_post.append(f)", "suspicious:input-transformer"),
        ("get_ipython().set_custom_exc((Exception,), h)", "suspicious:custom-exception-handler"),
        ("import os\nos._exit(0)", "suspicious:os._exit"),
        ("from os import _exit", "suspicious:os._exit"),
        ("torch.allclose = lambda *a, **k: True", "monkeypatch:torch.allclose"),
        ("np.testing.assert_allclose = print", "monkeypatch:np.testing.assert_allclose"),
        ("math.isclose = lambda *a: True", "monkeypatch:math.isclose"),
        ("setattr(torch, 'equal', f)", "suspicious:setattr"),
        ("setattr(torch.nn.functional, 'mse_loss', f)", "suspicious:setattr"),
        ("setattr(sys.modules['torch'], 'equal', f)", "suspicious:setattr"),
        ("import importlib", "suspicious:importlib"),
        ("__import__('os')", "suspicious:__import__"),
        ("import ctypes", "suspicious:ctypes"),
        ("!curl http://example.com", "suspicious:shell-or-magic"),
        ("x = os.environ['VITLAB_RECORD_DIR']", "suspicious:checks-internals"),
        ("core.grading.replay = None", "suspicious:checks-internals"),
    ],
)
def test_code_flags(source, flag):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    assert flag in tamper.code_flags(nb)


def test_ordinary_answers_raise_no_flag():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "def patchify(x, p):\n    self_proj = torch.zeros(3)\n    x = x.reshape(1, -1)\n"
            "    return torch.allclose(x, x)"
        )
    ]
    assert tamper.code_flags(nb) == []


def test_replacing_a_layer_of_ones_own_model_raises_no_flag():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "def replace_head(model, k, name='head'):\n    parent_name, _, last = name.rpartition('.')\n"
        "    parent = model.get_submodule(parent_name) if parent_name else model\n"
        "    setattr(parent, last, nn.Linear(4, k))\n    setattr(model, name, None)")]
    assert tamper.code_flags(nb) == []


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


def test_cell_flags_and_the_restored_notebook():
    source = nbformat.v4.new_notebook()
    source.cells = [
        _test_cell("t1", "check(1)\n### BEGIN HIDDEN TESTS\nhidden(1)\n### END HIDDEN TESTS"),
        _test_cell("t2", "check(2)"),
    ]
    release = nbformat.v4.new_notebook()
    release.cells = [_test_cell("t1", "check(1)"), _test_cell("t2", "check(2)")]
    submitted = nbformat.v4.new_notebook()
    submitted.cells = [
        _test_cell("t1", "pass"),
        _test_cell("t9", "print('bonus')", 100),
        nbformat.v4.new_code_cell("x = 1"),
    ]
    assert tamper.cell_flags(submitted, release) == [
        "test-cell-edited:t1",
        "test-cell-added:t9",
        "test-cell-deleted:t2",
    ]
    graded = tamper.graded_notebook(submitted, source)
    assert "hidden(1)" in graded.cells[0].source and graded.cells[1].source == "print('bonus')"

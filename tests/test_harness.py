"""The sandbox side of grading, without a sandbox: the exchange format, the runner, the program
builder and the run-time from-scratch recorder."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
import torch
import torch.nn.functional as F

from vitlab.checks import program
from vitlab.harness import runner, scratch, wire
from vitlab.harness.wire import CaseCall, ProgramCell

# --------------------------------------------------------------------------------------------------
# wire


def test_inputs_round_trip_every_kind_of_value(tmp_path):
    inputs = {
        "t": torch.arange(6.0).reshape(2, 3),
        "b": torch.tensor([True, False]),
        "n": 3,
        "x": 0.5,
        "s": "gelu",
        "none": None,
        "dtype": torch.float64,
        "shape": (2, 3),
        "runs": [(torch.ones(2), 2)],
        "nested": {"k": [1, 2]},
        "flag": True,
    }
    wire.write_job(
        tmp_path,
        [ProgramCell("setup", "setup", "x = 1")],
        [CaseCall("t/0", "vitlab.harness.calls.patchify:patchify", ("patchify",), inputs)],
        {"a": 1},
    )
    assert oct(os.stat(tmp_path / wire.INPUTS_FILE).st_mode)[-3:] == "644"  # the sandbox's user reads it
    program_cells, calls, settings = wire.read_job(tmp_path)
    got = calls[0].inputs
    assert torch.equal(got["t"], inputs["t"]) and got["b"].dtype == torch.bool
    assert got["dtype"] is torch.float64 and got["shape"] == (2, 3) and isinstance(got["runs"][0], tuple)
    assert {k: got[k] for k in ("n", "x", "s", "none", "nested", "flag")} == {
        k: inputs[k] for k in ("n", "x", "s", "none", "nested", "flag")
    }
    assert program_cells[0].source == "x = 1" and settings == {"a": 1}


@pytest.mark.parametrize("value", [lambda: 1, torch.nn.Linear, object(), {1: 2}, {"__tensor__": "t0"}])
def test_inputs_refuse_anything_but_plain_values(tmp_path, value):
    with pytest.raises(TypeError):
        wire.write_job(tmp_path, [], [CaseCall("t/0", "m:f", (), {"v": value})], {})


def _report() -> wire.RunReport:
    outcomes = {
        "t/0": wire.Outcome({"y": torch.ones(2)}),
        "t/1": wire.Outcome(error_type="ValueError", error_message="bad", error_line="line 2 of cell x: y"),
    }
    return wire.RunReport(
        outcomes, [wire.CellReport("x", "answer", "ValueError", "bad", "", 0.1)], {"program": 1.0}
    )


def test_outputs_round_trip(tmp_path):
    wire.write_outputs(tmp_path, _report())
    back = wire.read_outputs(tmp_path)
    assert torch.equal(back.outcomes["t/0"].tensors["y"], torch.ones(2))
    assert back.outcomes["t/1"].error_type == "ValueError" and back.outcomes["t/1"].error_line.startswith(
        "line 2"
    )
    assert back.cells[0].error_type == "ValueError" and back.timings == {"program": 1.0}


def test_outputs_that_are_links_too_large_or_malformed_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "secret").write_text("x")
    os.symlink(tmp_path / "secret", tmp_path / "a" / wire.OUTPUTS_FILE)
    with pytest.raises(ValueError):
        wire.read_outputs(tmp_path / "a")
    (tmp_path / "b").mkdir()
    wire.write_outputs(tmp_path / "b", _report())
    with pytest.raises(ValueError, match="limit"):
        wire.read_outputs(tmp_path / "b", limit=10)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / wire.OUTPUTS_FILE).write_bytes(b"\x08" + b"\x00" * 7 + b"not json")
    with pytest.raises(ValueError):
        wire.read_outputs(tmp_path / "c")
    (tmp_path / "d").mkdir()
    from safetensors.torch import save_file

    save_file({"x": torch.ones(1)}, str(tmp_path / "d" / wire.OUTPUTS_FILE), metadata={"format": "other"})
    with pytest.raises(ValueError, match="format"):
        wire.read_outputs(tmp_path / "d")
    with pytest.raises(ValueError, match="no outputs"):
        wire.read_outputs(tmp_path / "nothing")


def test_student_text_in_outputs_is_capped(tmp_path):
    report = wire.RunReport({"t/0": wire.Outcome(error_type="E" * 500, error_message="m" * 10_000)}, [], {})
    wire.write_outputs(tmp_path, report)
    outcome = wire.read_outputs(tmp_path).outcomes["t/0"]
    assert len(outcome.error_type) <= 80 and len(outcome.error_message) <= wire.MAX_TEXT


# --------------------------------------------------------------------------------------------------
# runner


def _run(tmp_path, cells, calls, settings=None) -> wire.RunReport:
    wire.write_job(tmp_path, [ProgramCell(r, label, src) for r, label, src in cells], calls, settings or {})
    return runner.run_job(tmp_path)


PATCHIFY = "vitlab.harness.calls.patchify:patchify"
GOOD = (
    "def patchify(images, patch_size):\n    B, C, H, W = images.shape\n    P = patch_size\n"
    "    grid = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)\n"
    "    return grid.reshape(B, (H // P) * (W // P), C * P * P)"
)


def test_a_cell_that_raises_does_not_stop_the_others(tmp_path):
    report = _run(
        tmp_path,
        [
            ("setup", "setup", "import torch"),
            ("answer", "broken", "1 / 0"),
            ("answer", "patchify", GOOD),
            ("added", "#9 (added)", "%time x = 1"),
        ],
        [CaseCall("c/0", PATCHIFY, ("patchify",), {"images": torch.zeros(1, 1, 4, 4), "patch_size": 2})],
    )
    broken = report.cells[1]
    assert broken.error_type == "ZeroDivisionError" and broken.error_line == "line 1 of cell broken: 1 / 0"
    assert report.cells[3].error_type is None  # IPython magics work in added cells
    assert report.outcomes["c/0"].tensors["patches"].shape == (1, 4, 4)


def test_a_missing_name_says_which_cell_broke(tmp_path):
    report = _run(
        tmp_path,
        [("answer", "patchify", "def patchify(x, p)\n    return x")],
        [CaseCall("c/0", PATCHIFY, ("patchify",), {"images": torch.zeros(1), "patch_size": 2})],
    )
    outcome = report.outcomes["c/0"]
    assert outcome.error_type == "NameError" and "patchify is not defined" in outcome.error_message
    assert "SyntaxError" in outcome.error_message and "cell patchify" in outcome.error_message


def test_errors_name_the_line_of_the_students_cell(tmp_path):
    source = "def patchify(images, patch_size):\n    x = images\n    raise RuntimeError('mine')"
    report = _run(
        tmp_path,
        [("answer", "patchify", source)],
        [CaseCall("c/0", PATCHIFY, ("patchify",), {"images": torch.zeros(1), "patch_size": 2})],
    )
    outcome = report.outcomes["c/0"]
    assert (outcome.error_type, outcome.error_message) == ("RuntimeError", "mine")
    assert outcome.error_line == "line 3 of cell patchify: raise RuntimeError('mine')"


def test_a_slow_case_is_stopped_and_the_next_one_runs(tmp_path):
    source = (
        "import time\ndef patchify(images, patch_size):\n    if patch_size == 1:\n"
        "        while True:\n            pass\n    return images.reshape(1, -1, 1)"
    )
    calls = [
        CaseCall(f"c/{p}", PATCHIFY, ("patchify",), {"images": torch.zeros(1, 1, 2, 2), "patch_size": p})
        for p in (1, 2)
    ]
    report = _run(tmp_path, [("answer", "patchify", source)], calls, {"case_timeout": 1})
    assert report.outcomes["c/1"].error_type == "CaseTimeout"
    assert report.outcomes["c/2"].tensors["patches"].shape == (1, 4, 1)


def test_only_harness_calls_can_be_named(tmp_path):
    report = _run(
        tmp_path,
        [("answer", "patchify", GOOD)],
        [
            CaseCall("c/0", "os:system", ("patchify",), {}),
            CaseCall("c/1", "vitlab.checks.core:judge", ("patchify",), {}),
        ],
    )
    assert {o.error_type for o in report.outcomes.values()} == {"HarnessError"}


def test_outputs_must_be_tensors(tmp_path):
    report = _run(
        tmp_path,
        [("answer", "patchify", "def patchify(images, patch_size):\n    return [1, 2]")],
        [CaseCall("c/0", PATCHIFY, ("patchify",), {"images": torch.zeros(1), "patch_size": 1})],
    )
    assert "should be a torch.Tensor but is a list" in report.outcomes["c/0"].error_message


def test_printing_is_counted_and_capped(tmp_path):
    report = _run(tmp_path, [("answer", "a", "print('x' * 1_000_000)")], [])
    assert report.output_truncated and report.output_bytes > 1_000_000


# --------------------------------------------------------------------------------------------------
# program


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _code(source, **meta):
    cell = nbformat.v4.new_code_cell(source)
    nbg = {k: v for k, v in meta.items() if k in ("grade", "solution", "locked", "grade_id", "points")}
    if nbg:
        cell.metadata["nbgrader"] = nbg
    if "vitlab" in meta:
        cell.metadata["vitlab"] = meta["vitlab"]
    return cell


def test_program_takes_setup_from_the_source_and_the_students_own_cells():
    setup = dict(locked=True, grade_id="setup", vitlab={"setup": True})
    source = _nb(
        _code(
            "import torch\nfrom vitlab import checks\nfrom vitlab.checks import patchify as c\nX = 1", **setup
        ),
        _code("demo()", vitlab={"demo": True}),
        _code("def f(): ...", solution=True, grade_id="f"),
        _code("checks.run('test_f', f)", grade=True, locked=True, grade_id="test_f", points=2),
    )
    submitted = _nb(
        _code("import os\nos.system('boom')  # an edited setup cell", **setup),
        _code("demo()  # edited demo", vitlab={"demo": True}),
        _code("def helper(): ..."),
        _code("def f(): return helper()", solution=True, grade_id="f"),
        _code("pass", grade=True, locked=True, grade_id="test_f", points=2),
    )
    built = program.build(submitted, source)
    assert [(c.role, c.label) for c in built.cells] == [
        ("setup", "setup"),
        ("added", "#3 (added)"),
        ("answer", "f"),
    ]
    assert built.cells[0].source == "import torch\nX = 1"  # the source's, without the checks
    assert built.test_ids == ("test_f",) and [label for label, _ in built.student_cells] == [
        "#3 (added)",
        "f",
    ]


def test_a_deleted_setup_cell_still_runs_first():
    setup = dict(locked=True, grade_id="setup", vitlab={"setup": True})
    source = _nb(_code("import torch", **setup), _code("def f(): ...", solution=True, grade_id="f"))
    built = program.build(_nb(_code("def f(): ...", solution=True, grade_id="f")), source)
    assert [c.role for c in built.cells] == ["setup", "answer"]


# --------------------------------------------------------------------------------------------------
# the run-time from-scratch recorder


def _watch(fn, *args):
    return scratch.watch(fn, args, {F.unfold: "unfold", scratch.private("_C._nn.im2col"): "im2col"})


def test_forbidden_built_ins_are_seen_however_they_are_called():
    x = torch.zeros(1, 1, 4, 4)
    assert "unfold" in _watch(lambda: F.unfold(x, 2, stride=2)).seen
    assert "im2col" in _watch(lambda: torch._C._nn.im2col(x, (2, 2), (1, 1), (0, 0), (2, 2))).seen

    def hidden():
        with torch._C.DisableTorchFunction():
            return F.unfold(x, 2, stride=2)

    assert _watch(hidden).seen  # the mode is off, the profiler still sees the call


def test_a_loop_runs_more_lines_for_bigger_inputs():
    def looped(x):
        return torch.stack([row * 2 for row in x])

    def vectorised(x):
        return x * 2

    for fn, grows in ((looped, True), (vectorised, False)):
        lines = [_watch(fn, torch.zeros(n, 3)).lines for n in (1, 4)]
        calls = [_watch(fn, torch.zeros(n, 3)).torch_calls for n in (1, 4)]
        assert (lines[0] != lines[1] or calls[0] != calls[1]) == grows


def test_runner_wire_format_is_json_and_safetensors_only(tmp_path):
    wire.write_job(tmp_path, [], [], {})
    assert json.loads((tmp_path / wire.JOB_FILE).read_text())["format"] == wire.FORMAT
    assert (tmp_path / wire.INPUTS_FILE).read_bytes()[8:9] == b"{"  # a safetensors header, no pickle

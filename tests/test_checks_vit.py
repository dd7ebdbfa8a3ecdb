"""Unit tests of notebook 5's checks: the weight map onto torchvision's ViT both ways, the paper's
parameter counts, a catalogue that never mistakes the right answer for a mistake, and judges that
stay on their feet when the outputs are malformed. The reference model comes from the solution
notebook itself."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
import torch

from grader import samples as S
from instructor import vit as hidden
from vitlab.checks import program, registry, vit
from vitlab.checks.core import Outcome
from vitlab.harness import runner
from vitlab.harness.calls import vit as calls
from vitlab.harness.wire import ProgramCell


@pytest.fixture(scope="module")
def reference() -> dict:
    """The namespace of the solution notebook's grading program (setup cells and reference answers)."""
    solution = S.solution_notebook("05_vit")
    prog = program.build(S.fill(S.release_notebook("05_vit"), solution, S.reference("05_vit")), solution)
    namespace: dict = {"__name__": "__main__"}
    with redirect_stdout(io.StringIO()):
        for cell in prog.cells:
            runner.run_cell(ProgramCell(cell.role, cell.label, cell.source), namespace)
    return namespace


SIZES = {
    "image_size": 12,
    "patch_size": 4,
    "in_channels": 3,
    "num_classes": 7,
    "dim": 24,
    "depth": 2,
    "num_heads": 3,
    "mlp_ratio": 2.0,
    "dropout": 0.0,
    "pool": "cls",
}


def test_vit_weights_map_both_ways(reference):
    images = torch.randn(2, 3, 12, 12, generator=torch.Generator().manual_seed(0))
    tv = vit.torchvision_vit(SIZES)
    calls.randomise(dict(tv.named_parameters()), seed=2)
    mine = reference["VisionTransformer"](**SIZES).eval()
    assert set(calls.name_map(mine)) == set(tv.state_dict()), "the map covers every torchvision tensor"
    weights = {"p:" + k: v for k, v in tv.state_dict().items()}
    with torch.no_grad():
        for name, value in calls.vit_params(mine).items():  # torchvision -> yours
            value.copy_(weights["p:" + name])
        torch.testing.assert_close(mine(images), tv(images), rtol=1e-5, atol=1e-5)
        params = {"p:" + k: v.detach() for k, v in calls.vit_params(mine).items()}
        back = vit.torchvision_vit(SIZES, params)  # yours -> torchvision
        torch.testing.assert_close(back(images), tv(images), rtol=1e-5, atol=1e-5)


def test_expected_shapes_and_count_are_torchvisions():
    tv = vit.torchvision_vit(SIZES)
    assert vit.expected_shapes(SIZES) == {k: tuple(v.shape) for k, v in tv.state_dict().items()}
    assert vit.parameter_count(SIZES) == sum(p.numel() for p in tv.parameters())


def test_labels_use_the_students_names():
    assert vit.label("encoder.pos_embedding") == "self.pos_embed"
    assert vit.label("heads.head.weight") == "self.head.weight"
    assert vit.label("encoder.layers.encoder_layer_1.ln_2.bias") == "self.blocks[1] (second LayerNorm: bias)"


def test_paper_parameter_counts(reference):
    """The reference formula gives torchvision's counts of the paper's models (the paper truncates to
    millions; its 307M for ViT-L is not what its own configuration gives)."""
    paper = {"ViT-B/16": (16, 768, 12, 12), "ViT-L/16": (16, 1024, 24, 16), "ViT-H/14": (14, 1280, 32, 16)}
    want = {"ViT-B/16": 86_567_656, "ViT-L/16": 304_326_632, "ViT-H/14": 632_045_800}
    for name, (P, D, L, nh) in paper.items():
        sizes = dict(
            image_size=224, patch_size=P, in_channels=3, num_classes=1000, dim=D, depth=L, num_heads=nh
        )
        inputs = {**sizes, "mlp_ratio": 4.0, "dropout": 0.0, "pool": "cls"}
        assert vit.parameter_count(inputs) == want[name]
        got = calls.parameter_count(reference, inputs)
        assert int(got["count"]) == want[name] and bool(got["integer"]) and int(got["modules"]) == 0


def _count_outcome(value: float, integer: bool = True, modules: int = 0) -> Outcome:
    return Outcome(
        {
            "count": torch.tensor(float(value), dtype=torch.float64),
            "integer": torch.tensor(integer),
            "modules": torch.tensor(modules),
        }
    )


@pytest.mark.parametrize("case", vit.COUNT.public, ids=lambda c: c.name)
def test_count_mistakes_are_distinct_and_wrong(case):
    """Every catalogued omission gives another count than the right one and than each other, on every
    public case: the diagnosis names one mistake."""
    inputs = case.inputs()
    right = vit.parameter_count(inputs)
    produced = [m.produce(inputs, _count_outcome(right)) for m in vit.COUNT_MISTAKES]
    counts = [int(p["count"]) for p in produced if p is not None]
    assert len(counts) == len(vit.COUNT_MISTAKES), "every mistake applies to the public cases"
    assert right not in counts and len(set(counts)) == len(counts)
    for mistake, count in zip(vit.COUNT_MISTAKES, counts, strict=True):
        assert vit.judge_count("check", inputs, _count_outcome(count)).mistake == mistake.name


def test_count_judge_names_what_is_not_a_count():
    inputs = vit.count_inputs()()
    right = vit.parameter_count(inputs)
    assert vit.judge_count("check", inputs, _count_outcome(right)).passed
    assert vit.judge_count("check", inputs, _count_outcome(right, modules=3)).mistake == vit.BUILT_A_MODEL
    verdict = vit.judge_count("check", inputs, _count_outcome(right + 0.5, integer=False))
    assert not verdict.passed and "whole number" in verdict.message
    verdict = vit.judge_count("check", inputs, _count_outcome(right + 7))
    assert not verdict.passed and verdict.mistake is None and "+7" in verdict.message


def test_the_spy_sees_a_model_built_on_the_meta_device(reference):
    def built(*args, **kwargs):
        with torch.device("meta"):
            model = reference["VisionTransformer"](*args, **kwargs)
        return sum(p.numel() for p in model.parameters())

    original = torch.nn.Module.__init__
    got = calls.parameter_count({"vit_parameter_count": built}, vit.count_inputs()())
    assert int(got["modules"]) > 0 and torch.nn.Module.__init__ is original


def _outcome(reference: dict, case) -> tuple[dict, Outcome]:
    inputs = case.inputs()
    return inputs, runner.capture(lambda: (case.call or calls.vit)(reference, inputs))


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_no_mistake_matches_the_right_answer(reference, pool):
    inputs, outcome = _outcome(reference, vit.vit_case("sizes", pool=pool))
    assert not outcome.raised, outcome
    assert vit.judge_vit("check", inputs, outcome).passed
    for mistake in vit.VIT_MISTAKES:
        assert mistake.produce(inputs, outcome) is None, f"the right answer matches '{mistake.name}'"


REWIRES = {
    "cls": [
        vit._softmax_head,
        vit._not_chained,
        vit._appended,
        vit._wrong_index,
        vit._no_final_norm,
        vit._no_position,
        vit._conv_hook(vit._plain_reshape),
        vit._conv_hook(lambda m: m.transpose(2, 3)),
        vit._other_pool,
    ],
    "mean": [
        vit._softmax_head,
        vit._not_chained,
        vit._no_final_norm,
        vit._no_position,
        vit._other_pool,
        vit._mean_with_class_token,
        vit._mean_before_norm,
        vit._class_token_dropped,
    ],
}


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_every_mistake_changes_the_logits(reference, pool):
    """A mistake that gives the right logits could never be told apart (a test that cannot fail)."""
    inputs, outcome = _outcome(reference, vit.vit_case("sizes", pool=pool))
    right = vit._vit_oracle(inputs, outcome)["logits"]
    for rewire in REWIRES[pool]:
        candidates = rewire(inputs, outcome)
        assert candidates, rewire
        for candidate in candidates:
            assert not torch.allclose(candidate["logits"], right, rtol=1e-4, atol=1e-4), (rewire, pool)


def test_judge_survives_malformed_outputs(reference):
    inputs, outcome = _outcome(reference, vit.vit_case("sizes"))
    tensors = dict(outcome.tensors)
    squeezed = Outcome({**tensors, "logits": tensors["logits"][:, None]})  # (B, 1, K)
    verdict = vit.judge_vit("check", inputs, squeezed)
    assert not verdict.passed and not verdict.checker_error and "expected shape" in verdict.message
    no_stages = Outcome(
        {k: v for k, v in tensors.items() if not k.startswith("stage:") and k != "alone"}
        | {"logits": tensors["logits"] + 1, "again": tensors["logits"] + 1}
    )
    verdict = vit.judge_vit("check", inputs, no_stages)
    assert not verdict.passed and not verdict.checker_error and "never went through" in verdict.message
    as_tuple = Outcome(
        {k: v for k, v in tensors.items() if k != "logits"}
        | {"returned": torch.tensor(2), "item0": tensors["stage:tokens"], "item1": tensors["logits"]}
    )
    verdict = vit.judge_vit("check", inputs, as_tuple)
    assert verdict.mistake == vit.RETURNS_TUPLE and "item 1" in verdict.message


def test_a_checker_failure_is_never_the_students():
    case = vit.count_case("count")
    broken = _count_outcome(100)
    verdict = vit.COUNT.verdict(case, {"image_size": 28}, broken)  # the case's sizes missing
    assert verdict.checker_error and not verdict.passed


def test_hidden_cases_belong_to_registered_exercises():
    assert set(hidden.HIDDEN) == {e.grade_id for e in vit.EXERCISES}
    for grade_id in hidden.HIDDEN:
        assert registry.plan(grade_id, hidden=True).cases  # names unique, module importable

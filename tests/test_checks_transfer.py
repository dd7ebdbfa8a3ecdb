"""Notebook 7's checks: the instruments are the same model inside and outside the sandbox, the
oracles agree with PyTorch, the weight-decay rule is notebook 6's (by shape, and by name for the
class token and positional embedding, torchvision's names included), the judges name parameters
and modules (never indices), a broken output is a checker error and never the student's, and the
accident the catalogue describes (an optimizer holding frozen parameters moves them) is real."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vitlab.checks import training
from vitlab.checks import transfer as checks
from vitlab.checks.core import Outcome
from vitlab.harness.calls import transfer as calls

TORCHVISION = checks.model_spec(kind="torchvision", dim=8, classes=3, layout="heads.head", seed=5)
SPECS = [checks.model_spec(dim=8, classes=3, layout=layout, seed=3) for layout in calls.LAYOUTS] + [
    checks.model_spec(kind="vit", dim=8, classes=3, seed=4, dtype=torch.float64),
    TORCHVISION,
]


def reference_freeze(model: nn.Module, head: nn.Module) -> None:
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not a submodule of model")
    keep = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in keep)
    model.eval()
    head.train()


def reference_optimizer(
    model, head, head_lr, backbone_lr, weight_decay, *, frozen_too: bool = False, rule=checks.decayed
):
    """The notebook's optimizer: (head or not) x (decayed or not), empty groups left out. ``rule``
    (name, ndim) -> decayed lets a test swap in a wrong rule."""
    keep = {id(p) for p in head.parameters()}
    groups: dict[tuple[bool, bool], list] = {}
    for name, p in model.named_parameters():
        if p.requires_grad or frozen_too:
            groups.setdefault((id(p) in keep, rule(name, p.ndim)), []).append(p)
    return torch.optim.AdamW(
        [
            {"params": ps, "lr": head_lr if h else backbone_lr, "weight_decay": weight_decay if d else 0.0}
            for (h, d), ps in groups.items()
        ]
    )


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s['kind']}-{s['layout']}")
def test_an_instrument_is_the_same_model_every_time(spec):
    a, b = calls.instrument(spec), calls.instrument(spec)
    assert [n for n, _ in a.named_parameters()] == calls.parameter_names(spec)
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q), name
        assert p.dtype == spec["dtype"]
    x = calls.example_inputs(spec, 4, 0)
    assert a(x).shape == (4, spec["classes"])
    assert isinstance(a.get_submodule(calls.linear_name(spec)), nn.Linear)
    assert calls.under(calls.linear_name(spec), calls.head_name(spec))


def test_freezing_rules_name_the_right_parameters():
    spec = checks.model_spec(kind="vit", dim=8, classes=3, frozen="prefix:blocks.")
    model = calls.instrument(spec)
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    assert frozen and all(n.startswith("blocks.") for n in frozen)
    assert "cls_token" not in frozen and "head.weight" not in frozen
    probe = calls.instrument(checks.model_spec(layout="heads.head", frozen="backbone"))
    assert {n for n, p in probe.named_parameters() if p.requires_grad} == {
        "heads.head.weight",
        "heads.head.bias",
    }
    assert not calls.under("heads.head", "head")


def test_fitted_rates_recover_a_real_adamw_step():
    g = torch.Generator().manual_seed(0)
    p0, grad = torch.randn(50, generator=g), torch.randn(50, generator=g)
    for lr, wd in ((1e-2, 0.05), (3e-3, 0.0), (0.05, 0.3)):
        q = p0.clone().requires_grad_(True)
        optimizer = torch.optim.AdamW([q], lr=lr, weight_decay=wd)
        q.grad = grad.clone()
        optimizer.step()
        found_lr, found_wd = checks.fitted(p0, q.detach(), grad)
        assert found_lr == pytest.approx(lr, rel=1e-4)
        assert found_wd == pytest.approx(wd, rel=1e-3, abs=1e-4)
    assert checks.fitted(p0, p0.clone(), grad) == (0.0, 0.0)


def test_the_decay_rule_spares_norms_biases_and_the_tokens_by_name():
    """Notebook 6's rule on torchvision's ViT (the course model's names) and on the tiny ViT (timm's)."""
    spared = {n for n, p in calls.instrument(TORCHVISION).named_parameters() if not checks.decayed(n, p.ndim)}
    assert {"class_token", "encoder.pos_embedding", "conv_proj.bias", "heads.head.bias"} <= spared
    assert all(n.endswith(("bias", "weight")) for n in spared - {"class_token", "encoder.pos_embedding"})
    assert "encoder.layers.encoder_layer_0.ln_1.weight" in spared and "conv_proj.weight" not in spared
    assert not spared & {"encoder.layers.encoder_layer_0.self_attention.in_proj_weight", "heads.head.weight"}
    tiny = calls.instrument(checks.model_spec(kind="vit", dim=8, classes=3))
    assert {"cls_token", "pos_embed"} <= {
        n for n, p in tiny.named_parameters() if not checks.decayed(n, p.ndim)
    }
    for key in training.EMBEDDING_NAMES:  # notebook 6's names are spared here too
        assert not checks.decayed(f"model.{key}", 3)


def test_a_linear_probe_optimizer_has_two_groups():
    spec = checks.model_spec(kind="torchvision", dim=8, classes=3, layout="heads.head", frozen="backbone")
    inputs = checks.optimizer_inputs(spec, 0.01, 0.001, 0.05)
    outcome = Outcome(calls.transfer_optimizer({"transfer_optimizer": reference_optimizer}, inputs))
    assert int(outcome.tensors["groups"]) == 2
    assert checks._judge_optimizer("check", inputs, outcome).passed


ONLY_NOTEBOOK_6_NAMES = lambda n, ndim: ndim >= 2 and "cls_token" not in n and "pos_embed" not in n  # noqa: E731


@pytest.mark.parametrize(
    "rule, mistake",
    [
        (lambda n, ndim: True, checks.DECAY_ALL),
        (lambda n, ndim: ndim >= 2, checks.TOKENS_DECAYED),
        (ONLY_NOTEBOOK_6_NAMES, checks.CLASS_TOKEN_DECAYED),
        (lambda n, ndim: not checks.decayed(n, ndim), checks.DECAY_SWAPPED),
    ],
    ids=["all", "shape only", "notebook 6's names", "swapped"],
)
def test_decay_mistakes_are_named_on_torchvisions_vit(rule, mistake):
    inputs = checks.optimizer_inputs(TORCHVISION, 0.01, 0.001, 0.05)
    wrong = calls.transfer_optimizer(
        {"transfer_optimizer": lambda *a: reference_optimizer(*a, rule=rule)}, inputs
    )
    verdict = checks._judge_optimizer("check", inputs, Outcome(wrong))
    assert verdict.mistake == mistake.name, verdict.message
    assert "weight decay" in verdict.message


@pytest.mark.parametrize(
    "frozen, spec",
    [
        ("none", None),
        ("backbone", None),
        ("prefix:backbone.embed.", None),
        ("prefix:encoder.layers.", TORCHVISION),
    ],
)
def test_the_oracle_is_adamw_with_groups(frozen, spec):
    """Stepping each parameter alone equals AdamW with the notebook's groups (AdamW is per-element)."""
    spec = {**(spec or checks.model_spec(dim=8, classes=3, layout="drop_head", seed=9)), "frozen": frozen}
    inputs = checks.optimizer_inputs(spec, 0.02, 0.002, 0.1, seed=1)
    model = calls.instrument(spec)
    head = model.get_submodule(calls.head_name(spec))
    optimizer = reference_optimizer(model, head, 0.02, 0.002, 0.1)
    expected = checks.adamw_steps(inputs)
    for step, grads in enumerate(inputs["grads"], 1):
        for name, p in model.named_parameters():
            if p.requires_grad:
                p.grad = grads[name].clone()
        optimizer.step()
        for name, p in model.named_parameters():
            torch.testing.assert_close(p.detach(), expected[name][step], rtol=1e-6, atol=1e-7)


def test_an_optimizer_holding_frozen_parameters_moves_them():
    """The catalogue's explanation, measured: zero gradients still move the parameters AdamW holds
    and decays; an undecayed one (the class token) stays, but holding it is still the mistake."""
    spec = checks.model_spec(dim=8, classes=3, frozen="backbone", seed=2)
    inputs = checks.optimizer_inputs(spec, 0.01, 0.001, 0.1)
    right = calls.transfer_optimizer({"transfer_optimizer": reference_optimizer}, inputs)
    early = calls.transfer_optimizer(
        {"transfer_optimizer": lambda *a: reference_optimizer(*a, frozen_too=True)}, inputs
    )
    start = dict(calls.instrument(spec).named_parameters())
    for name in ("backbone.embed.weight", "cls_token"):
        assert torch.equal(right[f"step2:{name}"], start[name].detach())
    assert not torch.equal(early["step2:backbone.embed.weight"], start["backbone.embed.weight"].detach())
    assert torch.equal(early["step2:cls_token"], start["cls_token"].detach())  # no decay, no momentum
    verdict = checks._judge_optimizer("check", inputs, Outcome(early))
    assert verdict.mistake == checks.FROZEN_IN_OPTIMIZER.name and "backbone.embed.weight" in verdict.message
    assert checks._judge_optimizer("check", inputs, Outcome(right)).passed


def test_the_rates_are_reported_by_parameter_name():
    spec = checks.model_spec(dim=8, classes=3, seed=2)
    inputs = checks.optimizer_inputs(spec, 0.01, 0.001, 0.05)
    swapped = calls.transfer_optimizer(
        {"transfer_optimizer": lambda m, h, a, b, wd: reference_optimizer(m, h, b, a, wd)}, inputs
    )
    verdict = checks._judge_optimizer("check", inputs, Outcome(swapped))
    assert verdict.mistake == checks.SWAPPED.name
    assert "head.weight" in verdict.message and "moved as with lr 0.001" in verdict.message
    assert "values differ" not in verdict.message and "facts" not in verdict.message


def test_freeze_judge_names_modules_and_the_training_attribute():
    spec = checks.model_spec(dim=8, classes=3, layout="drop_head")
    case = checks.freeze_case("c", spec)
    inputs = case.inputs()

    def attribute_only(model, head):
        reference_freeze(model, head)
        model.train()
        model.training = False

    outcome = Outcome(calls.freeze_backbone({"freeze_backbone": attribute_only}, inputs))
    verdict = checks._judge_freeze("check", inputs, outcome)
    assert verdict.mistake == checks.TRAINING_ATTRIBUTE.name
    assert "backbone.bn" in verdict.message and "BatchNorm" in verdict.message
    good = Outcome(calls.freeze_backbone({"freeze_backbone": reference_freeze}, inputs))
    assert checks._judge_freeze("check", inputs, good).passed


def test_a_head_from_another_model_must_raise():
    case = checks.FREEZE.public[-1]
    assert case.expect_error is ValueError
    inputs = case.inputs()
    returned = Outcome(calls.freeze_backbone({"freeze_backbone": lambda m, h: None}, inputs))
    verdict = checks.FREEZE.verdict(case, inputs, returned)
    assert not verdict.passed and not verdict.checker_error and "ValueError" in verdict.message
    raised = Outcome(error_type="ValueError", error_message="head is not in model")
    assert checks.FREEZE.verdict(case, inputs, raised).passed


def test_a_broken_output_is_a_checker_error_not_the_students():
    case = checks.REPLACE_HEAD.public[0]
    inputs = case.inputs()
    verdict = checks.REPLACE_HEAD.verdict(case, inputs, Outcome({"found": torch.tensor(1)}))
    assert verdict.checker_error and not verdict.passed


def test_a_model_changed_by_the_student_is_their_error():
    case = checks.FREEZE.public[0]
    inputs = case.inputs()

    def adds_a_layer(model, head):
        reference_freeze(model, head)
        model.extra = nn.Linear(2, 2)

    outcome = Outcome(calls.freeze_backbone({"freeze_backbone": adds_a_layer}, inputs))
    verdict = checks.FREEZE.verdict(case, inputs, outcome)
    assert not verdict.passed and not verdict.checker_error
    assert "must not add or remove" in verdict.message


def test_head_checks_see_random_initialisation_and_placement():
    case = checks.REPLACE_HEAD.public[1]  # nested, float64
    inputs = case.inputs()

    def zero_head(model, k, name):
        old = model.get_submodule(name)
        new = nn.Linear(old.in_features, k, dtype=old.weight.dtype)
        nn.init.zeros_(new.weight)
        model.get_submodule(name.rpartition(".")[0]).head = new
        return new

    verdict = checks.REPLACE_HEAD.verdict(
        case, inputs, Outcome(calls.replace_head({"replace_head": zero_head}, inputs))
    )
    assert verdict.mistake == checks.NOT_RANDOM.name


def test_type_names_are_sanitised():
    assert checks.text_of(calls.text_bytes("Sequential")) == "Sequential"
    assert checks.text_of(torch.tensor([27, 91, 65, 10, 66], dtype=torch.uint8)) == "[AB"
    assert checks.text_of(None) == "?"

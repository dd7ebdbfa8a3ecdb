"""Hidden cases for notebook 5: three channels, a single patch, deeper and wider models, batch of one,
dropout in train vs eval mode, torchvision's weights loaded into the student's model (the reverse map),
and the parameter count at another resolution."""
from __future__ import annotations

import torch
from torch import nn
from torchvision.models import vision_transformer as tvvit

from vitlab.checks import vit as public
from vitlab.checks.block import randomise
from vitlab.checks.core import Case, Inputs, Outcome, Verdict, describe_error, judge, require

VIT_HIDDEN = [
    public.vit_case("3-channel 12x12 images, 4x4 patches, D=24, 3 heads, 7 classes", B=2, image_size=12,
                    in_channels=3, num_classes=7, dim=24, num_heads=3, seed=101),
    public.vit_case("a single patch per image, batch of one", B=1, image_size=6, patch_size=6, dim=8,
                    num_heads=1, depth=1, seed=102),
    public.vit_case("16 patches of 2x2, 4 blocks, MLP ratio 4", B=5, image_size=8, patch_size=2, dim=16,
                    num_heads=4, depth=4, mlp_ratio=4.0, seed=103),
    public.structure_case(image_size=12, patch_size=3, in_channels=3, dim=24, num_heads=3, depth=3,
                          num_classes=7),
]
VIT_MEAN_HIDDEN = [
    public.vit_case("pool='mean', 3-channel 12x12 images, 3x3 patches", B=2, image_size=12, patch_size=3,
                    in_channels=3, dim=12, num_heads=2, pool="mean", seed=104),
    public.vit_case("pool='mean', a single patch", B=2, image_size=4, patch_size=4, dim=8, num_heads=2,
                    pool="mean", seed=105),
]


def reference_torchvision(inputs: Inputs) -> tvvit.VisionTransformer:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(inputs["seed"])
        model = public.torchvision_vit(inputs)
    randomise(dict(model.named_parameters()), inputs["seed"])
    return model.eval()


def _run_reverse(cls, inputs: Inputs) -> dict[str, torch.Tensor]:
    model = cls(**public.config(inputs))
    public.load_torchvision_weights(model, reference_torchvision(inputs).state_dict())
    with torch.no_grad():
        return {"logits": model.eval()(inputs["images"])}


def _judge_reverse(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    oracle = lambda i, _: public.run_torchvision(i, reference_torchvision(i))  # noqa: E731
    return judge(check, inputs, outcome, oracle, (), public.VIT_TOL)


def reverse_case(name: str, **sizes) -> Case:
    base = public.vit_case(name, **sizes)
    return Case(f"torchvision's weights loaded into your model: {name}", base.inputs, run=_run_reverse,
                judge=_judge_reverse)


def _run_dropout(cls, inputs: Inputs) -> dict[str, torch.Tensor]:
    model = cls(**public.config(inputs))
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        train = torch.stack([model.train()(inputs["images"]) for _ in range(2)])
        evaluation = torch.stack([model.eval()(inputs["images"]) for _ in range(2)])
    return {"train": train, "eval": evaluation}


def _judge_dropout(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    if not torch.equal(*outcome.tensors["eval"]):
        return Verdict(False, check, "two calls in eval mode give different logits: dropout stays active.")
    if torch.equal(*outcome.tensors["train"]):
        return Verdict(False, check, "with dropout=0.5, two calls in train mode give the same logits: pass "
                                     "dropout to the blocks (and apply it after adding the positions).")
    return Verdict(True, check)


def dropout_case() -> Case:
    base = public.vit_case("dropout", dropout=0.5, seed=106)
    return Case("dropout 0.5: random in train mode, deterministic in eval mode", base.inputs,
                run=_run_dropout,
                judge=_judge_dropout)


def _run_seeded_train(cls, inputs: Inputs) -> dict[str, torch.Tensor]:
    model = cls(**public.config(inputs))
    params = public.vit_params(model)
    randomise(params, inputs["seed"])
    built_in = all(isinstance(b, nn.TransformerEncoderLayer) for b in model.blocks)
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(inputs["seed"])
        logits = model.train()(inputs["images"])
    return {"logits": logits, "built_in_blocks": torch.tensor(int(built_in)),
            **{"p:" + k: v for k, v in params.items()}}


def _judge_seeded_train(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    if not outcome.tensors["built_in_blocks"].item():
        return Verdict(True, check)  # the student's own blocks: dropout need not follow torchvision's order

    def oracle(i: Inputs, o: Outcome) -> dict[str, torch.Tensor]:
        model = public.torchvision_vit(i, o.tensors, dropout=i["dropout"]).train()
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(i["seed"])
            return {"logits": model(i["images"])}
    verdict = judge(check, inputs, outcome, oracle, (), public.VIT_TOL)
    if verdict.passed:
        return verdict
    message = ("in train mode (same random seed) your logits differ from torchvision's: apply self.dropout "
               "once, right after adding the positions, and build the blocks with make_block(dim, num_heads, "
               "mlp_ratio, dropout).\n")
    return Verdict(False, check, message + verdict.message)


def seeded_train_case() -> Case:
    base = public.vit_case("train mode", B=2, dropout=0.3, seed=109)
    return Case("train mode with dropout 0.3 and a fixed seed: the same dropout as torchvision's",
                base.inputs,
                run=_run_seeded_train, judge=_judge_seeded_train)


def _run_init(cls, inputs: Inputs) -> dict[str, torch.Tensor]:
    model = cls(**public.config(inputs))
    return {"cls_token": model.cls_token, "pos_embed": model.pos_embed}


def _judge_init(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    cls_token, pos = outcome.tensors["cls_token"], outcome.tensors["pos_embed"]
    if cls_token.abs().max() > 0.1 or pos.std() > 0.1:
        return Verdict(False, check, f"start the class token at zero and the positions small (randn * 0.02): "
                                     f"yours start with |cls| up to {cls_token.abs().max():.3g} and "
                                     f"positions of standard deviation {pos.std():.3g}.")
    return Verdict(True, check)


INIT_CASE = Case("initial values: class token zero, positions small", public.vit_case("init", dim=32).inputs,
                 run=_run_init, judge=_judge_init)
INVALID = [
    public.vit_case("image size 10 is not a multiple of patch size 4", image_size=10,
                    expect_error=ValueError),
    public.vit_case("pool='max' is not an option", pool="max", expect_error=ValueError),
]


def test_vit(VisionTransformer) -> None:
    cases = VIT_HIDDEN + [reverse_case("3 channels, 12x12", B=2, image_size=12, in_channels=3, dim=24,
                                       num_heads=3, seed=107), dropout_case(), seeded_train_case(), INIT_CASE]
    cases += INVALID
    require(public.VIT.verdicts(VisionTransformer, cases), "VisionTransformer (hidden)")


def test_vit_mean_pool(VisionTransformer) -> None:
    cases = VIT_MEAN_HIDDEN + [reverse_case("pool='mean'", pool="mean", seed=108)]
    require(public.VIT.verdicts(VisionTransformer, cases), "VisionTransformer(pool='mean') (hidden)")


def _run_384(student, inputs: Inputs) -> dict[str, torch.Tensor]:
    paper_configs, cls = student
    settings = paper_configs()["ViT-B/16"]
    with torch.device("meta"):
        model = cls(image_size=384, in_channels=3, num_classes=1000, dropout=0.0, **settings)
    return {"count": torch.tensor(public.count_parameters(model))}


def _judge_384(check: str, inputs: Inputs, outcome: Outcome) -> Verdict:
    if outcome.raised:
        return Verdict(False, check, describe_error(outcome))
    with torch.device("meta"):
        want = public.count_parameters(tvvit.vit_b_16(weights=None, image_size=384))
    got = int(outcome.tensors["count"])
    if got != want:
        return Verdict(False, check, f"ViT-B/16 at 384 px: torchvision has {want:,} parameters, "
                                     f"yours {got:,}.")
    return Verdict(True, check)


def test_paper_configs(paper_configs, VisionTransformer) -> None:
    cases = public.CONFIGS_PUBLIC + [Case("ViT-B/16 at 384 px (577 positions)", dict, run=_run_384,
                                          judge=_judge_384)]
    require(public.CONFIGS.verdicts((paper_configs, VisionTransformer), cases), "paper_configs (hidden)")

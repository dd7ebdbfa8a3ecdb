"""Does averaging lift the course recipe? Weight averages and flip averaging, measured on one run.

Trains notebook 6's ``COURSE`` recipe with the notebook's own ``fit`` for a wall-clock budget, its
training unchanged, and keeps exponential moving averages (EMAs) of its weights beside it, one per
decay in ``--decays``, updated after every optimizer step (a global optimizer step hook, so ``fit``
needs no change). Early on an average uses the decay ``min(decay, (1 + t) / (10 + t))`` after ``t``
updates (timm's ``ModelEma`` warm-up), so the random initial weights fade at once and a short run
averages about its last ninth.

At the end it scores, on all 10,000 test images, the trained weights and each average, each plain
and with flip averaging at test time (the mean of the class probabilities of an image and of its
mirror image; training flips images left-right too). The averages never feed back into training, so
the plain trained weights are one more run of ``COURSE``.

Run on a quiet machine (it trains for the budget): ``.venv/bin/python benchmarks/averages.py
--budget 3600``; ``--quick`` trains the tiny ``QUICK`` recipe on 2,048 / 512 images for a smoke run.
The first line names the CPU model; one ``RESULT`` line per model follows the per-epoch curve.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_post_hook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.train import course_namespace, cpu_model  # noqa: E402
from vitlab import data  # noqa: E402


class WeightAverages:
    """EMAs of an optimizer's parameters, one per decay, updated after each of its steps."""

    def __init__(self, decays: tuple[float, ...]):
        self.decays = decays
        self.params: list[torch.Tensor] = []
        self.averages: dict[float, list[torch.Tensor]] = {}
        self.updates = 0
        self.seconds = 0.0  # spent updating the averages

    def hook(self, optimizer: torch.optim.Optimizer, args, kwargs) -> None:
        """For ``register_optimizer_step_post_hook``: start from the weights at the first step."""
        started = time.perf_counter()
        with torch.no_grad():
            if not self.params:
                self.params = [p for group in optimizer.param_groups for p in group["params"]]
                self.averages = {d: [p.detach().clone() for p in self.params] for d in self.decays}
            for decay in self.decays:
                warm = min(decay, (1 + self.updates) / (10 + self.updates))
                torch._foreach_lerp_(self.averages[decay], self.params, 1 - warm)
        self.updates += 1
        self.seconds += time.perf_counter() - started

    def model(self, trained: nn.Module, decay: float) -> nn.Module:
        """A copy of ``trained`` holding the average of the given decay."""
        averaged = copy.deepcopy(trained)
        by_tensor = dict(zip(map(id, self.params), self.averages[decay], strict=True))
        with torch.no_grad():
            for original, copied in zip(trained.parameters(), averaged.parameters(), strict=True):
                copied.copy_(by_tensor[id(original)])
        return averaged


class FlipAveraged(nn.Module):
    """The mean class probabilities of each image and of its mirror image (B, classes)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:  # (B, C, H, W)
        return (self.model(images).softmax(-1) + self.model(images.flip(-1)).softmax(-1)) / 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=3600.0, help="training seconds (default 3600)")
    parser.add_argument("--decays", default="0.999,0.9998,0.99995", help="comma-separated EMA decays")
    parser.add_argument("--quick", action="store_true", help="2,048 / 512 images and the quick recipe")
    args = parser.parse_args(argv)
    decays = tuple(float(d) for d in args.decays.split(","))
    namespace = course_namespace()
    print(f"CPU model: {cpu_model()}; {args.budget:.0f} s of COURSE with EMAs {decays}", flush=True)
    recipe = namespace["QUICK" if args.quick else "COURSE"]
    sizes = (2048, 512) if args.quick else (None, None)
    train_loader, test_loader = data.memory_loaders(
        recipe.batch_size, *sizes, train_transform=namespace["augment"], test_transform=namespace["plain"]
    )
    averages = WeightAverages(decays)
    handle = register_optimizer_step_post_hook(averages.hook)
    try:
        model, history = namespace["fit"](
            recipe, budget_s=args.budget, verbose=False, train_loader=train_loader, test_loader=test_loader
        )
    finally:
        handle.remove()
    for row in history:
        print(
            f"  epoch {row['epoch']:>6.2f}: {row['seconds']:6.0f} s, training accuracy "
            f"{row['train_accuracy']:.4f}, test accuracy {row['test_accuracy']:.4f} "
            f"({row['test_images']} test images)"
        )
    last = history[-1]
    print(
        f"{last['images'] / last['train_seconds']:,.0f} images/s, {last['epoch']:.2f} epochs, "
        f"{averages.updates:,} steps; the averages' upkeep: "
        f"{1e3 * averages.seconds / max(averages.updates, 1):.2f} ms per step",
        flush=True,
    )
    evaluate, device = namespace["evaluate"], namespace["device"]
    models = {"trained weights": model} | {f"EMA {d}": averages.model(model, d) for d in decays}
    for name, candidate in models.items():
        plain = evaluate(candidate, test_loader, device)["accuracy"]
        flipped = evaluate(FlipAveraged(candidate), test_loader, device)["accuracy"]
        print(f"RESULT {name}: {plain:.4f} plain, {flipped:.4f} with flip averaging", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Forward + backward time of multi-head self-attention on the CPU: from scratch vs PyTorch vs loops.

Three versions at four sizes (float32, the default threads, median of several runs after a warm-up):

* **from scratch**: the reference solution of notebook 3 (fused qkv, heads as a batch axis, explicit
  softmax), read from ``solutions/03_attention/attention.ipynb`` so the benchmark times exactly what
  the course teaches (instructor-only: the student release has no ``solutions/``);
* **nn.MultiheadAttention** (``batch_first=True``) asked for what the reference returns, the output and
  the per-head weights (``need_weights=True, average_attn_weights=False``): the same computation;
* **nn.MultiheadAttention, fused**: ``need_weights=False``, its fastest path, which hands the work to the
  fused ``scaled_dot_product_attention`` kernel and never forms the weights (shown for comparison);
* **loops**: the shape of the seed exercise, Python loops over the examples and the heads with a small
  ``Linear(d, d)`` per head for q, k and v.

Run: ``.venv/bin/python benchmarks/attention.py`` (``--quick`` for fewer repeats, ``--threads 1`` on a
shared machine: with several threads, OpenMP synchronisation on busy cores swamps small operations and
the timings become noise). The last line reads ``worst ratio from-scratch/nn.MultiheadAttention: X.XX``
(same outputs on both sides); the target is at most 1.05.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time
from pathlib import Path

import nbformat
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.samples import reference_answers  # noqa: E402

#: (B, N, D, H): the seed exercise's size, a small model, ViT-Tiny-like, ViT-Small-like
SIZES = [(128, 50, 8, 2), (128, 50, 64, 4), (64, 65, 192, 3), (32, 197, 384, 6)]


def reference_msa() -> type[nn.Module]:
    """The notebook's reference MultiHeadSelfAttention (and the attention function it calls)."""
    notebook = nbformat.read(ROOT / "solutions" / "03_attention" / "attention.ipynb", as_version=4)
    answers = reference_answers(notebook)
    namespace = {"math": math, "torch": torch, "nn": nn, "F": F}
    for grade_id in ("sdpa", "msa"):
        exec(compile(answers[grade_id], f"<reference {grade_id}>", "exec"), namespace)
    return namespace["MultiHeadSelfAttention"]


class LoopMSA(nn.Module):
    """The seed exercise's structure: loops over examples and heads, per-head Linear(d, d) maps."""

    def __init__(self, dim: int, num_heads: int):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        d = self.head_dim
        self.q = nn.ModuleList(nn.Linear(d, d) for _ in range(num_heads))
        self.k = nn.ModuleList(nn.Linear(d, d) for _ in range(num_heads))
        self.v = nn.ModuleList(nn.Linear(d, d) for _ in range(num_heads))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        d = self.head_dim
        outputs = []
        for sequence in x:  # (N, D)
            heads = []
            for h in range(self.num_heads):
                part = sequence[:, h * d : (h + 1) * d]  # (N, d)
                q, k, v = self.q[h](part), self.k[h](part), self.v[h](part)
                weights = torch.softmax(q @ k.T / math.sqrt(d), dim=-1)  # (N, N)
                heads.append(weights @ v)
            outputs.append(torch.hstack(heads))  # (N, D)
        return torch.stack(outputs), None  # (B, N, D)


class BuiltinMSA(nn.Module):
    """nn.MultiheadAttention returning per-head weights (``weights=True``) or not (the fused path)."""

    def __init__(self, dim: int, num_heads: int, weights: bool = True):
        super().__init__()
        self.mha = nn.MultiheadAttention(dim, num_heads, batch_first=True)
        self.weights = weights

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        return self.mha(x, x, x, need_weights=self.weights, average_attn_weights=False)


def forward_backward_s(module: nn.Module, x: torch.Tensor) -> float:
    """Wall time in seconds of module(x), a sum and backward()."""
    x.grad = None
    module.zero_grad(set_to_none=True)
    start = time.perf_counter()
    module(x)[0].sum().backward()
    return time.perf_counter() - start


def median_ms(modules: dict[str, nn.Module], x: torch.Tensor, repeats: dict[str, int]) -> dict[str, float]:
    """Median times in ms, the versions taking turns (round-robin) so that a busy machine slows all alike."""
    for module in modules.values():  # warm-up: first calls allocate and spin up the thread pool
        forward_backward_s(module, x)
    times: dict[str, list[float]] = {name: [] for name in modules}
    for run in range(max(repeats.values())):
        for name, module in modules.items():
            if run < repeats[name]:
                times[name].append(forward_backward_s(module, x))
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 11")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    repeats = args.repeats or (3 if args.quick else 11)
    torch.manual_seed(0)
    scratch_cls = reference_msa()
    print(
        f"CPU forward+backward, float32, median of {repeats}; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {platform.processor() or platform.machine()}"
    )
    columns = [
        "B",
        "N",
        "D",
        "H",
        "from scratch ms",
        "nn.MHA ms",
        "nn.MHA fused ms",
        "loops ms",
        "scratch/MHA",
        "scratch/fused",
        "loops/scratch",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("-" * (len(c) + 2) for c in columns) + "|")
    worst = 0.0
    for B, N, D, H in SIZES:
        x = torch.randn(B, N, D, requires_grad=True)
        modules = {
            "scratch": scratch_cls(D, H),
            "builtin": BuiltinMSA(D, H),
            "fused": BuiltinMSA(D, H, False),
            "loops": LoopMSA(D, H),
        }
        ms = median_ms(
            modules,
            x,
            {"scratch": repeats, "builtin": repeats, "fused": repeats, "loops": max(3, repeats // 3)},
        )
        worst = max(worst, ms["scratch"] / ms["builtin"])
        cells = [B, N, D, H] + [f"{ms[k]:.2f}" for k in ("scratch", "builtin", "fused", "loops")]
        cells += [
            f"{ms['scratch'] / ms['builtin']:.2f}x",
            f"{ms['scratch'] / ms['fused']:.2f}x",
            f"{ms['loops'] / ms['scratch']:.1f}x",
        ]
        print(
            "| " + " | ".join(str(c).rjust(len(name)) for c, name in zip(cells, columns, strict=True)) + " |"
        )
    print(f"worst ratio from-scratch/nn.MultiheadAttention: {worst:.2f}")


if __name__ == "__main__":
    main()

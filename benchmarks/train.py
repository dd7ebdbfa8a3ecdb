"""Three ViT recipes, one wall-clock budget each, on Fashion-MNIST: the course's, D2L §11.8's and the seed's.

* **course**: the recipe of notebook 6 (``solutions/06_training/training.ipynb``), read from the
  solution notebook, so the benchmark trains exactly what the course teaches: its ViT
  (``vitlab.models``), its recipes (``COURSE``, ``LEAN``) and the choice between them from the
  notebook's own throughput probe (``images_per_second``, ``choose_recipe``), its reference answers
  (``warmup_cosine``, ``parameter_groups``, ``train_one_epoch``, ``evaluate``, ...) and ``fit``, whose
  ``vitlab.budget.BudgetPlan`` re-plans the warmup + cosine schedule to end when the budget does.
* **d2l**: *Dive into Deep Learning* §11.8 as the book runs it: ``PatchEmbedding``, ``ViTMLP``,
  ``ViTBlock`` and ``ViT(d2l.Classifier)`` built on ``d2l.MultiHeadAttention``, 96 px images, patch
  16, 512 hidden, 2048 MLP, 8 heads, 2 blocks, dropout 0.1, SGD lr 0.1, batch 128, trained by
  ``d2l.Trainer`` (10 epochs, cut at the budget). ``d2l`` 1.0.3 ships the parts the section imports
  but not the section's own classes, so they are written here after the section.
* **seed**: the seed exercise: loops over images and heads in attention with per-head
  ``Linear(d, d)`` maps, hidden size 8, 2 heads, 2 blocks, 7x7 patches, a softmax head fed to
  ``CrossEntropyLoss``, Adam lr 0.005, batch 128.

All three read the data through ``vitlab.data.memory_loaders`` (each with the transforms its source uses)
and are scored by the same function on the whole test set (10,000 images). Training seconds count
the training steps only (``torch.compile``'s compilation included; the per-epoch test evaluations
the course recipe makes for its curves are not; they count against its budget, as in the notebook).

Run on a quiet machine (the accuracy at a wall budget depends on the throughput):
``.venv/bin/python benchmarks/train.py`` (``make bench-train``); ``--budget`` seconds per recipe
(default 600), ``--recipes course`` for one of them, ``--course-recipe course|lean`` to skip the
probe's choice, ``--set KEY=VALUE`` (repeatable) to train a variant of the course recipe
(``--set model.token_keep=0.3``, ``--set lr=5e-3``), ``--quick`` for a smoke run on 2,048 / 512
images. The first line names the CPU model; the last reads ``course recipe (COURSE|LEAN[, settings]):
0.XXXX test accuracy after NNN s, NNNN images/s``.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import os
import platform
import sys
import time
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import torch
from torch import nn
from torchvision.transforms import v2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.attention import LoopMSA  # noqa: E402
from grader.samples import grade_id, is_answer, strip_markers  # noqa: E402
from vitlab import cells as notebook_cells  # noqa: E402
from vitlab import data  # noqa: E402

#: besides the setup and answer cells (reference answers in place), the locked cells of notebook 6
#: that define the model and the recipe; all run in notebook order
COURSE_CELLS = ("model", "recipe")


@dataclass
class Result:
    recipe: str
    parameters: int
    images: int
    train_s: float
    epochs: float
    test_accuracy: float

    @property
    def throughput(self) -> float:
        return self.images / self.train_s


def course_namespace() -> dict:
    """Run notebook 6's setup, answer (reference answers in place), model and recipe cells, in notebook
    order, into a namespace: the benchmark imports the course recipe from the notebook itself."""
    notebook = nbformat.read(ROOT / "solutions" / "06_training" / "training.ipynb", as_version=4)
    wanted = [
        c
        for c in notebook.cells
        if c.cell_type == "code"
        and (notebook_cells.is_setup(c) or is_answer(c) or grade_id(c) in COURSE_CELLS)
    ]
    missing = [name for name in COURSE_CELLS if name not in {grade_id(c) for c in wanted}]
    if missing:
        raise SystemExit(f"solutions/06_training/training.ipynb has no cells with grade ids {missing}")
    module = types.ModuleType("notebook_06")  # a real module: dataclasses look their class's module up
    sys.modules[module.__name__] = module
    for cell in wanted:
        source = strip_markers(cell.source) if is_answer(cell) else cell.source
        exec(compile(source, f"<notebook 6 cell {grade_id(cell)}>", "exec"), module.__dict__)
    return module.__dict__


def with_settings(recipe: Any, settings: Sequence[str]) -> Any:
    """``recipe`` with ``KEY=VALUE`` settings applied: ``lr=5e-3`` sets a ``Recipe`` field,
    ``model.token_keep=0.5`` a ``ViTConfig`` field; values are Python literals."""
    top, model = {}, {}
    for setting in settings:
        key, equals, text = setting.partition("=")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            equals = ""
        if not equals:
            raise SystemExit(
                f"--set {setting!r}: write KEY=VALUE with a Python literal, e.g. model.token_keep=0.5"
            )
        target, holder, name = (
            (model, recipe.model, key[6:]) if key.startswith("model.") else (top, recipe, key)
        )
        fields = {f.name: f for f in dataclasses.fields(holder)}
        if name not in fields or name == "model":
            raise SystemExit(
                f"--set {setting!r}: {type(holder).__name__} has no field {name!r}; "
                f"choose from {', '.join(f for f in fields if f != 'model')}"
            )
        target[name] = value
    return dataclasses.replace(recipe, model=dataclasses.replace(recipe.model, **model), **top)


def cpu_model() -> str:
    """The CPU's model name (what decides float32 speed: AMX, AVX-512, AVX2 only)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# --- Dive into Deep Learning §11.8, on the d2l package's own parts -----------------------------------


def d2l_vit(d2l):
    """The section's classes, defined against the imported d2l module."""

    class PatchEmbedding(nn.Module):
        def __init__(self, img_size=96, patch_size=16, num_hiddens=512):
            super().__init__()
            self.num_patches = (img_size // patch_size) ** 2
            self.conv = nn.LazyConv2d(num_hiddens, kernel_size=patch_size, stride=patch_size)

        def forward(self, X):
            return self.conv(X).flatten(2).transpose(1, 2)  # (B, N, D)

    class ViTMLP(nn.Module):
        def __init__(self, mlp_num_hiddens, mlp_num_outputs, dropout=0.5):
            super().__init__()
            self.dense1, self.gelu, self.dropout1 = (
                nn.LazyLinear(mlp_num_hiddens),
                nn.GELU(),
                nn.Dropout(dropout),
            )
            self.dense2, self.dropout2 = nn.LazyLinear(mlp_num_outputs), nn.Dropout(dropout)

        def forward(self, x):
            return self.dropout2(self.dense2(self.dropout1(self.gelu(self.dense1(x)))))

    class ViTBlock(nn.Module):
        def __init__(self, num_hiddens, norm_shape, mlp_num_hiddens, num_heads, dropout, use_bias=False):
            super().__init__()
            self.ln1 = nn.LayerNorm(norm_shape)
            self.attention = d2l.MultiHeadAttention(num_hiddens, num_heads, dropout, use_bias)
            self.ln2 = nn.LayerNorm(norm_shape)
            self.mlp = ViTMLP(mlp_num_hiddens, num_hiddens, dropout)

        def forward(self, X, valid_lens=None):
            X = X + self.attention(*([self.ln1(X)] * 3), valid_lens)
            return X + self.mlp(self.ln2(X))

    class ViT(d2l.Classifier):
        def __init__(
            self,
            img_size,
            patch_size,
            num_hiddens,
            mlp_num_hiddens,
            num_heads,
            num_blks,
            emb_dropout,
            blk_dropout,
            lr=0.1,
            use_bias=False,
            num_classes=10,
        ):
            super().__init__()
            self.save_hyperparameters()
            self.patch_embedding = PatchEmbedding(img_size, patch_size, num_hiddens)
            self.cls_token = nn.Parameter(torch.zeros(1, 1, num_hiddens))
            self.pos_embedding = nn.Parameter(
                torch.randn(1, self.patch_embedding.num_patches + 1, num_hiddens)
            )
            self.dropout = nn.Dropout(emb_dropout)
            self.blks = nn.Sequential(
                *(
                    ViTBlock(num_hiddens, num_hiddens, mlp_num_hiddens, num_heads, blk_dropout, use_bias)
                    for _ in range(num_blks)
                )
            )
            self.head = nn.Sequential(nn.LayerNorm(num_hiddens), nn.Linear(num_hiddens, num_classes))

        def forward(self, X):
            X = self.patch_embedding(X)
            X = torch.cat((self.cls_token.expand(X.shape[0], -1, -1), X), 1)
            X = self.dropout(X + self.pos_embedding)
            for blk in self.blks:
                X = blk(X)
            return self.head(X[:, 0])

    return ViT


class Budget:
    """Yields from a loader until ``seconds`` of training have passed (time between batches counted)."""

    def __init__(self, loader, seconds: float):
        self.loader, self.seconds, self.used, self.images, self.batches = loader, seconds, 0.0, 0, 0

    def spent(self) -> bool:
        return self.used >= self.seconds

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        start = time.perf_counter()
        for images, labels in self.loader:
            if self.used + time.perf_counter() - start >= self.seconds:
                break
            self.images += len(labels)
            self.batches += 1
            yield images, labels
        self.used += time.perf_counter() - start


def run_d2l(budget_s: float, loaders, evaluate) -> Result:
    from d2l import torch as d2l

    ViT = d2l_vit(d2l)
    torch.manual_seed(0)
    model = ViT(96, 16, 512, 2048, 8, 2, 0.1, 0.1, 0.1)
    model.board.display = False
    train_loader, test_loader = loaders(v2.Resize(96, antialias=True), normalize=False)
    budget = Budget(train_loader, budget_s)

    class Data(d2l.DataModule):  # the book's data module interface over the shared loaders
        def train_dataloader(self):
            return budget

        def val_dataloader(self):
            return None  # scored below with the same function as the other recipes

    class BudgetTrainer(d2l.Trainer):
        def fit_epoch(self):
            if not budget.spent():
                super().fit_epoch()

    trainer = BudgetTrainer(max_epochs=10, num_gpus=1)
    trainer.fit(model, Data())
    accuracy = evaluate(model, test_loader, torch.device("cpu"))["accuracy"]
    return Result(
        "d2l", count(model), budget.images, budget.used, budget.batches / len(train_loader), accuracy
    )


# --- the seed exercise -------------------------------------------------------------------------


class SeedBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: int = 4):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = LoopMSA(dim, heads)  # loops over images and heads, Linear(d, d) per head
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.norm1(x))[0]
        return x + self.mlp(self.norm2(x))


class SeedViT(nn.Module):
    """The seed's MyViT: 7x7 patches, hidden 8, sinusoidal positions, a softmax at the end."""

    def __init__(self, grid: int = 7, hidden: int = 8, blocks: int = 2, heads: int = 2, classes: int = 10):
        super().__init__()
        self.grid, patch = grid, 28 // grid
        self.mapper = nn.Linear(patch * patch, hidden)
        self.class_token = nn.Parameter(torch.rand(1, hidden))
        position = torch.arange(grid * grid + 1).unsqueeze(1)  # (N+1, 1)
        angle = position / 10_000 ** (torch.arange(0, hidden, 2) / hidden)  # (N+1, hidden/2)
        self.register_buffer(
            "positions", torch.stack([angle.sin(), angle.cos()], -1).flatten(1), persistent=False
        )
        self.blocks = nn.ModuleList(SeedBlock(hidden, heads) for _ in range(blocks))
        self.mlp = nn.Sequential(nn.Linear(hidden, classes), nn.Softmax(dim=-1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        patch = images.shape[-1] // self.grid
        patches = (
            images.unfold(2, patch, patch).unfold(3, patch, patch).flatten(1, 3).flatten(2)
        )  # (B, N, P*P)
        tokens = self.mapper(patches)
        out = torch.cat([self.class_token.expand(len(images), 1, -1), tokens], 1) + self.positions
        for block in self.blocks:
            out = block(out)
        return self.mlp(out[:, 0])  # probabilities, fed to CrossEntropyLoss as the seed does


def run_seed(budget_s: float, loaders, evaluate) -> Result:
    torch.manual_seed(0)
    model = SeedViT()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
    criterion = nn.CrossEntropyLoss()
    train_loader, test_loader = loaders(None, normalize=False)
    budget = Budget(train_loader, budget_s)
    while not budget.spent():
        for images, labels in budget:
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    accuracy = evaluate(model, test_loader, torch.device("cpu"))["accuracy"]
    return Result(
        "seed", count(model), budget.images, budget.used, budget.batches / len(train_loader), accuracy
    )


# --- the course recipe ----------------------------------------------------------------------------


def run_course(
    budget_s: float,
    namespace: dict,
    quick: bool,
    sizes: tuple,
    choice: str,
    save: Path | None = None,
    settings: Sequence[str] = (),
) -> Result:
    """The notebook's own path: probe, choose the recipe (unless told), fit for the budget; ``settings``
    (``--set``) change the recipe that trains."""
    speed = namespace["images_per_second"](namespace["COURSE"], steps=4 if quick else 12)
    chosen, why = namespace["choose_recipe"](speed, budget_s)
    if choice != "auto":
        chosen, why = namespace[choice.upper()], f"--course-recipe {choice}"
    name = "COURSE" if chosen is namespace["COURSE"] else "LEAN"
    print(f"  probe: {speed:,.0f} images/s (uncompiled); recipe {name}: {why}", flush=True)
    recipe = with_settings(namespace["QUICK"] if quick else chosen, list(settings))
    if settings:
        name = f"{name}, {', '.join(settings)}"
        print(f"  trained: {recipe}", flush=True)
    train_loader, test_loader = data.memory_loaders(
        recipe.batch_size, *sizes, train_transform=namespace["augment"], test_transform=namespace["plain"]
    )
    model, history = namespace["fit"](
        recipe, budget_s=budget_s, verbose=False, train_loader=train_loader, test_loader=test_loader
    )
    last = history[-1]
    for row in history:
        print(
            f"  course epoch {row['epoch']:>5.2f}: {row['seconds']:6.0f} s, "
            f"test accuracy {row['test_accuracy']:.4f} ({row.get('test_images', 'all')} test images)"
        )
    # scored again after training, independently of fit's history
    accuracy = namespace["evaluate"](model, test_loader, namespace["device"])["accuracy"]
    if save is not None:  # as notebook 6 saves it: notebooks 1 and 8 load it from checkpoint_path()
        config = {**recipe.model.__dict__}
        state = {k: v.cpu() for k, v in model.state_dict().items()}
        save.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"config": config, "state": state, "accuracy": accuracy}, save)
        print(f"  saved the model to {save}", flush=True)
    return Result(
        f"course ({name})", count(model), last["images"], last["train_seconds"], last["epoch"], accuracy
    )


def count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--budget", type=float, default=600.0, help="training seconds per recipe (default 600)"
    )
    parser.add_argument("--recipes", default="course,d2l,seed", help="comma-separated: course, d2l, seed")
    parser.add_argument("--quick", action="store_true", help="2,048 / 512 images and the quick course recipe")
    parser.add_argument(
        "--course-recipe",
        choices=("auto", "course", "lean"),
        default="auto",
        help="auto (default): the notebook's probe chooses COURSE or LEAN",
    )
    parser.add_argument(
        "--save",
        type=Path,
        default=None,
        help="save the trained course model there, as notebook 6 does (e.g. checkpoints/course_vit.pt)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change the course recipe that trains: a Recipe field (lr=5e-3) or a ViTConfig field "
        "(model.patch_size=7); repeatable",
    )
    args = parser.parse_args(argv)
    wanted = [r.strip() for r in args.recipes.split(",") if r.strip()]
    unknown = set(wanted) - {"course", "d2l", "seed"}
    if unknown:
        parser.error(f"unknown recipes {sorted(unknown)}; choose from course, d2l, seed")
    sizes = (2048, 512) if args.quick else (None, None)
    namespace = course_namespace()  # also the shared evaluate()
    evaluate = namespace["evaluate"]

    def loaders(resize, normalize: bool):
        steps = ([resize] if resize else []) + ([v2.Normalize([data.MEAN], [data.STD])] if normalize else [])
        transform = v2.Compose(steps) if steps else None
        return data.memory_loaders(128, *sizes, train_transform=transform, test_transform=transform)

    print(
        f"Fashion-MNIST, {args.budget:.0f} s of training per recipe; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, {os.cpu_count()} CPUs, CPU model: {cpu_model()}",
        flush=True,
    )
    results = []
    for name in wanted:
        print(f"training the {name} recipe ...", flush=True)
        if name == "course":
            results.append(
                run_course(args.budget, namespace, args.quick, sizes, args.course_recipe, args.save, args.set)
            )
        elif name == "d2l":
            results.append(run_d2l(args.budget, loaders, evaluate))
        else:
            results.append(run_seed(args.budget, loaders, evaluate))
        r = results[-1]
        print(
            f"  {r.recipe}: {r.test_accuracy:.4f} after {r.train_s:.0f} s ({r.epochs:.2f} epochs)", flush=True
        )
    columns = ["recipe", "parameters", "images/s", "epochs", "training s", "test accuracy"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for r in results:
        print(
            f"| {r.recipe} | {r.parameters:,} | {r.throughput:,.0f} | {r.epochs:.2f} | {r.train_s:.0f} | "
            f"{r.test_accuracy:.4f} |"
        )
    course = [r for r in results if r.recipe.startswith("course")]
    if course:
        c = course[0]
        print(
            f"{c.recipe.replace('course (', 'course recipe (')}: {c.test_accuracy:.4f} test accuracy after "
            f"{c.train_s:.0f} s, {c.throughput:,.0f} images/s; CPU model: {cpu_model()}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

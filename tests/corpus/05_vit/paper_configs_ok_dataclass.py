"""Correct: the sizes kept in a dataclass (in an added cell) and turned into dicts with asdict."""
# verdict: test_paper_configs: pass
# %% configs
def paper_configs():
    return {name: asdict(size) for name, size in SIZES.items()}
# %% +configs
from dataclasses import asdict, dataclass


@dataclass
class Size:
    patch_size: int
    dim: int
    depth: int
    num_heads: int
    mlp_ratio: float = 4.0


SIZES = {"ViT-B/16": Size(16, 768, 12, 12), "ViT-L/16": Size(16, 1024, 24, 16), "ViT-H/14": Size(14, 1280, 32, 16)}

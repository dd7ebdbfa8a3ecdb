"""Correct: a small helper builds each entry; the MLP ratio computed from Table 1's MLP size."""
# verdict: test_paper_configs: pass
# %% configs
def paper_configs():
    def size(patch, width, layers, heads, mlp_size):
        return {"patch_size": patch, "dim": width, "depth": layers, "num_heads": heads, "mlp_ratio": mlp_size / width}

    return {
        "ViT-B/16": size(16, 768, 12, 12, 3072),
        "ViT-L/16": size(16, 1024, 24, 16, 4096),
        "ViT-H/14": size(14, 1280, 32, 16, 5120),
    }

"""Correct: the names built from a table with f-strings, mlp_ratio given as the int 4."""
# verdict: test_paper_configs: pass
# %% configs
def paper_configs():
    table = [("B", 16, 768, 12, 12), ("L", 16, 1024, 24, 16), ("H", 14, 1280, 32, 16)]
    return {f"ViT-{name}/{p}": dict(patch_size=p, dim=d, depth=L, num_heads=h, mlp_ratio=4)
            for name, p, d, L, h in table}

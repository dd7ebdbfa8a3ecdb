"""Wrong: the layer counts of ViT-Large and ViT-Huge swapped."""
# verdict: test_paper_configs: fail: ViT-L/16: depth is 32, Table 1 gives 24
# %% configs
def paper_configs():
    return {"ViT-B/16": dict(patch_size=16, dim=768, depth=12, num_heads=12, mlp_ratio=4.0),
            "ViT-L/16": dict(patch_size=16, dim=1024, depth=32, num_heads=16, mlp_ratio=4.0),
            "ViT-H/14": dict(patch_size=14, dim=1280, depth=24, num_heads=16, mlp_ratio=4.0)}

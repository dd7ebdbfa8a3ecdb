"""Wrong: ViT-Base given 16 heads, like the two larger models."""
# verdict: test_paper_configs: fail: ViT-B/16: num_heads is 16, Table 1 gives 12
# %% configs
def paper_configs():
    return {"ViT-B/16": dict(patch_size=16, dim=768, depth=12, num_heads=16, mlp_ratio=4.0),
            "ViT-L/16": dict(patch_size=16, dim=1024, depth=24, num_heads=16, mlp_ratio=4.0),
            "ViT-H/14": dict(patch_size=14, dim=1280, depth=32, num_heads=16, mlp_ratio=4.0)}

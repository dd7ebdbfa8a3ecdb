"""Wrong: ViT-L given 14-pixel patches (the Huge model's)."""
# verdict: test_paper_configs: fail: ViT-L/16: patch_size is 14, Table 1 gives 16
# %% configs
def paper_configs():
    return {"ViT-B/16": dict(patch_size=16, dim=768, depth=12, num_heads=12, mlp_ratio=4.0),
            "ViT-L/16": dict(patch_size=14, dim=1024, depth=24, num_heads=16, mlp_ratio=4.0),
            "ViT-H/14": dict(patch_size=14, dim=1280, depth=32, num_heads=16, mlp_ratio=4.0)}

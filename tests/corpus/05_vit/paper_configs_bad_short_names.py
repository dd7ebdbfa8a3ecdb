"""Wrong: the keys written without the slash."""
# verdict: test_paper_configs: fail: paper_configs() has no key 'ViT-B/16'
# %% configs
def paper_configs():
    return {"ViT-B16": dict(patch_size=16, dim=768, depth=12, num_heads=12, mlp_ratio=4.0),
            "ViT-L16": dict(patch_size=16, dim=1024, depth=24, num_heads=16, mlp_ratio=4.0),
            "ViT-H14": dict(patch_size=14, dim=1280, depth=32, num_heads=16, mlp_ratio=4.0)}

"""Wrong: the sizes written as floats (768.0): a layer cannot have 768.0 features."""
# verdict: test_paper_configs: fail: should be Python ints
# %% configs
def paper_configs():
    return {"ViT-B/16": dict(patch_size=16, dim=768.0, depth=12, num_heads=12, mlp_ratio=4.0),
            "ViT-L/16": dict(patch_size=16, dim=1024.0, depth=24, num_heads=16, mlp_ratio=4.0),
            "ViT-H/14": dict(patch_size=14, dim=1280.0, depth=32, num_heads=16, mlp_ratio=4.0)}

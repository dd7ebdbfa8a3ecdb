"""Wrong: Table 1's column name hidden_size used as the key instead of the constructor's dim."""
# verdict: test_paper_configs: fail: needs a number for dim
# %% configs
def paper_configs():
    return {"ViT-B/16": dict(patch_size=16, hidden_size=768, depth=12, num_heads=12, mlp_ratio=4.0),
            "ViT-L/16": dict(patch_size=16, hidden_size=1024, depth=24, num_heads=16, mlp_ratio=4.0),
            "ViT-H/14": dict(patch_size=14, hidden_size=1280, depth=32, num_heads=16, mlp_ratio=4.0)}

"""ViT-H/14 read as ViT-H with the 16 x 16 patches of the other two models."""
# expect: test_paper_configs: ViT-H/14 built with 16 x 16 patches
# %% configs
def paper_configs():
    return {"ViT-B/16": dict(patch_size=16, dim=768, depth=12, num_heads=12, mlp_ratio=4.0),
            "ViT-L/16": dict(patch_size=16, dim=1024, depth=24, num_heads=16, mlp_ratio=4.0),
            "ViT-H/14": dict(patch_size=16, dim=1280, depth=32, num_heads=16, mlp_ratio=4.0)}

"""Table 1's MLP size copied into mlp_ratio."""
# expect: test_paper_configs: mlp_ratio set to Table 1's MLP size
# %% configs
def paper_configs():
    return {"ViT-B/16": dict(patch_size=16, dim=768, depth=12, num_heads=12, mlp_ratio=3072),
            "ViT-L/16": dict(patch_size=16, dim=1024, depth=24, num_heads=16, mlp_ratio=4096),
            "ViT-H/14": dict(patch_size=14, dim=1280, depth=32, num_heads=16, mlp_ratio=5120)}

"""The count read off a model built on the meta device: right number, but not a formula."""
# expect: test_parameter_count: the count is read off a model built in the function, not computed from the configuration
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    with torch.device("meta"):
        model = VisionTransformer(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio)
    return sum(p.numel() for p in model.parameters())

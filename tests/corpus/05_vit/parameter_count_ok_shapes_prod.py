"""Correct: every parameter's shape written out, multiplied with math.prod and summed."""
# verdict: test_parameter_count: pass
# %% parameter_count
def vit_parameter_count(image_size, patch_size, in_channels, num_classes, dim, depth, num_heads, mlp_ratio=4.0):
    hidden = int(dim * mlp_ratio)
    n = (image_size // patch_size) * (image_size // patch_size)
    shapes = [(dim, in_channels, patch_size, patch_size), (dim,), (1, 1, dim), (1, n + 1, dim)]
    block = [(dim,), (dim,), (3 * dim, dim), (3 * dim,), (dim, dim), (dim,),
             (dim,), (dim,), (hidden, dim), (hidden,), (dim, hidden), (dim,)]
    shapes += block * depth + [(dim,), (dim,), (num_classes, dim), (num_classes,)]
    return sum(math.prod(shape) for shape in shapes)

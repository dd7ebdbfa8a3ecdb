"""A correct patchify written with Python loops over the batch and the patch grid."""
# expect: test_patchify: python loop
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    out = []
    for image in images:
        rows = []
        for i in range(H // P):
            for j in range(W // P):
                rows.append(image[:, i * P:(i + 1) * P, j * P:(j + 1) * P].reshape(-1))
        out.append(torch.stack(rows))
    return torch.stack(out)

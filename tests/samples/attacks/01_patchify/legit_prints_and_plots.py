"""Legitimate: answer cells that print while they run and draw a figure at the end of the cell."""
# %% patchify
def patchify(images, patch_size):
    B, C, H, W = images.shape
    P = patch_size
    print(f"patchify: {B} images of {C}x{H}x{W}, patches of {P}x{P}")
    if H % P or W % P:
        raise ValueError("image size must be divisible by the patch size")
    grid = images.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)
    return grid.reshape(B, (H // P) * (W // P), C * P * P)


demo = patchify(torch.arange(16.0).reshape(1, 1, 4, 4), 2)
plt.imshow(demo[0])
plt.title("my patches")
plt.show()

"""unpatchify building its result in float32."""
# expect: test_unpatchify: the output is cast to float32: keep the input's dtype
# %% unpatchify
def unpatchify(patches, patch_size, height, width):
    B, N, K = patches.shape
    P = patch_size
    C = K // (P * P)
    x = patches.reshape(B, height // P, width // P, C, P, P).permute(0, 3, 1, 4, 2, 5)
    return x.reshape(B, C, height, width).to(torch.float32)

"""patchify with unflatten and movedim instead of reshape and permute."""
# verdict: test_patchify: pass
# verdict: test_patch_embedding: pass
# %% patchify
def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    B, C, H, W = images.shape
    P = patch_size
    if H % P != 0 or W % P != 0:
        raise ValueError(f"{H}x{W} images cannot be cut into {P}x{P} patches")
    x = images.unflatten(3, (W // P, P)).unflatten(2, (H // P, P))  # (B, C, h, P, w, P)
    x = x.movedim((2, 4), (1, 2))  # (B, h, w, C, P, P)
    return x.flatten(3).flatten(1, 2)  # (B, N, C*P*P)

"""unpatchify with unflatten and movedim."""
# verdict: test_unpatchify: pass
# %% unpatchify
def unpatchify(patches: torch.Tensor, patch_size: int, height: int, width: int) -> torch.Tensor:
    P = patch_size
    C = patches.shape[-1] // (P * P)
    x = patches.unflatten(2, (C, P, P)).unflatten(1, (height // P, width // P))  # (B, h, w, C, P, P)
    x = x.movedim(3, 1)  # (B, C, h, w, P, P)
    x = x.movedim(4, 3)  # (B, C, h, P, w, P)
    return x.flatten(4, 5).flatten(2, 3)  # (B, C, H, W)

"""Each new layer multiplied from the right: A_1 A_2 ... A_L."""
# expect: test_attention_rollout: the layers are multiplied in the wrong order (the first layer's matrix ends up on the left)
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    a = maps.mean(dim=2) + eye
    a = a / a.sum(dim=-1, keepdim=True)
    result = eye.expand(B, T, T)
    for layer in a:
        result = result @ layer
    return result

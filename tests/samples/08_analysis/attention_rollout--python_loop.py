"""A correct rollout computed image by image in a Python loop."""
# expect: test_attention_rollout: python loop
# %% rollout
def attention_rollout(maps):
    L, B, H, T, _ = maps.shape
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    out = []
    for b in range(B):
        r = eye
        for l in range(L):
            a = maps[l, b].mean(dim=0) + eye
            r = (a / a.sum(dim=-1, keepdim=True)) @ r
        out.append(r)
    return torch.stack(out)

"""functools.reduce over the layers, heads averaged as a sum divided by their number."""
# verdict: test_attention_rollout: pass
# %% rollout
from functools import reduce


def attention_rollout(maps):
    heads, T = maps.shape[2], maps.shape[-1]
    eye = torch.eye(T, dtype=maps.dtype, device=maps.device)
    flow = maps.sum(dim=2) / heads + eye
    flow = flow / flow.sum(-1, keepdim=True)
    return reduce(lambda acc, a: torch.matmul(a, acc), flow.unbind(0), eye.expand(maps.shape[1], T, T))

"""scaled_dot_product_attention looping in Python over every leading index (right values)."""
# expect: test_sdpa: python loop
# %% sdpa
def scaled_dot_product_attention(q, k, v, mask=None):
    lead = q.shape[:-2]
    qf, kf, vf = q.reshape(-1, *q.shape[-2:]), k.reshape(-1, *k.shape[-2:]), v.reshape(-1, *v.shape[-2:])
    m = None if mask is None else mask.expand(*lead, q.shape[-2], k.shape[-2]).reshape(-1, q.shape[-2], k.shape[-2])
    outs, ws = [], []
    for i in range(qf.shape[0]):
        s = qf[i] @ kf[i].T / math.sqrt(q.shape[-1])
        if m is not None:
            s = s.masked_fill(~m[i], float("-inf"))
        w = s.softmax(-1)
        outs.append(w @ vf[i])
        ws.append(w)
    return torch.stack(outs).reshape(*lead, q.shape[-2], v.shape[-1]), torch.stack(ws).reshape(*lead, q.shape[-2], k.shape[-2])

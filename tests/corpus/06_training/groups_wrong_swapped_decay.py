"""The two weight decays swapped: the vectors decay, the matrices do not."""
# verdict: test_parameter_groups: fail: differs from the rule
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2 or "cls_token" in name or "pos_embed" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    return [g for g in ({"params": decay, "weight_decay": 0.0}, {"params": no_decay, "weight_decay": weight_decay})
            if g["params"]]

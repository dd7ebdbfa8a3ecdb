"""Puts the parameters' names in the groups instead of the parameters."""
# verdict: test_parameter_groups: fail: not parameters of the model
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2 or "cls_token" in name or "pos_embed" in name:
            no_decay.append(name)
        else:
            decay.append(name)
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0})
            if g["params"]]

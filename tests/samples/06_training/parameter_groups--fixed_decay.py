"""The recipe's 0.05 written in place of the weight_decay argument."""
# expect: test_parameter_groups: a fixed weight decay instead of the weight_decay argument
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2 or any(k in name for k in ("cls_token", "class_token", "pos_embed")):
            no_decay.append(p)
        else:
            decay.append(p)
    return [g for g in ({"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}) if g["params"]]

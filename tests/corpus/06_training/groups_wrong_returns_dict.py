"""Returns a dict of the two lists instead of a list of groups."""
# verdict: test_parameter_groups: fail: list of dicts
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.ndim < 2 or "cls_token" in name or "pos_embed" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    return {"decay": decay, "no_decay": no_decay}

"""frozen parameters (requires_grad=False) put in the groups"""
# expect: test_parameter_groups: frozen parameters kept in the groups
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.ndim < 2 or "cls_token" in name or "pos_embed" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return [group for group in groups if group["params"]]

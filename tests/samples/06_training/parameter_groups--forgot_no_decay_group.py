"""a parameter missing from the groups"""
# expect: test_parameter_groups: a parameter missing from the groups
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "cls_token" not in n and "pos_embed" not in n]
    return [{"params": decay, "weight_decay": weight_decay}]

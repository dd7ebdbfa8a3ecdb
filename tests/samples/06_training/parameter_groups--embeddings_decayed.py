"""the class token and positional embedding are decayed"""
# expect: test_parameter_groups: the class token and positional embedding are decayed
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]

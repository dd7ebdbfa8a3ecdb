"""the no-decay group written without a weight_decay key: AdamW gives it its default decay"""
# expect: test_parameter_groups: a group without a weight_decay key (AdamW then applies its default, 0.01)
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
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay}]
    return [group for group in groups if group["params"]]

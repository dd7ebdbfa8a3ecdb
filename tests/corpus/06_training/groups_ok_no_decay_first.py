"""The no-decay group first, sets of ids to sort, and a dict per group only when it holds something."""
# verdict: test_parameter_groups: pass
# %% parameter_groups
def parameter_groups(model, weight_decay):
    skip = {id(p) for n, p in model.named_parameters() if p.ndim <= 1 or "cls_token" in n or "class_token" in n or "pos_embed" in n}
    params = [p for p in model.parameters() if p.requires_grad]
    quiet = [p for p in params if id(p) in skip]
    loud = [p for p in params if id(p) not in skip]
    return [g for g in ({"params": quiet, "weight_decay": 0.0}, {"params": loud, "weight_decay": weight_decay})
            if g["params"]]

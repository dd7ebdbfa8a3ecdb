"""Checks timm's spelling cls_token only: torchvision's class_token is decayed."""
# expect: test_parameter_groups: torchvision's class_token decayed (only the spelling cls_token is checked)
# %% parameter_groups
def parameter_groups(model, weight_decay):
    groups = [{"params": [], "weight_decay": weight_decay}, {"params": [], "weight_decay": 0.0}]
    for name, p in model.named_parameters():
        if p.requires_grad:
            skip = p.ndim < 2 or "cls_token" in name or "pos_embed" in name
            groups[int(skip)]["params"].append(p)
    return [g for g in groups if g["params"]]

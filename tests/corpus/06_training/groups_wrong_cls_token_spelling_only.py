"""Knows timm's spelling only: torchvision's class_token (the course model's) is 3-D and decays."""


# verdict: test_parameter_groups: fail: class_token decayed
# %% parameter_groups
def parameter_groups(model, weight_decay):
    decay, rest = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (rest if p.ndim < 2 or "cls_token" in name or "pos_embed" in name else decay).append(p)
    return [
        g
        for g in ({"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0})
        if g["params"]
    ]

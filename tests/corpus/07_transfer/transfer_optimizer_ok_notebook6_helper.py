"""Notebook 6's parameter_groups, written again in a cell of its own with torchvision's names added, called
once for the head and once for the backbone."""
# verdict: test_transfer_optimizer: pass
# %% +freeze_backbone
def decay_groups(named_parameters, weight_decay, lr):
    decay, no_decay = [], []
    for name, p in named_parameters:
        if not p.requires_grad:
            continue
        if p.ndim < 2 or "cls_token" in name or "class_token" in name or "pos_embed" in name:
            no_decay.append(p)
        else:
            decay.append(p)
    groups = [{"params": decay, "weight_decay": weight_decay, "lr": lr},
              {"params": no_decay, "weight_decay": 0.0, "lr": lr}]
    return [g for g in groups if g["params"]]
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    mine = {id(p) for p in head.parameters()}
    named = list(model.named_parameters())
    return torch.optim.AdamW(decay_groups([(n, p) for n, p in named if id(p) in mine], weight_decay, head_lr)
                             + decay_groups([(n, p) for n, p in named if id(p) not in mine], weight_decay, backbone_lr))

"""The backbone groups are built from all of model.named_parameters(), so the head's parameters are in two groups."""
# expect: test_transfer_optimizer: a parameter in two groups
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    def split(named):
        named = [(n, p) for n, p in named if p.requires_grad]
        spared = [p for n, p in named if p.ndim < 2 or "class_token" in n or "cls_token" in n or "pos_embed" in n]
        return [p for _, p in named if not any(p is q for q in spared)], spared

    groups = []
    for (decay, no_decay), lr in ((split(head.named_parameters()), head_lr), (split(model.named_parameters()), backbone_lr)):
        groups += [{"params": decay, "lr": lr, "weight_decay": weight_decay}, {"params": no_decay, "lr": lr, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]])

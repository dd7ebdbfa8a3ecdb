"""The backbone groups take the optimizer's lr and weight_decay (backbone_lr, weight_decay); others set their own."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = [id(p) for p in head.parameters()]
    groups = []
    for in_head in (True, False):
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad and (id(p) in head_ids) == in_head]
        plain = [p for n, p in named if p.ndim <= 1 or "cls_token" in n or "class_token" in n or "pos_embed" in n]
        decay = [p for _, p in named if all(p is not q for q in plain)]
        extra = {"lr": head_lr} if in_head else {}
        if decay:
            groups.append({"params": decay, **extra})
        if plain:
            groups.append({"params": plain, "weight_decay": 0.0, **extra})
    return torch.optim.AdamW(groups, lr=backbone_lr, weight_decay=weight_decay, betas=(0.9, 0.999), eps=1e-8)

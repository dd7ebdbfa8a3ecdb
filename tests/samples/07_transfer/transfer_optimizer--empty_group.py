"""Always four groups, so after freezing the backbone groups are empty lists."""
# expect: test_transfer_optimizer: an empty parameter group kept (after freezing, the backbone group holds nothing)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {(h, d): [] for h in (True, False) for d in (True, False)}
    for name, p in model.named_parameters():
        if p.requires_grad:
            decay = p.ndim >= 2 and not any(k in name for k in ("class_token", "cls_token", "pos_embed"))
            groups[id(p) in head_ids, decay].append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()])

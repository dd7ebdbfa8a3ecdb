"""One AdamW for the head and one for the backbone, returned as a list."""
# expect: test_transfer_optimizer: a list returned instead of one AdamW (several optimizers, or groups never handed to AdamW)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            decay = p.ndim >= 2 and not any(k in name for k in ("class_token", "cls_token", "pos_embed"))
            groups.setdefault((id(p) in head_ids, decay), []).append(p)
    return [
        torch.optim.AdamW([{"params": ps, "weight_decay": weight_decay if d else 0.0}
                           for (h, d), ps in groups.items() if h == part], lr=head_lr if part else backbone_lr)
        for part in (True, False)
        if any(h == part for h, _ in groups)
    ]

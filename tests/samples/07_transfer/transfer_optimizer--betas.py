"""The recipe's betas=(0.9, 0.95) instead of AdamW's defaults."""
# expect: test_transfer_optimizer: AdamW's other settings changed (betas, eps or amsgrad)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            decay = p.ndim >= 2 and not any(k in name for k in ("class_token", "cls_token", "pos_embed"))
            groups.setdefault((id(p) in head_ids, decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()], betas=(0.9, 0.95))

"""The backbone at head_lr * backbone_lr: backbone_lr read as a factor."""
# expect: test_transfer_optimizer: backbone_lr used as a factor of head_lr (the backbone at head_lr * backbone_lr)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            decay = p.ndim >= 2 and not any(k in name for k in ("class_token", "cls_token", "pos_embed"))
            groups.setdefault((id(p) in head_ids, decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else head_lr * backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()])

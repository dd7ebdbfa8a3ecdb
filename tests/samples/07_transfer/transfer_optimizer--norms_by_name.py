"""No decay chosen by name ('bias', 'norm', tokens): norm layers named otherwise keep a decayed weight."""
# expect: test_transfer_optimizer: 1-D norm weights decayed (no-decay chosen by names such as 'bias' and 'norm', not by p.ndim < 2)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            decay = not any(k in name for k in ("bias", "norm", "class_token", "cls_token", "pos_embed"))
            groups.setdefault((id(p) in head_ids, decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()])

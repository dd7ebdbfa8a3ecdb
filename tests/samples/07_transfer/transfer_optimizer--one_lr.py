"""Decay groups right, but every trainable parameter at the head's learning rate."""
# expect: test_transfer_optimizer: the whole model at the head's learning rate
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            spared = p.ndim < 2 or any(k in name for k in ("class_token", "cls_token", "pos_embed"))
            (no_decay if spared else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW([g for g in groups if g["params"]], lr=head_lr)

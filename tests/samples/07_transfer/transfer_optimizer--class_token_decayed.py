"""Notebook 6's names copied (cls_token, pos_embed): torchvision's class_token is decayed."""
# expect: test_transfer_optimizer: torchvision's class_token decayed (only notebook 6's names, cls_token and pos_embed, checked)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        decay = p.ndim >= 2 and "cls_token" not in name and "pos_embed" not in name
        groups.setdefault((id(p) in head_ids, decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()])

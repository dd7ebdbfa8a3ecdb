"""One group per trainable parameter, each with its own lr and weight decay; the head found by its module name."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_prefix = next(n for n, m in model.named_modules() if m is head)
    groups = []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        in_head = name.startswith(head_prefix + ".")
        tokens = "class_token" in name or "cls_token" in name or "pos_embed" in name
        wd = 0.0 if p.ndim < 2 or tokens else weight_decay
        groups.append({"params": [p], "lr": head_lr if in_head else backbone_lr, "weight_decay": wd})
    return torch.optim.AdamW(groups)

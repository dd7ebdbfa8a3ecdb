"""One group per trainable parameter, each with its own lr and weight decay."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_prefix = next(n for n, m in model.named_modules() if m is head)
    groups = []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        in_head = name.startswith(head_prefix + ".")
        groups.append({"params": [p], "lr": head_lr if in_head else backbone_lr, "weight_decay": weight_decay})
    return torch.optim.AdamW(groups)

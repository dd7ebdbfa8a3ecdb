"""The head's parameters picked by name ("head" in the name)."""
# verdict: test_transfer_optimizer: fail: classifier.1.weight
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_params, backbone_params = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (head_params if "head" in name else backbone_params).append(p)
    groups = [{"params": head_params, "lr": head_lr}]
    if backbone_params:
        groups.append({"params": backbone_params, "lr": backbone_lr})
    return torch.optim.AdamW(groups, weight_decay=weight_decay)

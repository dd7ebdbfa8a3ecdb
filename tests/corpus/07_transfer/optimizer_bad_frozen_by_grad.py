"""Frozen parameters told apart by `p.grad is None` instead of requires_grad."""
# verdict: test_transfer_optimizer: fail: frozen
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    head_params = [p for p in head.parameters()]
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids and p.grad is None]
    groups = [{"params": head_params, "lr": head_lr}]
    if backbone_params:
        groups.append({"params": backbone_params, "lr": backbone_lr})
    return torch.optim.AdamW(groups, weight_decay=weight_decay)

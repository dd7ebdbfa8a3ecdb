"""Two groups right, but torch.optim.Adam with its (L2) weight_decay instead of AdamW."""
# expect: test_transfer_optimizer: Adam instead of AdamW (weight decay added to the gradient instead of decoupled)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    head_params = [p for p in head.parameters() if p.requires_grad]
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
    groups = [{"params": head_params, "lr": head_lr}]
    if backbone_params:
        groups.append({"params": backbone_params, "lr": backbone_lr})
    return torch.optim.Adam(groups, weight_decay=weight_decay)

"""weight_decay set in the head's group only; the backbone group gets AdamW's default."""
# verdict: test_transfer_optimizer: fail: weight decay 0.01; expected lr 0.001, weight decay 0.05
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    head_params = [p for p in head.parameters() if p.requires_grad]
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
    groups = [{"params": head_params, "lr": head_lr, "weight_decay": weight_decay}]
    if backbone_params:
        groups.append({"params": backbone_params, "lr": backbone_lr})
    return torch.optim.AdamW(groups)

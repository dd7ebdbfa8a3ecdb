"""The head gets the small rate and the backbone the large one."""
# expect: test_transfer_optimizer: the two learning rates swapped
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    head_params = [p for p in head.parameters() if p.requires_grad]
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
    groups = [{"params": head_params, "lr": backbone_lr}]
    if backbone_params:
        groups.append({"params": backbone_params, "lr": head_lr})
    return torch.optim.AdamW(groups, weight_decay=weight_decay)

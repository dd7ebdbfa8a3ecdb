"""Always two groups, so after freezing the backbone group is an empty list."""
# expect: test_transfer_optimizer: an empty parameter group kept (after freezing, the backbone group holds nothing)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    head_params = [p for p in head.parameters() if p.requires_grad]
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
    return torch.optim.AdamW([{"params": head_params, "lr": head_lr},
                              {"params": backbone_params, "lr": backbone_lr}], weight_decay=weight_decay)

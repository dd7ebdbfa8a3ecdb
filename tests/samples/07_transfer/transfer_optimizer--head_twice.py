"""The backbone group is model.parameters(), so the head's parameters are in both groups."""
# expect: test_transfer_optimizer: a parameter in two groups
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    return torch.optim.AdamW([{"params": [p for p in head.parameters() if p.requires_grad], "lr": head_lr},
                              {"params": [p for p in model.parameters() if p.requires_grad], "lr": backbone_lr}],
                             weight_decay=weight_decay)

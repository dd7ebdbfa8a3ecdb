"""Groups by head / not head, ignoring requires_grad: frozen parameters are in the optimizer."""
# expect: test_transfer_optimizer: frozen parameters in the optimizer (weight decay still moves them)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids]
    return torch.optim.AdamW([{"params": list(head.parameters()), "lr": head_lr},
                              {"params": backbone_params, "lr": backbone_lr}], weight_decay=weight_decay)

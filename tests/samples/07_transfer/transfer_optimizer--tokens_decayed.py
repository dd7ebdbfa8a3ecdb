"""The shape rule alone (p.ndim < 2: no decay): the 3-D class token and positional embedding are decayed."""
# expect: test_transfer_optimizer: the class token or positional embedding decayed (the shape rule without the names)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = []
    for params, lr in (([p for p in model.parameters() if id(p) in head_ids], head_lr),
                       ([p for p in model.parameters() if id(p) not in head_ids], backbone_lr)):
        params = [p for p in params if p.requires_grad]
        for decay in (True, False):
            chosen = [p for p in params if (p.ndim > 1) == decay]
            if chosen:
                groups.append({"params": chosen, "lr": lr, "weight_decay": weight_decay if decay else 0.0})
    return torch.optim.AdamW(groups)

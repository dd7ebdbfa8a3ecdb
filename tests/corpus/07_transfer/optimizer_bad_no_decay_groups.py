"""Notebook 6's habit: no weight decay on biases and norm weights (1-D parameters)."""
# verdict: test_transfer_optimizer: fail: weight decay 0; expected lr
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = []
    for is_head, lr in ((True, head_lr), (False, backbone_lr)):
        params = [p for p in model.parameters() if p.requires_grad and (id(p) in head_ids) == is_head]
        decay = [p for p in params if p.ndim >= 2]
        no_decay = [p for p in params if p.ndim < 2]
        if decay:
            groups.append({"params": decay, "lr": lr, "weight_decay": weight_decay})
        if no_decay:
            groups.append({"params": no_decay, "lr": lr, "weight_decay": 0.0})
    return torch.optim.AdamW(groups)

"""Every group at weight_decay 0.0 (the parameter ignored)."""
# verdict: test_transfer_optimizer: fail: weight decay 0; expected lr 0.01, weight decay 0.05
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    head_params = [p for p in head.parameters() if p.requires_grad]
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids]
    groups = [{"params": ps, "lr": lr} for ps, lr in ((head_params, head_lr), (rest, backbone_lr)) if ps]
    return torch.optim.AdamW(groups, weight_decay=0.0)

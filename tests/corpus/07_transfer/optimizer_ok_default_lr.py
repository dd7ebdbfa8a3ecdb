"""The backbone group takes the optimizer's default lr (backbone_lr); the head group sets its own."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_params = list(filter(lambda p: p.requires_grad, head.parameters()))
    head_ids = [id(p) for p in head_params]
    backbone = [p for p in model.parameters() if p.requires_grad and id(p) not in head_ids
                and all(p is not q for q in head.parameters())]
    groups = [{"params": head_params, "lr": head_lr}] + ([{"params": backbone}] if backbone else [])
    return torch.optim.AdamW(groups, lr=backbone_lr, weight_decay=weight_decay, betas=(0.9, 0.999), eps=1e-8)

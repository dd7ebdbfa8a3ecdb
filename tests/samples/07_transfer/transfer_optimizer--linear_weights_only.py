"""Decays only the weights of nn.Linear and nn.Conv2d modules: attention's own 2-D in_proj_weight is spared."""
# expect: test_transfer_optimizer: some weight matrices (p.ndim >= 2) not decayed (decay chosen by module type or name, not by shape)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    matrices = {id(m.weight) for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            decay = id(p) in matrices
            groups.setdefault((id(p) in head_ids, decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()])

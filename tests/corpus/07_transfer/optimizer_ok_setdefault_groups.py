"""Groups collected in a dict keyed by "is it the head's", then turned into param groups."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = set(map(id, head.parameters()))
    groups = {}
    for p in model.parameters():
        if p.requires_grad:
            groups.setdefault(id(p) in head_ids, []).append(p)
    param_groups = [{"params": ps, "lr": head_lr if is_head else backbone_lr} for is_head, ps in groups.items()]
    return torch.optim.AdamW(param_groups, weight_decay=weight_decay)

"""weight_decay set in the head's decayed group only; the backbone's decayed group gets AdamW's default."""
# verdict: test_transfer_optimizer: fail: weight decay 0.01; expected lr 0.001, weight decay 0.05
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = []
    for in_head, lr in ((True, head_lr), (False, backbone_lr)):
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad and (id(p) in head_ids) == in_head]
        decay = [p for n, p in named if p.ndim >= 2 and "token" not in n and "pos_embed" not in n]
        no_decay = [p for n, p in named if not (p.ndim >= 2 and "token" not in n and "pos_embed" not in n)]
        if decay:
            groups.append({"params": decay, "lr": lr} | ({"weight_decay": weight_decay} if in_head else {}))
        if no_decay:
            groups.append({"params": no_decay, "lr": lr, "weight_decay": 0.0})
    return torch.optim.AdamW(groups)

"""minGPT's rule by module type (decay only the weights of nn.Linear and nn.Conv2d): the 2-D
in_proj_weight of nn.MultiheadAttention is a parameter of the attention module itself, so it is not decayed."""
# verdict: test_transfer_optimizer: fail: in_proj_weight
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    decay_ids = {id(m.weight) for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))}
    groups = {}
    for p in model.parameters():
        if p.requires_grad:
            groups.setdefault((id(p) in head_ids, id(p) in decay_ids), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()])

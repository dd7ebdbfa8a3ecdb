"""The decay test inverted: biases, norms and tokens decayed, the weight matrices not."""
# expect: test_transfer_optimizer: the decay groups swapped (decay on biases and norms, none on the weight matrices)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            no_decay = p.ndim < 2 or any(k in name for k in ("class_token", "cls_token", "pos_embed"))
            groups.setdefault((id(p) in head_ids, no_decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr,
                               "weight_decay": weight_decay if d else 0.0} for (h, d), ps in groups.items()])

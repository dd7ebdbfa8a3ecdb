"""AdamW built on the head's decayed parameters, every other group added with add_param_group."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_set = set(head.parameters())
    no_decay_names = ("class_token", "cls_token", "pos_embed")
    buckets = {"head_decay": [], "head_plain": [], "body_decay": [], "body_plain": []}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        part = "head" if p in head_set else "body"
        kind = "plain" if p.dim() < 2 or any(s in name for s in no_decay_names) else "decay"
        buckets[f"{part}_{kind}"].append(p)
    optimizer = None
    for key, params in buckets.items():
        if not params:
            continue
        group = {"params": params, "lr": head_lr if key.startswith("head") else backbone_lr,
                 "weight_decay": weight_decay if key.endswith("decay") else 0.0}
        if optimizer is None:
            optimizer = torch.optim.AdamW([group])
        else:
            optimizer.add_param_group(group)
    return optimizer

"""The decay rule applied, but weight_decay itself never reaches AdamW."""
# expect: test_transfer_optimizer: weight_decay not passed (AdamW's default 0.01 used)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            decay = p.ndim >= 2 and not any(k in name for k in ("class_token", "cls_token", "pos_embed"))
            groups.setdefault((id(p) in head_ids, decay), []).append(p)
    return torch.optim.AdamW([{"params": ps, "lr": head_lr if h else backbone_lr} | ({} if d else {"weight_decay": 0.0})
                              for (h, d), ps in groups.items()])

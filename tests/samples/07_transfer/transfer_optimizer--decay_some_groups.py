"""weight_decay written into the decayed groups only; the undecayed ones were thought to default to 0."""
# expect: test_transfer_optimizer: weight_decay missing from some groups (they get AdamW's default 0.01)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = []
    for in_head, lr in ((True, head_lr), (False, backbone_lr)):
        chosen = [(n, p) for n, p in model.named_parameters() if p.requires_grad and (id(p) in head_ids) == in_head]
        no_decay = [p for n, p in chosen if p.ndim < 2 or "class_token" in n or "cls_token" in n or "pos_embed" in n]
        decay = [p for n, p in chosen if not any(p is q for q in no_decay)]
        if decay:
            groups.append({"params": decay, "lr": lr, "weight_decay": weight_decay})
        if no_decay:
            groups.append({"params": no_decay, "lr": lr})
    return torch.optim.AdamW(groups)

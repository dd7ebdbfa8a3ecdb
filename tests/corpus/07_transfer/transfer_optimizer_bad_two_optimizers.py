"""One optimizer per part, returned as a list."""
# verdict: test_transfer_optimizer: fail: returned a list, not an optimizer
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    optimizers = []
    for in_head, lr in ((True, head_lr), (False, backbone_lr)):
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad and (id(p) in head_ids) == in_head]
        if named:
            spared = lambda n, p: p.ndim < 2 or "token" in n or "pos_embed" in n  # noqa: E731
            optimizers.append(torch.optim.AdamW(
                [{"params": [p for n, p in named if not spared(n, p)], "weight_decay": weight_decay},
                 {"params": [p for n, p in named if spared(n, p)], "weight_decay": 0.0}], lr=lr))
    return optimizers

"""No decay picked by names ('bias', 'norm', 'token', 'pos_embed'): a BatchNorm called bn and torchvision's
LayerNorms (ln_1, ln_2, ln) keep their weights decayed."""
# verdict: test_transfer_optimizer: fail: backbone.bn.weight: moved as with lr 0.001 and weight decay 0.05; expected lr 0.001, weight decay 0
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    groups = []
    for is_head, lr in ((True, head_lr), (False, backbone_lr)):
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad and (id(p) in head_ids) == is_head]
        spare = [any(k in n for k in ("bias", "norm", "token", "pos_embed")) for n, _ in named]
        decay = [p for (_, p), s in zip(named, spare) if not s]
        no_decay = [p for (_, p), s in zip(named, spare) if s]
        if decay:
            groups.append({"params": decay, "lr": lr, "weight_decay": weight_decay})
        if no_decay:
            groups.append({"params": no_decay, "lr": lr, "weight_decay": 0.0})
    return torch.optim.AdamW(groups)

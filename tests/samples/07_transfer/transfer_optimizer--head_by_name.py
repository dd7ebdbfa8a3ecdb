"""The head's parameters recognised by 'head' in their names."""
# expect: test_transfer_optimizer: the head trained at backbone_lr (its parameters were not recognised as the head's)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    head_params = [p for n, p in trainable if n.startswith("head")]
    backbone_params = [p for n, p in trainable if not n.startswith("head")]
    groups = [{"params": ps, "lr": lr} for ps, lr in ((head_params, head_lr), (backbone_params, backbone_lr)) if ps]
    return torch.optim.AdamW(groups, weight_decay=weight_decay)

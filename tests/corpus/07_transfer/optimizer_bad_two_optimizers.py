"""One optimizer per part, returned as a list."""
# verdict: test_transfer_optimizer: fail: returned a list, not an optimizer
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
    optimizers = [torch.optim.AdamW([p for p in head.parameters() if p.requires_grad], lr=head_lr,
                                    weight_decay=weight_decay)]
    if backbone_params:
        optimizers.append(torch.optim.AdamW(backbone_params, lr=backbone_lr, weight_decay=weight_decay))
    return optimizers

"""Two groups by learning rate, one weight_decay for all: biases, norms and the tokens decayed too."""
# expect: test_transfer_optimizer: norms and biases decayed (one weight decay for every parameter)
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = {id(p) for p in head.parameters()}
    head_params = [p for p in head.parameters() if p.requires_grad]
    backbone_params = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
    groups = [{"params": ps, "lr": lr} for ps, lr in ((head_params, head_lr), (backbone_params, backbone_lr)) if ps]
    return torch.optim.AdamW(groups, weight_decay=weight_decay)

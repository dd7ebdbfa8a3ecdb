"""AdamW built on the head, the backbone added with add_param_group when it has anything to train."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_params = [p for p in head.parameters() if p.requires_grad]
    head_set = set(head.parameters())
    rest = [p for p in model.parameters() if p.requires_grad and p not in head_set]
    optimizer = torch.optim.AdamW(head_params, lr=head_lr, weight_decay=weight_decay)
    if rest:
        optimizer.add_param_group({"params": rest, "lr": backbone_lr})
    return optimizer

"""All trainable parameters at the head's learning rate."""
# expect: test_transfer_optimizer: the whole model at the head's learning rate
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    return torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=head_lr,
                             weight_decay=weight_decay)

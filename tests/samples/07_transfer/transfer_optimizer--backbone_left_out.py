"""Only the head in the optimizer (split by decay), even when fine-tuning everything."""
# expect: test_transfer_optimizer: a trainable parameter left out
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    decay = [p for p in head.parameters() if p.requires_grad and p.ndim >= 2]
    no_decay = [p for p in head.parameters() if p.requires_grad and p.ndim < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=head_lr)

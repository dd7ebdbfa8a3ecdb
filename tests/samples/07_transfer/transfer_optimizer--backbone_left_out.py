"""Only the head in the optimizer, even when fine-tuning everything."""
# expect: test_transfer_optimizer: a trainable parameter left out
# %% transfer_optimizer
def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    return torch.optim.AdamW(head.parameters(), lr=head_lr, weight_decay=weight_decay)

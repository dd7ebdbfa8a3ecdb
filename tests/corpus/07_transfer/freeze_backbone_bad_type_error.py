"""A head from another model rejected with a TypeError."""
# verdict: test_freeze_backbone: fail: expected a ValueError, but your code raised TypeError
# %% freeze_backbone
def freeze_backbone(model, head):
    if head not in list(model.modules()):
        raise TypeError("head must belong to model")
    for p in model.parameters():
        p.requires_grad_(False)
    for p in head.parameters():
        p.requires_grad_(True)
    model.eval()
    head.train()

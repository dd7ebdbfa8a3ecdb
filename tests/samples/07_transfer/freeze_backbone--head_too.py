"""Every parameter frozen, the head's included."""
# expect: test_freeze_backbone: the head frozen too (nothing left to train)
# %% freeze_backbone
def freeze_backbone(model, head):
    for p in model.parameters():
        p.requires_grad_(False)
    model.eval()
    head.train()

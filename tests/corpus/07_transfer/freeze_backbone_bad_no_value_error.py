"""Right flags and modes, but a head from another model is accepted silently."""
# verdict: test_freeze_backbone: fail: accepted silently (no ValueError)
# %% freeze_backbone
def freeze_backbone(model, head):
    for p in model.parameters():
        p.requires_grad = False
    for p in head.parameters():
        p.requires_grad = True
    model.eval()
    head.train()

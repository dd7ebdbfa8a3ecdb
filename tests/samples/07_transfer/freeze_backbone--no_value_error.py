"""Flags and modes right, but a head from another model is accepted without a word."""
# expect: test_freeze_backbone: a head that is not part of the model accepted silently (no ValueError)
# %% freeze_backbone
def freeze_backbone(model, head):
    head_parameters = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in head_parameters)
    model.eval()
    head.train()

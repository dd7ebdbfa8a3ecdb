"""The whole model in eval mode, head included."""
# expect: test_freeze_backbone: the head put in eval mode too (its dropout is off while it trains)
# %% freeze_backbone
def freeze_backbone(model, head):
    head_parameters = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in head_parameters)
    model.eval()

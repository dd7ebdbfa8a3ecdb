"""Gradients off, but the backbone stays in train mode."""
# expect: test_freeze_backbone: frozen backbone left in train mode (dropout on, BatchNorm statistics still moving)
# %% freeze_backbone
def freeze_backbone(model, head):
    head_parameters = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in head_parameters)

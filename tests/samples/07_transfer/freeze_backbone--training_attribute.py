"""The modes set by assigning the training attribute: only the model's own flag changes."""
# expect: test_freeze_backbone: model.training = False changes the model's own flag only (every submodule stays in train mode)
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not part of model")
    for p in model.parameters():
        p.requires_grad = False
    for p in head.parameters():
        p.requires_grad = True
    model.training = False
    head.training = True

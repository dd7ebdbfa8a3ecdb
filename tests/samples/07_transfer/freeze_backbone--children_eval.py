"""Every child except the head switched to eval; the model itself stays in train mode."""
# expect: test_freeze_backbone: the model itself left in train mode (only its children were switched to eval)
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not part of model")
    head_parameters = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in head_parameters)
    for child in model.children():
        if child is not head:
            child.eval()
    head.train()

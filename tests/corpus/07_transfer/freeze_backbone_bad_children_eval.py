"""Eval mode set child by child: the model itself stays in train mode."""
# verdict: test_freeze_backbone: fail: still in train mode outside the head: the model itself
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not in model")
    head_ids = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in head_ids)
    for child in model.children():
        if child is not head:
            child.eval()

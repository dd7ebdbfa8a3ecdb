"""Membership tested with `p in head.parameters()` (compares tensors by value)."""
# verdict: test_freeze_backbone: fail: your code raised RuntimeError
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not in model")
    for p in model.parameters():
        if p not in head.parameters():
            p.requires_grad = False
    model.eval()
    head.train()

"""Only the modules outside the head are switched to eval; the head is assumed to be training already."""
# verdict: test_freeze_backbone: fail: in eval mode although part of the head
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not in model")
    head_modules = list(head.modules())
    for p in model.parameters():
        p.requires_grad = False
    for p in head.parameters():
        p.requires_grad = True
    for m in model.modules():
        if m not in head_modules:
            m.eval()

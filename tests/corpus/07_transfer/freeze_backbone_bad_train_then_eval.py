"""head.train() called before model.eval(), which switches the head back."""
# verdict: test_freeze_backbone: fail: in eval mode although part of the head 'head': head
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not in model")
    head_params = set(map(id, head.parameters()))
    for p in model.parameters():
        p.requires_grad_(id(p) in head_params)
    head.train()
    model.eval()

"""The head recognised by its parameters' names starting with "head"."""
# verdict: test_freeze_backbone: fail: frozen although they belong to the head 'classifier'
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not in model")
    for name, p in model.named_parameters():
        p.requires_grad = name.startswith("head")
    model.eval()
    head.train()

"""The head's parameters told apart with `p in list(head.parameters())`."""
# expect: test_freeze_backbone: parameters compared with `in` (it compares tensors by value, not by identity)
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not part of model")
    head_params = list(head.parameters())
    for p in model.parameters():
        p.requires_grad = p in head_params
    model.eval()
    head.train()

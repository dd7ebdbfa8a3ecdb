"""Only the parameters outside the head are touched: the head keeps whatever flag it had."""
# expect: test_freeze_backbone: the head's parameters left frozen as they arrived (requires_grad never set to True)
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not part of model")
    head_parameters = {id(p) for p in head.parameters()}
    for p in model.parameters():
        if id(p) not in head_parameters:
            p.requires_grad = False
    model.eval()
    head.train()

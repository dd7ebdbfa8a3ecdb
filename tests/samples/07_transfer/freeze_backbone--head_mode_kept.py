"""Only the modules outside the head switched to eval: the head keeps whatever mode it had."""
# expect: test_freeze_backbone: the head left in the mode it arrived in (head.train() never called)
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not part of model")
    inside = set(head.modules())
    head_parameters = {id(p) for p in head.parameters()}
    for p in model.parameters():
        p.requires_grad_(id(p) in head_parameters)
    for m in model.modules():
        if m not in inside:
            m.training = False

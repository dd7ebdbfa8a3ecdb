"""Parameter ids of the head from a helper in an added cell; model.eval() then head.train()."""
# verdict: test_freeze_backbone: pass
# %% freeze_backbone
def freeze_backbone(model, head):
    check_head_in(model, head)
    keep = ids_of(head.parameters())
    for p in model.parameters():
        p.requires_grad_(id(p) in keep)
    model.eval()
    head.train()
# %% +freeze_backbone
def ids_of(tensors):
    return {id(t) for t in tensors}


def check_head_in(model, head):
    for module in model.modules():
        if module is head:
            return
    raise ValueError("head is not a submodule of model")

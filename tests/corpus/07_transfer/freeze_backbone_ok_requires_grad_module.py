"""Module.requires_grad_ on the whole model, then on the head; train(False) / train(True)."""
# verdict: test_freeze_backbone: pass
# %% freeze_backbone
def freeze_backbone(model, head):
    if head not in set(model.modules()):
        raise ValueError("freeze_backbone: head must be a submodule of model")
    model.requires_grad_(False)
    model.train(False)
    head.requires_grad_(True)
    head.train(True)

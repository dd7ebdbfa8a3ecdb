"""model.apply with a visitor that sets each module's own parameters and mode."""
# verdict: test_freeze_backbone: pass
# %% freeze_backbone
def freeze_backbone(model, head):
    if not any(m is head for m in model.modules()):
        raise ValueError("head is not part of this model")
    head_modules = set(head.modules())

    def visit(module):
        inside = module in head_modules
        module.training = inside
        for p in module.parameters(recurse=False):
            p.requires_grad_(inside)

    model.apply(visit)

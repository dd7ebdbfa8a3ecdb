"""The head's name found by identity, then flags and modes set by name (no .eval()/.train() calls)."""
# verdict: test_freeze_backbone: pass
# %% freeze_backbone
def freeze_backbone(model, head):
    prefix = next((n for n, m in model.named_modules() if m is head), None)
    if prefix is None:
        raise ValueError("head is not a submodule of model")

    def in_head(name):
        return name == prefix or name.startswith(prefix + ".")

    for name, p in model.named_parameters():
        p.requires_grad = in_head(name)
    for name, m in model.named_modules():
        m.training = in_head(name)

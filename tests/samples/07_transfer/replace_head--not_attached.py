"""A new head built and returned, but the model keeps the old one."""
# expect: test_replace_head: the new head never put into the model (only returned)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    return nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)

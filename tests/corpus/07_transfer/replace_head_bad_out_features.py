"""The new head's input width taken from the old head's out_features."""
# verdict: test_replace_head: fail: the old head's out_features
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.out_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    parent_name, _, last = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, last, new)
    return new

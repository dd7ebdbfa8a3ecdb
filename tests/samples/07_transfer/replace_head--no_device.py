"""The new head gets the old head's dtype but not its device: it stays on the CPU."""
# expect: test_replace_head: the new head left on the default device (the CPU) while the model is elsewhere
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, dtype=old.weight.dtype)
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return new

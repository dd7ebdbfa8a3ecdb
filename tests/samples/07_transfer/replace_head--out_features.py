"""in_features read from the old head's out_features."""
# expect: test_replace_head: in_features taken from the old head's out_features
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.out_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return new

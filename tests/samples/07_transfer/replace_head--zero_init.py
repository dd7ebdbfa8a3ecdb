"""The new head starts from zeros ("so it does not disturb the pretrained features")."""
# expect: test_replace_head: the new head is not randomly initialised (every weight has the same value)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    nn.init.zeros_(new.weight)
    nn.init.zeros_(new.bias)
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return new

"""A small constant initialisation of the new head ("every class starts equal")."""
# verdict: test_replace_head: fail: not randomly initialised
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    nn.init.constant_(new.weight, 0.01)
    parent_name, _, last = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, last, new)
    return new

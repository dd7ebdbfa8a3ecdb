"""The head replaced, then the model returned ("so calls can be chained")."""
# expect: test_replace_head: the model returned instead of the new head
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return model

"""The head replaced correctly, but the model returned instead of the head."""
# verdict: test_replace_head: fail: returned the ProbeNet itself
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    parent_name, _, last = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, last, new)
    return model

"""The new head ends in a LogSoftmax."""
# verdict: test_replace_head: fail: is a Sequential, not an nn.Linear
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    linear = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    new = nn.Sequential(linear, nn.LogSoftmax(dim=1))
    parent_name, _, last = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, last, new)
    return new

"""The new head ends in a softmax."""
# expect: test_replace_head: a softmax or log-softmax added to the new head (it must return logits)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Sequential(nn.Linear(old.in_features, num_classes, dtype=old.weight.dtype), nn.Softmax(dim=-1))
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return new

"""The new head keeps the old head's rows for the classes both have ("a warm start")."""
# expect: test_replace_head: the new head starts from the old head's weights (copied, not randomly initialised)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    n = min(num_classes, old.out_features)
    with torch.no_grad():
        new.weight[:n] = old.weight[:n]
        new.bias[:n] = old.bias[:n]
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return new

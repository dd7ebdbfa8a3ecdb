"""The new head always made float64 ("more precise"), whatever the model's dtype."""
# verdict: test_replace_head: fail: the new head is torch.float64 while the model is torch.float32
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device).double()
    parent_name, _, last = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, last, new)
    return new

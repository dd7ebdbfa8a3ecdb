"""The new head always stored as model.head, whatever name it was given."""
# expect: test_replace_head: the new head put under another name than the one given (the model still uses its old head)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    model.head = new
    return new

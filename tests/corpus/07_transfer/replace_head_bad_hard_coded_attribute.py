"""The new head always assigned to model.head, whatever the name."""
# verdict: test_replace_head: fail: your new head is in the model at 'head', not at 'heads.head'
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    model.head = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    return model.head

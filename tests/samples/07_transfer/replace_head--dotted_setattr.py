"""setattr(model, "heads.head", new): a module literally named "heads.head", unused by forward."""
# expect: test_replace_head: setattr with a dotted name (the new head sits beside the model's layers, unused)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    setattr(model, name, new)
    return new

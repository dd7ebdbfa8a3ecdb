"""The new head is built with the default dtype, whatever the model's."""
# expect: test_replace_head: the new head's dtype is not the model's (float32 and float64 mixed)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes)
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return new

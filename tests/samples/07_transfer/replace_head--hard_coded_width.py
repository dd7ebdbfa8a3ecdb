"""in_features written as the course ViT's width instead of read from the old head."""
# expect: test_replace_head: in_features hard-coded (the head does not fit this backbone's width)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = nn.Linear(64, num_classes, dtype=old.weight.dtype)
    parent_name, _, last = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, last, new)
    return new

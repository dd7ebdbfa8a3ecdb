"""A copy of the old head with out_features set to num_classes: the attribute changes, the weight does not."""
# expect: test_replace_head: the new head keeps the old head's number of outputs (its weight has the old head's shape)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    import copy

    parent_name, _, child = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    new = copy.deepcopy(getattr(parent, child))
    new.out_features = num_classes
    new.reset_parameters()
    setattr(parent, child, new)
    return new

"""A deep copy of the old head with out_features changed (the weight keeps the old shape)."""
# verdict: test_replace_head: fail: it needs num_classes=3
# %% replace_head
import copy


def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    new = copy.deepcopy(old)
    new.out_features = num_classes
    new.reset_parameters()
    parent_name, _, last = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, last, new)
    return new

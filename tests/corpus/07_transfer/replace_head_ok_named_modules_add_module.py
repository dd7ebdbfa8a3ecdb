"""Modules looked up in dict(model.named_modules()), the width read from the weight's shape, add_module."""
# verdict: test_replace_head: pass
# %% replace_head
def replace_head(model, num_classes, name="head"):
    modules = dict(model.named_modules())
    old = modules[name]
    parent_name = name.rsplit(".", 1)[0] if "." in name else ""
    factory = {"device": old.weight.device, "dtype": old.weight.dtype}
    new = nn.Linear(old.weight.shape[1], num_classes, **factory)
    modules[parent_name].add_module(name.split(".")[-1], new)
    return new

"""timm's head initialisation (truncated normal weights, zero bias) and a helper in a cell of its own."""
# verdict: test_replace_head: pass
# %% replace_head
def replace_head(model, num_classes, name="head"):
    parent, leaf = parent_and_leaf(model, name)
    old = getattr(parent, leaf)
    new = nn.Linear(old.in_features, num_classes, bias=True, device=old.weight.device, dtype=old.weight.dtype)
    nn.init.trunc_normal_(new.weight, std=0.02)
    nn.init.zeros_(new.bias)
    setattr(parent, leaf, new)
    return new
# %% +replace_head
def parent_and_leaf(model, dotted):
    """The module that holds `dotted`, and the last part of the name."""
    parts = dotted.split(".")
    parent = model
    for part in parts[:-1]:
        parent = parent.get_submodule(part)
    return parent, parts[-1]

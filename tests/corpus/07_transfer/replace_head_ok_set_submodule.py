"""nn.Linear built with positional arguments under torch.no_grad(), placed with Module.set_submodule."""
# verdict: test_replace_head: pass
# %% replace_head
def replace_head(model, num_classes, name="head"):
    old = model.get_submodule(name)
    with torch.no_grad():
        new = nn.Linear(old.in_features, num_classes, old.bias is not None, old.weight.device, old.weight.dtype)
    model.set_submodule(name, new)
    return new

"""The parent found with functools.reduce over getattr, the new head moved with .to(device, dtype)."""
# verdict: test_replace_head: pass
# %% replace_head
import functools


def replace_head(model, num_classes, name="head"):
    *path, last = name.split(".")
    parent = functools.reduce(getattr, path, model)
    old = getattr(parent, last)
    new = nn.Linear(old.in_features, num_classes).to(device=old.weight.device, dtype=old.weight.dtype)
    setattr(parent, last, new)
    return new

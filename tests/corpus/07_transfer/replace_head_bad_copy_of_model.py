"""The head replaced in a copy of the model ("so the pretrained model stays intact")."""
# verdict: test_replace_head: fail: only returned
# %% replace_head
import copy


def replace_head(model, num_classes, name="head"):
    model = copy.deepcopy(model)
    old = model.get_submodule(name)
    new = nn.Linear(old.in_features, num_classes, device=old.weight.device, dtype=old.weight.dtype)
    parent_name, _, last = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, last, new)
    return new

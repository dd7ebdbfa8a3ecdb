"""Returns the two lists in a dict keyed by their decay instead of a list of groups."""
# expect: test_parameter_groups: a dict returned where a list of groups is expected
# %% parameter_groups
def parameter_groups(model, weight_decay):
    groups = {"decay": [], "no_decay": []}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if p.ndim < 2 or any(k in name for k in ("cls_token", "class_token", "pos_embed")):
            groups["no_decay"].append(p)
        else:
            groups["decay"].append(p)
    return groups

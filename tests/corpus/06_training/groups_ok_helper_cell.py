"""A helper deciding per parameter in an added cell; groups built in a dict keyed by the decay."""
# verdict: test_parameter_groups: pass
# %% parameter_groups
def parameter_groups(model, weight_decay):
    by_decay = {weight_decay: [], 0.0: []}
    for name, param in model.named_parameters():
        if param.requires_grad:
            by_decay[weight_decay if takes_decay(name, param) else 0.0].append(param)
    return [{"params": params, "weight_decay": wd} for wd, params in by_decay.items() if len(params) > 0]
# %% +parameter_groups
def takes_decay(name, param):
    """Weight matrices and kernels decay; vectors and the two embeddings do not."""
    if "cls_token" in name or "class_token" in name or "pos_embed" in name:
        return False
    return len(param.shape) >= 2

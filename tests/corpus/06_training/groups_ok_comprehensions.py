"""Two list comprehensions over named_parameters, frozen ones filtered first, empty groups dropped."""
# verdict: test_parameter_groups: pass
# %% parameter_groups
def parameter_groups(model, weight_decay):
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    no_decay_names = ("cls_token", "class_token", "pos_embed")
    decay = [p for n, p in trainable if p.dim() >= 2 and not any(k in n for k in no_decay_names)]
    rest = [p for n, p in trainable if p.dim() < 2 or any(k in n for k in no_decay_names)]
    groups = []
    if decay:
        groups.append({"params": decay, "weight_decay": weight_decay})
    if rest:
        groups.append({"params": rest, "weight_decay": 0})
    return groups

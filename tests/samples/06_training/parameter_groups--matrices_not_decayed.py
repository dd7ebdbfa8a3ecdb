"""p.ndim > 2 where p.ndim >= 2 belongs: the linear layers' 2-D weights are not decayed."""
# expect: test_parameter_groups: 2-D weight matrices not decayed (p.ndim > 2 where p.ndim >= 2 belongs)
# %% parameter_groups
def parameter_groups(model, weight_decay):
    embeddings = ("cls_token", "class_token", "pos_embed")
    trained = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in trained if p.ndim > 2 and not any(k in n for k in embeddings)]
    no_decay = [p for n, p in trained if not (p.ndim > 2 and not any(k in n for k in embeddings))]
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}) if g["params"]]

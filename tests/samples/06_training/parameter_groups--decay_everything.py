"""weight decay on norms and biases (every parameter decays)"""
# expect: test_parameter_groups: weight decay on norms and biases (every parameter decays)
# %% parameter_groups
def parameter_groups(model, weight_decay):
    return [{"params": list(model.parameters()), "weight_decay": weight_decay}]

"""The pretrained head is handed back as it is."""
# expect: test_replace_head: the old head kept (the model still predicts the old classes)
# %% replace_head
def replace_head(model, num_classes, name="head"):
    return model.get_submodule(name)

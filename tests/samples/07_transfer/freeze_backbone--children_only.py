"""Freezes the child modules except the head, missing the model's own parameters (class token)."""
# expect: test_freeze_backbone: the class token still trains (only the child modules were frozen)
# %% freeze_backbone
def freeze_backbone(model, head):
    for child in model.children():
        if child is not head and head not in list(child.modules()):
            for p in child.parameters():
                p.requires_grad_(False)
    model.eval()
    head.train()

"""Only the modes are set; every parameter keeps requires_grad=True."""
# expect: test_freeze_backbone: backbone still receiving gradients (nothing frozen)
# %% freeze_backbone
def freeze_backbone(model, head):
    model.eval()
    head.train()

"""model.training = False sets the top module only: Dropout and BatchNorm inside stay in train mode"""
# expect: test_evaluate: model.training = False instead of model.eval() (the submodules stay in train mode)
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.training = False
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images.to(device))
            total_loss += F.cross_entropy(logits, labels.to(device), reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels.to(device)).sum().item()
            seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / seen, "accuracy": correct / seen}

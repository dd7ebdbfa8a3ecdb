"""evaluation with gradients on"""
# expect: test_evaluate: evaluation with gradients on
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        logits = model(images.to(device))
        total_loss += F.cross_entropy(logits, labels.to(device), reduction="sum").item()
        correct += (logits.argmax(dim=1) == labels.to(device)).sum().item()
        seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / seen, "accuracy": correct / seen}

"""Accumulates tensors and returns them: a loss and an accuracy that are tensors."""
# verdict: test_evaluate: fail: Python float
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    total_loss, correct, seen = torch.tensor(0.0), torch.tensor(0), 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels, reduction="sum")
            correct += (logits.argmax(dim=1) == labels).sum()
            seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / seen, "accuracy": correct / seen}

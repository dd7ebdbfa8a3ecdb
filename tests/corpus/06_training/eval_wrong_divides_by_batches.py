"""Sums the per-image losses but divides by the number of batches."""
# verdict: test_evaluate: fail: the loss you returned
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / len(loader), "accuracy": correct / seen}

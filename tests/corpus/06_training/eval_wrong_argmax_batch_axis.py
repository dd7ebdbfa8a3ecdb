"""argmax over the batch axis (dim=0) instead of the classes."""
# verdict: test_evaluate: fail: the accuracy you returned
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            predictions = logits.argmax(dim=0)
            correct += (predictions == labels[: len(predictions)]).sum().item()
            seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / seen, "accuracy": correct / seen}

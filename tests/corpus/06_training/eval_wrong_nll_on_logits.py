"""F.nll_loss on the logits, without the log-softmax it expects."""
# verdict: test_evaluate: fail: the loss you returned
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += F.nll_loss(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / seen, "accuracy": correct / seen}

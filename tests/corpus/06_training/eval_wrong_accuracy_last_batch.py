"""The accuracy of the last batch only (a variable overwritten in the loop)."""
# verdict: test_evaluate: fail: the accuracy you returned
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    total_loss, seen = 0.0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
            seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / seen, "accuracy": accuracy}

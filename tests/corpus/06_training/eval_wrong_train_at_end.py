"""Calls model.train() at the end whatever the mode was: a model that came in eval mode leaves in train mode."""
# verdict: test_evaluate: fail: mode not restored
# %% evaluate
def evaluate(model, loader, device):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    model.train()
    return {"loss": total_loss / seen, "accuracy": correct / seen}

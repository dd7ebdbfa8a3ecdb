"""mode not restored after evaluation"""
# expect: test_evaluate: mode not restored after evaluation
# %% evaluate
def evaluate(model, loader, device):
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images.to(device))
            total_loss += F.cross_entropy(logits, labels.to(device), reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels.to(device)).sum().item()
            seen += len(labels)
    return {"loss": total_loss / seen, "accuracy": correct / seen}

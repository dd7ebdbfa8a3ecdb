"""Divides by len(loader.dataset); mean loss per batch times the batch size."""
# verdict: test_evaluate: pass
# %% evaluate
def evaluate(model, loader, device):
    previous = model.training
    model.eval()
    total_loss = 0.0
    total_correct = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels).item() * labels.size(0)
            total_correct += logits.argmax(dim=1).eq(labels).sum().item()
    if previous:
        model.train()
    return {"loss": total_loss / len(loader.dataset), "accuracy": total_correct / len(loader.dataset)}

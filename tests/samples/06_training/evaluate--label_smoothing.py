"""the evaluation loss computed with the training's label smoothing"""
# expect: test_evaluate: label smoothing in evaluation
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            total_loss += F.cross_entropy(logits, labels, label_smoothing=0.1).item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    model.train(was_training)
    return {"loss": total_loss / seen, "accuracy": correct / seen}

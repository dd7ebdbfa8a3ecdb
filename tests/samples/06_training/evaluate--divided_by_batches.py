"""Sums over the images, then divides by len(loader), the number of batches."""
# expect: test_evaluate: a total divided by the number of batches instead of the number of images
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += (logits.argmax(dim=1) == labels).sum().item()
    model.train(was_training)
    return {"loss": loss_sum / len(loader), "accuracy": correct / len(loader)}

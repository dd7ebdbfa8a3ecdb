"""mean of batch means"""
# expect: test_evaluate: mean of batch means
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    losses, accuracies = [], []
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images.to(device))
            losses.append(F.cross_entropy(logits, labels.to(device)).item())
            accuracies.append((logits.argmax(dim=1) == labels.to(device)).float().mean().item())
    model.train(was_training)
    return {"loss": sum(losses) / len(losses), "accuracy": sum(accuracies) / len(accuracies)}

"""The loss and accuracy variables are overwritten by every batch, so only the last one is returned."""
# expect: test_evaluate: the loss or accuracy of the last batch only (overwritten in the loop, not accumulated)
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss = F.cross_entropy(logits, labels).item()
            accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    model.train(was_training)
    return {"loss": loss, "accuracy": accuracy}

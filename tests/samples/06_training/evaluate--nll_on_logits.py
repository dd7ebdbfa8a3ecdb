"""F.nll_loss on the logits: it expects log-probabilities, so the 'loss' is minus the true class's logit."""
# expect: test_evaluate: F.nll_loss on the raw logits (it expects log-probabilities)
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    loss_sum, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss_sum += F.nll_loss(logits, labels).item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    model.train(was_training)
    return {"loss": loss_sum / seen, "accuracy": correct / seen}

"""The mode handling in a context manager of its own cell."""
# verdict: test_evaluate: pass
# %% evaluate
def evaluate(model, loader, device):
    loss_sum, correct, count = 0.0, 0, 0
    with evaluation_mode(model), torch.no_grad():
        for images, labels in loader:
            logits = model(images.to(device))
            labels = labels.to(device)
            loss_sum += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += int((logits.argmax(-1) == labels).sum())
            count += len(labels)
    return {"loss": loss_sum / count, "accuracy": correct / count}
# %% +evaluate
@contextlib.contextmanager
def evaluation_mode(model):
    """model.eval() inside the block, the earlier mode restored after it."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)

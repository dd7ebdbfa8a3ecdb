"""torch.inference_mode(), all logits concatenated, one cross-entropy over the whole set, try/finally for the mode."""
# verdict: test_evaluate: pass
# %% evaluate
def evaluate(model, loader, device):
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            outputs, targets = [], []
            for images, labels in loader:
                outputs.append(model(images.to(device)))
                targets.append(labels.to(device))
            logits, labels = torch.cat(outputs), torch.cat(targets)  # (N, classes), (N,)
            loss = F.cross_entropy(logits, labels).item()
            accuracy = (logits.argmax(-1) == labels).float().mean().item()
    finally:
        model.train(was_training)
    return {"loss": loss, "accuracy": accuracy}

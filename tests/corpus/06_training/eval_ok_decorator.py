"""@torch.no_grad() on the function, nn.CrossEntropyLoss(reduction="sum"), model.train(mode=...) at the end."""
# verdict: test_evaluate: pass
# %% evaluate
@torch.no_grad()
def evaluate(model, loader, device):
    mode = model.training
    model.eval()
    criterion = nn.CrossEntropyLoss(reduction="sum")
    loss, hits, n = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        out = model(x)
        loss += criterion(out, y).item()
        hits += (out.argmax(1) == y).sum().item()
        n += y.numel()
    model.train(mode=mode)
    return {"loss": loss / n, "accuracy": hits / n}

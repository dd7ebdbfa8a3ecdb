"""nn.CrossEntropyLoss, zero_grad(set_to_none=False), totals kept as tensors and turned into floats at the end."""
# verdict: test_train_one_epoch: pass
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    criterion = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    model.train()
    loss_sum = torch.zeros((), dtype=torch.float64)
    hits = torch.zeros((), dtype=torch.long)
    count = 0
    for step, (x, y) in enumerate(loader):
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad(set_to_none=False)
        out = model(x)
        loss = criterion(out, y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=max_grad_norm)
        optimizer.step()
        scheduler.step()
        loss_sum += loss.detach().double() * y.shape[0]
        hits += (out.argmax(-1) == y).sum()
        count += y.shape[0]
        if progress:
            progress.set_postfix(loss=float(loss_sum) / count, acc=int(hits) / count, lr=optimizer.param_groups[0]["lr"])
    return {"loss": float(loss_sum / count), "accuracy": float(hits) / count}

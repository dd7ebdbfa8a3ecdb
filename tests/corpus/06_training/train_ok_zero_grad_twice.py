"""zero_grad at the end of each step, and once before the loop as well: nothing stale reaches the first step."""
# verdict: test_train_one_epoch: pass
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    optimizer.zero_grad()
    seen, correct, summed = 0, 0, 0.0
    for images, labels in loader:
        images = images.to(device)
        labels = labels.to(device)
        logits = model(images)
        loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        n = labels.numel()
        seen += n
        summed += loss.item() * n
        correct += int((logits.argmax(1) == labels).sum())
        if progress is not None:
            progress.set_postfix({"loss": summed / seen, "acc": correct / seen, "lr": scheduler.get_last_lr()[0]})
    return {"loss": summed / seen, "accuracy": correct / seen}

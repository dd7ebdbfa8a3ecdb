"""The predictions come from a second forward pass after the step, still in train mode."""
# expect: test_train_one_epoch: the model run a second time on each batch in train mode (BatchNorm counts every batch twice)
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels, label_smoothing=label_smoothing)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            predictions = model(images).argmax(dim=1)
        total_loss += loss.item() * len(labels)
        correct += (predictions == labels).sum().item()
        seen += len(labels)
        if progress is not None:
            progress.set_postfix(loss=total_loss / seen, acc=correct / seen, lr=scheduler.get_last_lr()[0])
    return {"loss": total_loss / seen, "accuracy": correct / seen}

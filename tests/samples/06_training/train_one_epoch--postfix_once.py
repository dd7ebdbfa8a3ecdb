"""The progress bar's postfix is set once, after the loop, not after every batch."""
# expect: test_train_one_epoch: the progress bar's postfix not set after every batch with loss, acc and lr
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        logits = model(images)
        loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        total_loss += loss.item() * len(labels)
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
    if progress is not None:
        progress.set_postfix(loss=total_loss / seen, acc=correct / seen, lr=scheduler.get_last_lr()[0])
    return {"loss": total_loss / seen, "accuracy": correct / seen}

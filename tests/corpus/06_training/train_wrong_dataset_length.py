"""Divides by len(loader.dataset): fit hands train_one_epoch a progress bar over batches, without one."""
# verdict: test_train_one_epoch: fail: count the images as they come
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    total_loss, correct = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        logits = model(images)
        loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        total_loss += loss.item() * len(labels)
        correct += (logits.argmax(dim=1) == labels).sum().item()
    n = len(loader.dataset)
    return {"loss": total_loss / n, "accuracy": correct / n}

"""Divides by len(loader.dataset) instead of counting the images as they come."""
# expect: test_train_one_epoch: the images counted with len(loader.dataset) instead of as they come
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    total_loss, correct = 0.0, 0
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
        if progress is not None:
            batch_acc = (logits.argmax(dim=1) == labels).float().mean().item()
            progress.set_postfix(loss=loss.item(), acc=batch_acc, lr=scheduler.get_last_lr()[0])
    images_seen = len(loader.dataset)
    return {"loss": total_loss / images_seen, "accuracy": correct / images_seen}

"""model.zero_grad(), the accuracy as a float tensor mean weighted by the batch size."""
# verdict: test_train_one_epoch: pass
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    running_loss = running_acc = 0.0
    total = 0
    for batch in loader:
        images, labels = (t.to(device) for t in batch)
        model.zero_grad()
        logits = model(images)
        loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
        scheduler.step()
        b = images.size(0)
        running_loss += loss.item() * b
        running_acc += (logits.argmax(1) == labels).float().mean().item() * b
        total += b
        if progress is not None:
            progress.set_postfix(loss=running_loss / total, acc=running_acc / total, lr=scheduler.get_last_lr()[0])
    return dict(loss=running_loss / total, accuracy=running_acc / total)

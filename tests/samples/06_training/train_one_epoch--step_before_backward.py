"""optimizer.step() and zero_grad() before loss.backward(): the weights change under the saved graph."""
# expect: test_train_one_epoch: optimizer.step() before loss.backward() (the step changes weights the backward needs)
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        logits = model(images)
        loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        total_loss += loss.item() * len(labels)
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
        if progress is not None:
            progress.set_postfix(loss=total_loss / seen, acc=correct / seen, lr=scheduler.get_last_lr()[0])
    return {"loss": total_loss / seen, "accuracy": correct / seen}

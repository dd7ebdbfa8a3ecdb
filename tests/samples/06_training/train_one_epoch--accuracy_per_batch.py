"""training accuracy averaged over batches: the smaller last batch counts as much as a full one"""
# expect: test_train_one_epoch: mean of batch means
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    total_loss, seen, accuracies = 0.0, 0, []
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
        accuracies.append((logits.argmax(dim=1) == labels).float().mean().item())
        seen += len(labels)
        if progress is not None:
            progress.set_postfix(loss=total_loss / seen, acc=sum(accuracies) / len(accuracies), lr=scheduler.get_last_lr()[0])
    return {"loss": total_loss / seen, "accuracy": sum(accuracies) / len(accuracies)}

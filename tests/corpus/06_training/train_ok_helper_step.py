"""One training step in a helper of its own cell; gradients cleared by setting them to None."""
# verdict: test_train_one_epoch: pass
# %% train_one_epoch
def train_one_epoch(model, loader, optimizer, scheduler, device, label_smoothing=0.1, max_grad_norm=1.0,
                    progress=None):
    model.train()
    totals = {"loss": 0.0, "correct": 0, "images": 0}
    for images, labels in loader:
        loss, correct = training_step(model, images.to(device), labels.to(device), optimizer, label_smoothing,
                                      max_grad_norm)
        scheduler.step()
        totals["loss"] += loss * len(labels)
        totals["correct"] += correct
        totals["images"] += len(labels)
        if progress is not None:
            progress.set_postfix(loss=totals["loss"] / totals["images"], acc=totals["correct"] / totals["images"],
                                 lr=scheduler.get_last_lr()[0])
    return {"loss": totals["loss"] / totals["images"], "accuracy": totals["correct"] / totals["images"]}
# %% +train_one_epoch
def training_step(model, images, labels, optimizer, label_smoothing, max_grad_norm):
    """zero, forward, loss, backward, clip, step; returns (mean loss, correct predictions)."""
    for p in model.parameters():
        p.grad = None
    logits = model(images)  # (B, classes)
    loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    return loss.item(), (logits.argmax(dim=-1) == labels).sum().item()

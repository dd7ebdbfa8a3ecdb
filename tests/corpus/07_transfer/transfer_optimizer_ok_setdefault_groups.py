"""Groups collected in a dict keyed by (is it the head's, is it decayed), the names matched with a regex."""
# verdict: test_transfer_optimizer: pass
# %% transfer_optimizer
import re


def transfer_optimizer(model, head, head_lr, backbone_lr, weight_decay):
    head_ids = set(map(id, head.parameters()))
    spared = re.compile(r"(class|cls)_token|pos_embed")
    groups = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups.setdefault((id(p) in head_ids, p.ndim > 1 and not spared.search(name)), []).append(p)
    return torch.optim.AdamW(
        [{"params": ps, "lr": head_lr if is_head else backbone_lr, "weight_decay": weight_decay if decay else 0}
         for (is_head, decay), ps in groups.items()]
    )

"""A correct MLP written as one nn.Sequential whose layers keep the names fc1 and fc2."""
# verdict: test_mlp: pass
# verdict: test_block: pass
# %% mlp
from collections import OrderedDict


class MLP(nn.Module):
    """Position-wise feed-forward network: (B, N, D) -> (B, N, F) -> (B, N, D)."""

    def __init__(self, dim: int, hidden_dim: int, dropout: float = 0.0):
        super().__init__()
        self.net = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(dim, hidden_dim)),
            ("act", nn.GELU()),
            ("drop1", nn.Dropout(dropout)),
            ("fc2", nn.Linear(hidden_dim, dim)),
            ("drop2", nn.Dropout(dropout)),
        ]))
        self.fc1, self.fc2 = self.net.fc1, self.net.fc2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

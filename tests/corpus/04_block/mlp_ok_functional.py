"""A correct MLP with F.gelu and F.dropout(training=self.training) instead of modules."""
# verdict: test_mlp: pass
# verdict: test_block: pass
# %% mlp
class MLP(nn.Module):
    """Position-wise feed-forward network: (B, N, D) -> (B, N, F) -> (B, N, D)."""

    def __init__(self, dim: int, hidden_dim: int, dropout: float = 0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.p = dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.dropout(F.gelu(self.fc1(x)), p=self.p, training=self.training)
        out = self.fc2(h)
        return F.dropout(out, p=self.p, training=self.training)

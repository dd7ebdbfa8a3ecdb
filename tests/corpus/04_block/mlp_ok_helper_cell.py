"""A correct MLP that calls a GELU helper defined in a cell of its own and applies the weights with
matrix products (x @ W.T + b)."""
# verdict: test_mlp: pass
# verdict: test_block: pass
# %% +setup
def gelu(t: torch.Tensor) -> torch.Tensor:
    """The exact GELU: t * Phi(t), Phi the standard normal CDF."""
    return t * 0.5 * torch.erfc(-t / 2**0.5)
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim: int, hidden_dim: int, dropout: float = 0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.dropout(gelu(x @ self.fc1.weight.T + self.fc1.bias))  # (B, N, F)
        return self.dropout(hidden @ self.fc2.weight.T + self.fc2.bias)  # (B, N, D)

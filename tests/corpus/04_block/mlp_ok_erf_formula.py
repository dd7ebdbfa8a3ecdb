"""A correct MLP that writes the exact GELU with torch.erf, with two separate dropout modules."""
# verdict: test_mlp: pass
# verdict: test_block: pass
# %% mlp
import math


class MLP(nn.Module):
    def __init__(self, dim: int, hidden_dim: int, dropout: float = 0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.drop1 = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop2 = nn.Dropout(dropout)

    def forward(self, x):
        h = self.fc1(x)
        h = 0.5 * h * (1.0 + torch.erf(h / math.sqrt(2.0)))  # GELU(h) = h * Phi(h)
        h = self.drop1(h)
        return self.drop2(self.fc2(h))

"""A correct MLP kept in an anonymous nn.Sequential (no fc1/fc2 attributes, the two Linear layers in order)."""
# verdict: test_mlp: pass
# verdict: test_block: pass
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(dim, hidden_dim),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_dim, dim),
            nn.Dropout(dropout),
        )

    def forward(self, x):
        return self.layers(x)

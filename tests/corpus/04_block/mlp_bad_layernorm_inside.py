"""An MLP that normalises its own input first (the block already does)."""
# verdict: test_mlp: fail: normalises its input
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = self.act(self.fc1(self.norm(x)))
        return self.drop(self.fc2(self.drop(x)))

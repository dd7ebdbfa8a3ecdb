"""An MLP that adds its own skip connection (the block adds it again)."""
# expect: test_mlp: the MLP adds its input to its output (the residual belongs to the block)
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.drop(self.act(self.fc1(x)))
        return x + self.drop(self.fc2(h))

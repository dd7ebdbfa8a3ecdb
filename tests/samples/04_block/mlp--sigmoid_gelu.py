"""An MLP with the "quick GELU" shortcut, x * sigmoid(1.702 x), instead of the exact GELU."""
# expect: test_mlp: GELU approximated with a sigmoid (x * sigmoid(1.702 x))
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.fc1(x)
        return self.drop(self.fc2(self.drop(h * torch.sigmoid(1.702 * h))))

"""An MLP using the sigmoid shortcut for GELU seen in CLIP's code, x * sigmoid(1.702 x)."""
# verdict: test_mlp: fail: sigmoid
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.fc1(x)
        h = h * torch.sigmoid(1.702 * h)
        return self.drop(self.fc2(self.drop(h)))

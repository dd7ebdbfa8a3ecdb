"""An MLP that forgets the non-linearity: Linear, Dropout, Linear, Dropout (one linear map in disguise)."""
# expect: test_mlp: no activation between the two linear layers
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = self.drop(self.fc1(x))
        return self.drop(self.fc2(x))

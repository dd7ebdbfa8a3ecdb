"""An MLP that drops input features before fc1 instead of after the GELU."""
# verdict: test_mlp: fail: dropout applied to the MLP's input
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = self.act(self.fc1(self.drop(x)))
        return self.drop(self.fc2(x))

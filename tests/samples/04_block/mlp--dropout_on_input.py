"""An MLP that drops input features (dropout before fc1) rather than the activated hidden features."""
# expect: test_mlp: dropout applied to the MLP's input instead of the GELU's output
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)

    def forward(self, x):
        return self.drop(self.fc2(self.act(self.fc1(self.drop(x)))))

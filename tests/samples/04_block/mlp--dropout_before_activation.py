"""An MLP applying dropout to the pre-activation: Linear, Dropout, GELU, Linear, Dropout."""
# expect: test_mlp: dropout placed before the activation
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.drop(self.fc2(self.act(self.drop(self.fc1(x)))))

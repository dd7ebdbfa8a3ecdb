"""An MLP that creates its nn.Dropout inside forward: a fresh module is always in train mode."""
# verdict: test_mlp: fail: dropout stays active in eval mode
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.p = dropout

    def forward(self, x):
        x = nn.Dropout(self.p)(self.act(self.fc1(x)))
        x = nn.Dropout(self.p)(self.fc2(x))
        return x

"""An MLP calling F.dropout without training=self.training: dropout never switches off."""
# expect: test_mlp: dropout stays active in eval mode
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        p = self.drop.p
        x = F.dropout(self.act(self.fc1(x)), p)
        return F.dropout(self.fc2(x), p)

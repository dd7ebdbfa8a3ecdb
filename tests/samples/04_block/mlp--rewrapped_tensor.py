"""An MLP that re-wraps its hidden features with torch.tensor(...): the copy has no gradient history."""
# expect: test_mlp: the gradient is cut in forward (.detach(), .data, torch.no_grad() or a NumPy round trip)
# %% mlp
class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = torch.tensor(self.act(self.fc1(x)).tolist())
        return self.drop(self.fc2(self.drop(h)))

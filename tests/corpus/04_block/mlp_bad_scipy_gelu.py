"""An MLP computing the exact GELU with scipy's erf: the NumPy round trip cuts the gradient."""
# verdict: test_mlp: fail: the gradient is cut
# %% mlp
from scipy.special import erf


class MLP(nn.Module):
    def __init__(self, dim, hidden_dim, dropout=0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.fc1(x).detach().numpy()
        h = torch.from_numpy(0.5 * h * (1 + erf(h / np.sqrt(2)))).float()
        return self.drop(self.fc2(self.drop(h)))
# %% +setup
import numpy as np

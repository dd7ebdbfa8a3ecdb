"""R = kron(diag(cos), I) + kron(diag(sin), J) with J the 2x2 quarter turn, computed in float32."""
# verdict: test_rotation: pass
# %% rotation
import math


def rotation_for_offset(offset, dim):
    w = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    angle = offset * w
    eye = torch.eye(2)
    quarter = torch.tensor([[0.0, 1.0], [-1.0, 0.0]])
    return torch.kron(torch.diag(torch.cos(angle)), eye) + torch.kron(torch.diag(torch.sin(angle)), quarter)

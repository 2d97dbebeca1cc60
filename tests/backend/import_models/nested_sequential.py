"""An MLP written as nn.Sequential stages inside an nn.Sequential (hidden stages repeated)."""

import torch.nn as nn


def stage(n_in, n_out, p=0.2):
    return nn.Sequential(nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out), nn.ReLU(), nn.Dropout(p))


class DeepMLP(nn.Module):
    def __init__(self, n_in=20, hidden=32, n_out=4):
        super().__init__()
        self.net = nn.Sequential(
            stage(n_in, hidden),
            nn.Sequential(stage(hidden, hidden), stage(hidden, hidden)),
            stage(hidden, hidden // 2, p=0.1),
            nn.Linear(hidden // 2, n_out),
        )

    def forward(self, x):
        return self.net(x)

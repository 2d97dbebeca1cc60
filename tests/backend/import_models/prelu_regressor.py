"""A small CNN regressor with learned PReLU slopes, Mish, and a Softplus head that keeps its
predictions positive (counts, rates)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class CountRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.act1 = nn.PReLU(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.act2 = nn.PReLU()
        self.fc1 = nn.Linear(16 * 7 * 7, 32)
        self.fc2 = nn.Linear(32, 1)
        self.out = nn.Softplus(beta=2.0)

    def forward(self, x):
        x = F.max_pool2d(self.act1(self.conv1(x)), 2)
        x = self.act2(self.conv2(x))
        x = torch.flatten(x, 1)
        x = F.mish(self.fc1(x))
        return self.out(self.fc2(x))

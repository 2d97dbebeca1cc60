"""A multilayer perceptron whose hidden layers come from a constructor argument."""

import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, in_features, hidden, out_features, p_drop=0.1):
        super().__init__()
        sizes = [in_features] + list(hidden)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.norms = nn.ModuleList(nn.BatchNorm1d(b) for b in hidden)
        self.out = nn.Linear(sizes[-1], out_features)
        self.p_drop = p_drop

    def forward(self, x):
        x = x.flatten(1)
        for layer, norm in zip(self.layers, self.norms):
            x = F.dropout(F.relu(norm(layer(x))), self.p_drop, training=self.training)
        return F.softmax(self.out(x), dim=-1)

"""A denoising autoencoder: noise is added to the input while training only."""

import torch
from torch import nn


class GaussianNoise(nn.Module):
    def __init__(self, sigma=0.3):
        super().__init__()
        self.sigma = sigma

    def forward(self, x):
        if self.training and self.sigma != 0:
            x = x + torch.randn_like(x) * self.sigma
        return x


class DenoisingAE(nn.Module):
    def __init__(self, n_in=64, code=16):
        super().__init__()
        self.noise = GaussianNoise(0.2)
        self.encode = nn.Sequential(nn.Linear(n_in, 32), nn.ReLU(), nn.Linear(32, code))
        self.decode = nn.Sequential(nn.ReLU(), nn.Linear(code, 32), nn.ReLU(),
                                    nn.Linear(32, n_in))

    def forward(self, x):
        return self.decode(self.encode(self.noise(x)))

"""Small torch modules for layers that torch.nn lacks.

This file imports nothing but torch: the Python exporter copies these classes verbatim into
exported code, so exported models run with torch alone.
"""

import torch
from torch import nn


class Reshape(nn.Module):
    """Reshape each sample to `shape` (the batch dimension is kept)."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class GaussianNoise(nn.Module):
    """Add N(0, std^2) noise while training; identity at evaluation time."""

    def __init__(self, std):
        super().__init__()
        self.std = std

    def forward(self, x):
        if self.training and self.std > 0:
            return x + torch.randn_like(x) * self.std
        return x


class Step(nn.Module):
    """The perceptron's threshold: 1 where x > 0, else 0.

    Its true derivative is zero everywhere (backward still runs, giving zeros); with
    straight_through the backward pass treats it as the identity, so the layers before it
    can still learn.
    """

    def __init__(self, straight_through=True):
        super().__init__()
        self.straight_through = straight_through

    def forward(self, x):
        y = (x > 0).to(x.dtype)
        return x + (y - x).detach() if self.straight_through else y + 0 * x


class Sampling(nn.Module):
    """VAE reparameterisation: z = mu + exp(log_var / 2) * eps while training, mu otherwise.

    Each call also stores the KL divergence of N(mu, exp(log_var)) from N(0, I): `self.kl`,
    summed over the latent values and averaged over the batch (a VAE's loss adds
    beta * kl), and `self.kl_per_dim`, the batch mean per latent value."""

    def forward(self, mu, log_var):
        kl = 0.5 * (mu.pow(2) + log_var.exp() - 1.0 - log_var)
        self.kl_per_dim = kl.mean(dim=0)
        self.kl = kl.flatten(1).sum(dim=1).mean()
        if self.training:
            return mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        return mu


class GlobalAvgPool(nn.Module):
    """Average over every spatial/time axis: (B, C, ...) -> (B, C)."""

    def forward(self, x):
        return x.flatten(2).mean(dim=2)


class GlobalMaxPool(nn.Module):
    """Maximum over every spatial/time axis: (B, C, ...) -> (B, C)."""

    def forward(self, x):
        return x.flatten(2).amax(dim=2)


class Recurrent(nn.Module):
    """An RNN/LSTM/GRU over (B, T, F) returning all steps (B, T, H) or the last (B, H)."""

    def __init__(self, cell, input_size, units, num_layers, bidirectional, dropout, sequences):
        super().__init__()
        kind = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = kind(input_size, units, num_layers=num_layers, batch_first=True,
                        bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        self.sequences = sequences

    def forward(self, x):
        out, _ = self.rnn(x)
        return out if self.sequences else out[:, -1]


class RepeatedBlock(nn.ModuleList):
    """Copies of a block with several inputs, each taking the previous copy's outputs."""

    def forward(self, *xs):
        for block in self:
            out = block(*xs)
            xs = out if isinstance(out, tuple) else (out,)
        return xs[0] if len(xs) == 1 else xs

"""torch modules behind the merge layers (built models only; exported code inlines them)."""

import torch
from torch import nn


class Add(nn.Module):
    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Multiply(nn.Module):
    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Concatenate(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, *xs):
        return torch.cat(xs, dim=self.dim)


def make(kind, params):
    if kind == "Concatenate":
        return Concatenate(params["dim"])
    return {"Add": Add, "Multiply": Multiply}[kind]()

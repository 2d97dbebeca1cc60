"""Graph layers in plain torch: GCNConv, SAGEConv, GATConv, InnerProductDecoder, GraphReadout.

This file imports nothing but torch: the Python exporter copies these classes verbatim into
exported code, so an exported graph network runs with torch alone. Every layer takes the node
features x (N, F) and the graph's adjacency `adj` (N, N), a dense 0/1 (or weighted) matrix
without self-loops; the nodes are the leading axis, as a batch is for other layers.
Parameter names follow PyTorch Geometric's layers of the same names (lin.weight, bias, ...).
"""

import torch
from torch import nn


class GCNConv(nn.Module):
    """Graph convolution (Kipf & Welling, 2017): H' = D^-1/2 (A + I) D^-1/2 H W + b.

    Each node averages its own and its neighbours' transformed features, weighted by
    1 / sqrt(deg(i) deg(j)) with the self-loop counted in the degree."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.lin = nn.Linear(in_features, out_features, bias=False)
        nn.init.xavier_uniform_(self.lin.weight)
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, x, adj):
        d = (adj.sum(dim=1) + 1).rsqrt()[:, None]  # D^-1/2, the self-loop counted in D
        h = d * self.lin(x)  # D^-1/2 H W
        out = d * (adj @ h + h)  # D^-1/2 (A + I) D^-1/2 H W, without forming the N×N matrix
        return out if self.bias is None else out + self.bias


class SAGEConv(nn.Module):
    """GraphSAGE with the mean aggregator (Hamilton et al., 2017):
    h_i' = W_r h_i + W_l mean(h_j for neighbours j of i) + b."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.lin_l = nn.Linear(in_features, out_features, bias=bias)  # the neighbours
        self.lin_r = nn.Linear(in_features, out_features, bias=False)  # the node itself

    def forward(self, x, adj):
        degree = adj.sum(dim=1, keepdim=True).clamp(min=1)
        return self.lin_l((adj @ x) / degree) + self.lin_r(x)


class GATConv(nn.Module):
    """Graph attention (Veličković et al., 2018): node i averages itself and its neighbours j
    with weights softmax_j(LeakyReLU(a_dstᵀ W h_i + a_srcᵀ W h_j)), one set per head; heads
    are concatenated (or averaged)."""

    def __init__(self, in_features, out_features, heads=1, concat=True, dropout=0.0,
                 bias=True):
        super().__init__()
        self.heads, self.out_features, self.concat = heads, out_features, concat
        self.lin = nn.Linear(in_features, heads * out_features, bias=False)
        self.att_src = nn.Parameter(torch.empty(1, heads, out_features))
        self.att_dst = nn.Parameter(torch.empty(1, heads, out_features))
        for weight in (self.lin.weight, self.att_src, self.att_dst):
            nn.init.xavier_uniform_(weight)
        self.dropout = nn.Dropout(dropout)
        size = heads * out_features if concat else out_features
        self.bias = nn.Parameter(torch.zeros(size)) if bias else None

    def forward(self, x, adj):
        n = x.shape[0]
        h = self.lin(x).view(n, self.heads, self.out_features)  # (N, heads, F')
        src = (h * self.att_src).sum(dim=-1).T  # (heads, N): j as a neighbour
        dst = (h * self.att_dst).sum(dim=-1).T  # (heads, N): i receiving
        scores = nn.functional.leaky_relu(dst[:, :, None] + src[:, None, :], 0.2)
        linked = (adj + torch.eye(n, dtype=adj.dtype, device=adj.device)) > 0
        alpha = self.dropout(scores.masked_fill(~linked, float("-inf")).softmax(dim=-1))
        out = (alpha @ h.transpose(0, 1)).transpose(0, 1)  # (N, heads, F')
        out = out.reshape(n, -1) if self.concat else out.mean(dim=1)
        return out if self.bias is None else out + self.bias


class InnerProductDecoder(nn.Module):
    """Graph autoencoder decoder (Kipf & Welling, 2016): A_hat = σ(Z Zᵀ), the probability of
    an edge between every pair of nodes (raw scores Z Zᵀ when sigmoid is off)."""

    def __init__(self, sigmoid=True):
        super().__init__()
        self.sigmoid = sigmoid

    def forward(self, z):
        scores = z @ z.T
        return torch.sigmoid(scores) if self.sigmoid else scores


class GraphReadout(nn.Module):
    """Readout for graph-level tasks: one vector for the whole graph, (N, F) -> (1, F), the
    mean, sum or maximum of its nodes' features."""

    def __init__(self, mode="mean"):
        super().__init__()
        self.mode = mode

    def forward(self, x):
        if self.mode == "sum":
            return x.sum(dim=0, keepdim=True)
        if self.mode == "max":
            return x.amax(dim=0, keepdim=True)
        return x.mean(dim=0, keepdim=True)

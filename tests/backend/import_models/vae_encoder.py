"""The encoder half of a variational autoencoder: a mean and a log-variance head."""

import torch.nn as nn
import torch.nn.functional as F


class Encoder(nn.Module):
    def __init__(self, input_dim=784, hidden_dim=64, latent_dim=8):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc_mu = nn.Linear(hidden_dim, latent_dim)
        self.fc_logvar = nn.Linear(hidden_dim, latent_dim)

    def forward(self, x):
        h = F.elu(self.fc1(x.view(-1, 784)))
        return self.fc_mu(h), self.fc_logvar(h)

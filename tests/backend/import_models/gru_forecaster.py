"""Next-value forecasting of a univariate series with a two-layer GRU."""

from torch import nn


class GRUForecaster(nn.Module):
    def __init__(self, n_features=1, hidden=32, layers=2, dropout=0.2):
        super().__init__()
        self.gru = nn.GRU(n_features, hidden, num_layers=layers, dropout=dropout,
                          batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        _, h_n = self.gru(x)
        return self.head(h_n[-1])

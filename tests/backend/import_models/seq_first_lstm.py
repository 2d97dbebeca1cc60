"""An LSTM kept in PyTorch's default (time, batch, features) layout."""

import torch.nn as nn


class SequenceClassifier(nn.Module):
    def __init__(self, embedding_dim=8, hidden_dim=16, tagset_size=3):
        super().__init__()
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, batch):
        seq = batch.permute(1, 0, 2)  # (time, batch, features)
        lstm_out, (h, c) = self.lstm(seq)
        return self.hidden2tag(lstm_out[-1])

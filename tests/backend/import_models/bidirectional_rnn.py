"""A bidirectional vanilla RNN that reads the last output step of both directions."""

import torch.nn as nn


class BiRNN(nn.Module):
    def __init__(self, input_size=6, hidden_size=10, num_classes=4):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, num_layers=2, batch_first=True,
                          bidirectional=True)
        self.fc = nn.Linear(hidden_size * 2, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1, :])

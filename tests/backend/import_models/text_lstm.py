"""Sentiment classifier over word indices: embedding, LSTM, and a linear layer on the
final hidden state (the style of the classic torchtext sentiment tutorials)."""

import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size=50, embedding_dim=16, hidden_dim=24, output_dim=3,
                 pad_idx=0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, batch_first=True)
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, text):
        embedded = self.dropout(self.embedding(text))
        output, (hidden, cell) = self.rnn(embedded)
        return self.fc(self.dropout(hidden[-1]))

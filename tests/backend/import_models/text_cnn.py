"""A sentence classifier over word embeddings (token indices in, classes out)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class TextCNN(nn.Module):
    def __init__(self, vocab=100, dim=16, classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.conv = nn.Conv1d(dim, 8, 3)
        self.fc = nn.Linear(8, classes)

    def forward(self, tokens):
        x = self.embedding(tokens.long()).transpose(1, 2)
        x = F.relu(self.conv(x))
        x = torch.max(x, dim=2)[0]
        return self.fc(x)

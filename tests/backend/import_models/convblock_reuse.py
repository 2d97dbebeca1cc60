"""A CNN built from one hand-written ConvBlock used three times with different arguments."""

import torch.nn as nn


class ConvBlock(nn.Module):
    """Conv, batch norm, ReLU and a 2x2 max pool."""

    def __init__(self, in_channels, out_channels, kernel_size=3, dropout=0.1):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size,
                              padding=kernel_size // 2, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout2d(dropout)

    def forward(self, x):
        return self.drop(self.pool(self.relu(self.bn(self.conv(x)))))


class SmallCNN(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.block1 = ConvBlock(3, 16, kernel_size=5)
        self.block2 = ConvBlock(16, 32)
        self.block3 = ConvBlock(32, 64, dropout=0.2)
        self.classifier = nn.Linear(64 * 4 * 4, num_classes)

    def forward(self, x):
        x = self.block1(x)
        x = self.block2(x)
        x = self.block3(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)

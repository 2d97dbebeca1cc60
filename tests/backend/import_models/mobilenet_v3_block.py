"""MobileNetV3-style blocks: hard-swish activations and squeeze-and-excitation gates with a
hard sigmoid, as in torchvision's mobilenetv3 (shrunk)."""

import torch.nn.functional as F
from torch import nn


class SqueezeExcitation(nn.Module):
    def __init__(self, input_channels, squeeze_channels):
        super().__init__()
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.relu = nn.ReLU()
        self.hardsigmoid = nn.Hardsigmoid()

    def forward(self, x):
        scale = F.adaptive_avg_pool2d(x, 1)
        scale = self.fc2(self.relu(self.fc1(scale)))
        return x * self.hardsigmoid(scale)


class Bneck(nn.Module):
    def __init__(self, cin, cexp, cout, kernel, use_se, stride):
        super().__init__()
        self.expand = nn.Sequential(nn.Conv2d(cin, cexp, 1, bias=False), nn.BatchNorm2d(cexp),
                                    nn.Hardswish())
        self.depthwise = nn.Sequential(
            nn.Conv2d(cexp, cexp, kernel, stride, kernel // 2, groups=cexp, bias=False),
            nn.BatchNorm2d(cexp), nn.Hardswish())
        self.se = SqueezeExcitation(cexp, max(8, cexp // 4)) if use_se else nn.Identity()
        self.project = nn.Sequential(nn.Conv2d(cexp, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        out = self.project(self.se(self.depthwise(self.expand(x))))
        return out + x if self.residual else out


class MobileNetV3Tiny(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.Hardswish())
        self.blocks = nn.Sequential(
            Bneck(16, 32, 16, 3, True, 1),
            Bneck(16, 48, 24, 5, True, 2),
            Bneck(24, 64, 24, 5, True, 1),
        )
        self.head = nn.Sequential(nn.Linear(24, 64), nn.Hardswish(), nn.Dropout(0.2),
                                  nn.Linear(64, num_classes))

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = x.mean((2, 3))
        return self.head(x)

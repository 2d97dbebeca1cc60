"""The course's classic CNNs at full size: AlexNet, ZFNet, VGG-16.

They keep their published input sizes and parameter counts so students can compare them.
"""

from __future__ import annotations

from backend.templates.builder import DesignBuilder
from backend.templates.layout import chain

RELU: dict = {}


def _classifier(b: DesignBuilder, width: int, classes: int = 1000) -> None:
    chain(b, [("Flatten", "flatten", {}),
              ("Dense", "fc6", {"units": width}), ("ReLU", "relu6", {}),
              ("Dropout", "drop6", {"p": 0.5}),
              ("Dense", "fc7", {"units": width}), ("ReLU", "relu7", {}),
              ("Dropout", "drop7", {"p": 0.5}),
              ("Dense", "fc8", {"units": classes})])


def alexnet() -> DesignBuilder:
    """AlexNet (2012): ReLU, local response norm, overlapping 3×3/2 pooling; 62,378,344."""
    b = DesignBuilder("AlexNet")
    b.add("Input", "image", after=None, shape=[3, 227, 227])
    chain(b, [
        ("Conv2d", "conv1", {"filters": 96, "kernel_size": 11, "stride": 4}),
        ("ReLU", "relu1", RELU), ("LocalResponseNorm", "norm1", {"size": 5, "k": 2.0}),
        ("MaxPool2d", "pool1", {"kernel_size": 3, "stride": 2}),
        ("Conv2d", "conv2", {"filters": 256, "kernel_size": 5, "padding": 2}),
        ("ReLU", "relu2", RELU), ("LocalResponseNorm", "norm2", {"size": 5, "k": 2.0}),
        ("MaxPool2d", "pool2", {"kernel_size": 3, "stride": 2}),
        ("Conv2d", "conv3", {"filters": 384, "kernel_size": 3, "padding": 1}),
        ("ReLU", "relu3", RELU),
        ("Conv2d", "conv4", {"filters": 384, "kernel_size": 3, "padding": 1}),
        ("ReLU", "relu4", RELU),
        ("Conv2d", "conv5", {"filters": 256, "kernel_size": 3, "padding": 1}),
        ("ReLU", "relu5", RELU),
        ("MaxPool2d", "pool5", {"kernel_size": 3, "stride": 2}),
    ])
    _classifier(b, 4096)
    return b


def zfnet() -> DesignBuilder:
    """ZFNet (2013): AlexNet with 7×7/2 first filters and a 5×5/2 second layer."""
    b = DesignBuilder("ZFNet")
    b.add("Input", "image", after=None, shape=[3, 224, 224])
    chain(b, [
        ("Conv2d", "conv1", {"filters": 96, "kernel_size": 7, "stride": 2, "padding": 1}),
        ("ReLU", "relu1", RELU),
        ("MaxPool2d", "pool1", {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("LocalResponseNorm", "norm1", {"size": 5, "k": 2.0}),
        ("Conv2d", "conv2", {"filters": 256, "kernel_size": 5, "stride": 2}),
        ("ReLU", "relu2", RELU),
        ("MaxPool2d", "pool2", {"kernel_size": 3, "stride": 2, "padding": 1}),
        ("LocalResponseNorm", "norm2", {"size": 5, "k": 2.0}),
        ("Conv2d", "conv3", {"filters": 384, "kernel_size": 3, "padding": 1}),
        ("ReLU", "relu3", RELU),
        ("Conv2d", "conv4", {"filters": 384, "kernel_size": 3, "padding": 1}),
        ("ReLU", "relu4", RELU),
        ("Conv2d", "conv5", {"filters": 256, "kernel_size": 3, "padding": 1}),
        ("ReLU", "relu5", RELU),
        ("MaxPool2d", "pool5", {"kernel_size": 3, "stride": 2}),
    ])
    _classifier(b, 4096)
    return b


def vgg16() -> DesignBuilder:
    """VGG-16 (2015): five blocks of 3×3 'same' convs, each closed by 2×2 pooling; ~138 M."""
    b = DesignBuilder("VGG-16")
    b.add("Input", "image", after=None, shape=[3, 224, 224])
    for block, (filters, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3),
                                               (512, 3)), start=1):
        layers = []
        for i in range(1, convs + 1):
            layers += [("Conv2d", f"conv{block}_{i}",
                        {"filters": filters, "kernel_size": 3, "padding": "same"}),
                       ("ReLU", f"relu{block}_{i}", RELU)]
        layers.append(("MaxPool2d", f"pool{block}", {"kernel_size": 2}))
        chain(b, layers, row=block - 1)
    _classifier(b, 4096)
    return b

"""The plain classic CNNs at full size: AlexNet (as published and as torchvision has it),
ZFNet, VGG-11 and VGG-16.

Each is a `features` part and a `classifier` part, as torchvision writes them: AlexNet's and
ZFNet's features are one sequential block (numbered like torchvision's, `features.0.weight`),
VGG's are five VGG blocks, and every classifier is a sequential block of dense layers. The
published AlexNet and ZFNet take fixed 227/224-pixel images; torchvision's AlexNet and VGG
pool adaptively before the classifier, so they accept other sizes with the same weights.
"""

from __future__ import annotations

from backend.graph.block_builder import BlockBuilder
from backend.graph.definition import BlockDef, BlockParam
from backend.templates import blocks_library as lib
from backend.templates.builder import DesignBuilder

IMAGENET = (3, 224, 224)
CLASSES = BlockParam("classes", "int", 1000, "Number of classes.", min=1)
LRN = {"size": 5, "k": 2.0}
POOL = {"kernel_size": 3, "stride": 2}


def classifier(block_id: str, title: str, dropout_first: bool) -> list[BlockDef]:
    """Three dense layers (4096, 4096, classes) with ReLU and dropout between them;
    torchvision's AlexNet drops out before each dense layer, VGG and the paper after."""
    b = BlockBuilder(block_id, title, (CLASSES,), sequential=True,
                     note="Three dense layers, 4096 → 4096 → classes, with ReLU and "
                          "dropout (p = 0.5): most of the network's parameters.")
    b.input()
    for i in (1, 2):
        if dropout_first:
            b.add("Dropout", f"dropout{i}", p=0.5)
        b.add("Dense", f"fc{i}", units=4096)
        b.add("ReLU", f"relu{i}")
        if not dropout_first:
            b.add("Dropout", f"dropout{i}", p=0.5)
    b.add("Dense", "fc3", units="{classes}")
    b.output()
    return [b.definition]


def _features(block_id: str, title: str, note: str, layers: list[tuple]) -> list[BlockDef]:
    b = BlockBuilder(block_id, title, sequential=True, note=note)
    b.input()
    stage = 0
    for kind, params in layers:
        stage += kind == "Conv2d"
        b.add(kind, f"{_SHORT[kind]}{stage}", **params)
    b.output()
    return [b.definition]


def _conv(filters: int, kernel: int, stride: int = 1, padding: int = 0) -> tuple:
    return ("Conv2d", {"filters": filters, "kernel_size": kernel, "stride": stride,
                       "padding": padding})


RELU = ("ReLU", {})
_SHORT = {"Conv2d": "conv", "ReLU": "relu", "LocalResponseNorm": "norm", "MaxPool2d": "pool"}


def _fixed_net(name: str, features: list[BlockDef], input_shape, num_classes) -> DesignBuilder:
    b = DesignBuilder(name)
    b.add("Input", "image", after=None, shape=list(input_shape))
    b.block(features, "features")
    b.add("Flatten", "flatten")
    b.block(classifier("dense_classifier", "Classifier (dropout after)", False), "classifier",
            {"classes": num_classes})
    return b


def alexnet(num_classes: int = 1000, input_shape: tuple[int, ...] = (3, 227, 227)
            ) -> DesignBuilder:
    """AlexNet as published (2012): ReLU, local response norm, overlapping 3×3/2 pooling;
    62,378,344 parameters at 227×227×3."""
    features = _features("alexnet_features", "AlexNet features", "Five convolutions (96, "
                         "256, 384, 384, 256 filters) with ReLU, local response norm and "
                         "overlapping 3×3/2 max-pooling.", [
                             _conv(96, 11, 4), RELU, ("LocalResponseNorm", LRN),
                             ("MaxPool2d", POOL),
                             _conv(256, 5, 1, 2), RELU, ("LocalResponseNorm", LRN),
                             ("MaxPool2d", POOL),
                             _conv(384, 3, 1, 1), RELU, _conv(384, 3, 1, 1), RELU,
                             _conv(256, 3, 1, 1), RELU, ("MaxPool2d", POOL)])
    return _fixed_net("AlexNet", features, input_shape, num_classes)


def zfnet(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET) -> DesignBuilder:
    """ZFNet (2013): AlexNet with 7×7/2 first filters and a 5×5/2 second layer."""
    pool = {**POOL, "padding": 1}
    features = _features("zfnet_features", "ZFNet features", "AlexNet's five convolutions "
                         "with smaller, denser first filters: 7×7 stride 2, then 5×5 stride 2.", [
                             _conv(96, 7, 2, 1), RELU, ("MaxPool2d", pool),
                             ("LocalResponseNorm", LRN),
                             _conv(256, 5, 2), RELU, ("MaxPool2d", pool),
                             ("LocalResponseNorm", LRN),
                             _conv(384, 3, 1, 1), RELU, _conv(384, 3, 1, 1), RELU,
                             _conv(256, 3, 1, 1), RELU, ("MaxPool2d", POOL)])
    return _fixed_net("ZFNet", features, input_shape, num_classes)


def alexnet_torchvision(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET
                        ) -> DesignBuilder:
    """torchvision's AlexNet (the one-GPU variant): 64, 192, 384, 256, 256 filters, no
    local response norm, an adaptive 6×6 pool; 61,100,840 parameters."""
    b = DesignBuilder("AlexNet (torchvision)")
    b.add("Input", "image", after=None, shape=list(input_shape))
    b.block(_features("alexnet_tv_features", "AlexNet features (torchvision)", "Five "
                      "convolutions (64, 192, 384, 256, 256 filters) with ReLU and "
                      "overlapping 3×3/2 max-pooling.", [
                          _conv(64, 11, 4, 2), RELU, ("MaxPool2d", POOL),
                          _conv(192, 5, 1, 2), RELU, ("MaxPool2d", POOL),
                          _conv(384, 3, 1, 1), RELU, _conv(256, 3, 1, 1), RELU,
                          _conv(256, 3, 1, 1), RELU, ("MaxPool2d", POOL)]), "features")
    b.add("AdaptiveAvgPool2d", "avgpool", output_size=6)
    b.add("Flatten", "flatten")
    b.block(classifier("dropout_classifier", "Classifier (dropout before)", True),
            "classifier", {"classes": num_classes})
    return b


def _vgg(name: str, convs: tuple[int, ...], num_classes: int, input_shape) -> DesignBuilder:
    b = DesignBuilder(name)
    b.add("Input", "image", after=None, shape=list(input_shape))
    for i, (channels, n) in enumerate(zip((64, 128, 256, 512, 512), convs, strict=True), 1):
        b.block(lib.vgg_block(), f"block{i}", {"channels": channels, "convs": n})
    b.add("AdaptiveAvgPool2d", "avgpool", output_size=7)
    b.add("Flatten", "flatten")
    b.block(classifier("dense_classifier", "Classifier (dropout after)", False), "classifier",
            {"classes": num_classes})
    return b


def vgg11(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET) -> DesignBuilder:
    """VGG-11 (configuration A): 8 conv layers; 132,863,336 parameters."""
    return _vgg("VGG-11", (1, 1, 2, 2, 2), num_classes, input_shape)


def vgg16(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET) -> DesignBuilder:
    """VGG-16 (configuration D): 13 conv layers; 138,357,544 parameters."""
    return _vgg("VGG-16", (2, 2, 3, 3, 3), num_classes, input_shape)

"""Residual networks at full size, built from the library's residual blocks: ResNet-18,
ResNet-50 and ResNeXt-50 (32×4d), exactly as torchvision defines them.

A stage (`layer1` … `layer4`) is a sequential block: a first residual block with a projection
shortcut (where the stride or the channels change), then `blocks − 1` identity blocks, so the
state-dict names are torchvision's (`layer2.0.downsample.0.weight`, `layer2.1.conv1.weight`).
The stem and the head stay on the top level: conv1, bn1, relu, maxpool … avgpool, fc.
"""

from __future__ import annotations

from backend.graph.block_builder import BlockBuilder
from backend.graph.definition import BlockDef, BlockParam
from backend.templates import blocks_library as lib
from backend.templates.builder import DesignBuilder

IMAGENET = (3, 224, 224)
BLOCKS = BlockParam("blocks", "int", 2, "Residual blocks in the stage.", min=2)


def basic_stage() -> list[BlockDef]:
    b = BlockBuilder("resnet_basic_stage", "ResNet stage (basic blocks)",
                     (lib.CHANNELS, lib.STRIDE, BLOCKS), sequential=True,
                     note="A projection block that changes the shape, then identity blocks.")
    b.input()
    b.block("residual_basic_projection", "first", {"channels": "{channels}",
                                                   "stride": "{stride}"})
    b.block("residual_basic", "rest", {"channels": "{channels}"}, repeat="{blocks - 1}")
    b.output()
    return lib.unique([b.definition, *lib.residual_basic_projection(), *lib.residual_basic()])


def bottleneck_stage() -> list[BlockDef]:
    b = BlockBuilder("resnet_bottleneck_stage", "ResNet stage (bottleneck blocks)",
                     (*lib.BOTTLENECK_PARAMS, lib.STRIDE, BLOCKS), sequential=True,
                     note="A projection bottleneck that changes the shape, then identity "
                          "bottlenecks.")
    b.input()
    shared = {"planes": "{planes}", "groups": "{groups}",
              "width_per_group": "{width_per_group}"}
    b.block("residual_bottleneck_projection", "first", {**shared, "stride": "{stride}"})
    b.block("residual_bottleneck", "rest", shared, repeat="{blocks - 1}")
    b.output()
    return lib.unique([b.definition, *lib.residual_bottleneck_projection(),
                       *lib.residual_bottleneck()])


def _stem(b: DesignBuilder, input_shape: tuple[int, ...]) -> None:
    b.add("Input", "image", after=None, shape=list(input_shape))
    b.add("Conv2d", "conv1", filters=64, kernel_size=7, stride=2, padding=3, bias=False)
    b.add("BatchNorm2d", "bn1")
    b.add("ReLU", "relu")
    b.add("MaxPool2d", "maxpool", kernel_size=3, stride=2, padding=1)


def _head(b: DesignBuilder, num_classes: int) -> None:
    b.add("AdaptiveAvgPool2d", "avgpool", output_size=1)
    b.add("Flatten", "flatten")
    b.add("Dense", "fc", units=num_classes)


def resnet18(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET) -> DesignBuilder:
    """ResNet-18: four stages of two basic blocks; 11,689,512 parameters."""
    b = DesignBuilder("ResNet-18")
    _stem(b, input_shape)
    b.block(lib.residual_basic(), "layer1", {"channels": 64}, repeat=2)
    for i, channels in enumerate((128, 256, 512), start=2):
        b.block(basic_stage(), f"layer{i}", {"channels": channels, "stride": 2, "blocks": 2})
    _head(b, num_classes)
    return b


def _bottleneck_net(name: str, num_classes: int, input_shape, groups: int = 1,
                    width_per_group: int = 64) -> DesignBuilder:
    b = DesignBuilder(name)
    _stem(b, input_shape)
    shape = {"groups": groups, "width_per_group": width_per_group}
    for i, (planes, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3)), start=1):
        b.block(bottleneck_stage(), f"layer{i}", {"planes": planes, "stride": 1 if i == 1 else 2,
                                                  "blocks": blocks, **shape})
    _head(b, num_classes)
    return b


def resnet50(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET) -> DesignBuilder:
    """ResNet-50: 3, 4, 6, 3 bottleneck blocks; 25,557,032 parameters."""
    return _bottleneck_net("ResNet-50", num_classes, input_shape)


def resnext50(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET
              ) -> DesignBuilder:
    """ResNeXt-50 32×4d: ResNet-50 with 32 groups of 4 channels per 3×3 conv at the first
    stage's width; 25,028,904 parameters."""
    return _bottleneck_net("ResNeXt-50 (32×4d)", num_classes, input_shape, groups=32,
                           width_per_group=4)

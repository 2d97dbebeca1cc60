"""Networks of modules at full size, as torchvision defines them: GoogLeNet (no auxiliary
heads), DenseNet-121, SqueezeNet 1.0 and 1.1, built from the library's inception, dense-layer,
transition and fire blocks with torchvision's state-dict names.
"""

from __future__ import annotations

from backend.graph.block_builder import BlockBuilder
from backend.graph.definition import BlockDef, BlockParam
from backend.templates import blocks_library as lib
from backend.templates.builder import DesignBuilder

IMAGENET = (3, 224, 224)
CEIL_POOL = {"kernel_size": 3, "stride": 2, "ceil_mode": True}

# torchvision's GoogLeNet: (ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) per module
INCEPTIONS = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64), "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}
_BRANCHES = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")


def googlenet(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET
              ) -> DesignBuilder:
    """GoogLeNet (torchvision, no auxiliary heads): 9 Inception modules; 6,624,904."""
    b = DesignBuilder("GoogLeNet")
    b.add("Input", "image", after=None, shape=list(input_shape))
    conv = lib.basic_conv()
    b.block(conv, "conv1", {"channels": 64, "kernel": 7, "stride": 2, "padding": 3})
    b.add("MaxPool2d", "maxpool1", **CEIL_POOL)
    b.block(conv, "conv2", {"channels": 64})
    b.block(conv, "conv3", {"channels": 192, "kernel": 3, "padding": 1})
    b.add("MaxPool2d", "maxpool2", **CEIL_POOL)
    for name, sizes in INCEPTIONS.items():
        if name == "4a":
            b.add("MaxPool2d", "maxpool3", **CEIL_POOL)
        if name == "5a":
            b.add("MaxPool2d", "maxpool4", kernel_size=2, stride=2, ceil_mode=True)
        b.block(lib.inception(), f"inception{name}", dict(zip(_BRANCHES, sizes, strict=True)))
    b.add("AdaptiveAvgPool2d", "avgpool", output_size=1)
    b.add("Flatten", "flatten")
    b.add("Dropout", "dropout", p=0.2)
    b.add("Dense", "fc", units=num_classes)
    return b


GROWTH = {"growth_rate": "{growth_rate}", "bn_size": "{bn_size}"}


def dense_block_of(layers: int) -> list[BlockDef]:
    """A dense block whose layers are named denselayer1 … denselayerN, as torchvision's."""
    b = BlockBuilder(f"dense_block_{layers}", f"Dense block ({layers} layers)",
                     (lib.GROWTH, lib.BN_SIZE),
                     note=f"{layers} dense layers: each sees every earlier feature map and "
                          "adds growth_rate maps.")
    b.input()
    for i in range(1, layers + 1):
        b.block("dense_layer", f"denselayer{i}", GROWTH, row=i % 2)
    b.output()
    return [b.definition, *lib.dense_layer()]


def densenet121_features() -> list[BlockDef]:
    b = BlockBuilder("densenet121_features", "DenseNet-121 features", (lib.GROWTH, lib.BN_SIZE),
                     note="Stem, four dense blocks (6, 12, 24, 16 layers) with transitions "
                          "between them, and a last BatchNorm.")
    b.input()
    b.add("Conv2d", "conv0", filters=64, kernel_size=7, stride=2, padding=3, bias=False)
    b.add("BatchNorm2d", "norm0")
    b.add("ReLU", "relu0")
    b.add("MaxPool2d", "pool0", kernel_size=3, stride=2, padding=1)
    defs = [b.definition]
    channels = 64
    for i, layers in enumerate((6, 12, 24, 16), start=1):
        block = dense_block_of(layers)
        defs += block
        b.block(block[0].id, f"denseblock{i}", GROWTH)
        channels += layers * 32
        if i < 4:
            channels //= 2
            b.block("transition", f"transition{i}", {"channels": channels})
    b.add("BatchNorm2d", "norm5")
    b.output()
    return lib.unique([*defs, *lib.transition()])


def densenet121(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET
                ) -> DesignBuilder:
    """DenseNet-121 (growth rate 32): 7,978,856 parameters."""
    b = DesignBuilder("DenseNet-121")
    b.add("Input", "image", after=None, shape=list(input_shape))
    b.block(densenet121_features(), "features", {"growth_rate": 32, "bn_size": 4})
    b.add("ReLU", "relu")
    b.add("AdaptiveAvgPool2d", "avgpool", output_size=1)
    b.add("Flatten", "flatten")
    b.add("Dense", "classifier", units=num_classes)
    return b


# torchvision's SqueezeNet features: a conv stem, then fire modules (squeeze, e1x1, e3x3)
# and ceil-mode max-pools ("M"); 1.1 starts smaller and pools earlier.
FIRES = {
    "1_0": ((96, 7), ((16, 64), (16, 64), (32, 128), "M", (32, 128), (48, 192), (48, 192),
                      (64, 256), "M", (64, 256))),
    "1_1": ((64, 3), ((16, 64), (16, 64), "M", (32, 128), (32, 128), "M", (48, 192),
                      (48, 192), (64, 256), (64, 256))),
}
CLASSES = BlockParam("classes", "int", 1000, "Number of classes (one 1×1 conv map each).",
                     min=1)


def squeezenet_features(version: str) -> list[BlockDef]:
    (stem, kernel), fires = FIRES[version]
    b = BlockBuilder(f"squeezenet{version}_features", f"SqueezeNet {version.replace('_', '.')}"
                     " features", sequential=True,
                     note="A conv stem, then fire modules with ceil-mode max-pools between "
                          "them (late downsampling).")
    b.input()
    b.add("Conv2d", "conv", filters=stem, kernel_size=kernel, stride=2, init="kaiming")
    b.add("ReLU", "relu")
    b.add("MaxPool2d", "pool", **CEIL_POOL)
    for i, fire in enumerate(fires):
        if fire == "M":
            b.add("MaxPool2d", f"pool{i}", row=i % 2, **CEIL_POOL)
        else:
            b.block("fire", f"fire{i}", {"squeeze": fire[0], "expand1x1": fire[1],
                                         "expand3x3": fire[1]}, row=i % 2)
    b.output()
    return [b.definition, *lib.fire()]


def squeezenet_classifier() -> list[BlockDef]:
    b = BlockBuilder("squeezenet_classifier", "SqueezeNet classifier", (CLASSES,),
                     sequential=True,
                     note="Dropout, a 1×1 conv making one map per class, ReLU, and the "
                          "average of each map as its score.")
    b.input()
    b.add("Dropout", "dropout", p=0.5)
    b.add("Conv2d", "final_conv", filters="{classes}", kernel_size=1)
    b.add("ReLU", "relu")
    b.add("AdaptiveAvgPool2d", "avgpool", output_size=1)
    b.output()
    return [b.definition]


def _squeezenet(version: str, num_classes: int, input_shape) -> DesignBuilder:
    b = DesignBuilder(f"SqueezeNet {version.replace('_', '.')}")
    b.add("Input", "image", after=None, shape=list(input_shape))
    b.block(squeezenet_features(version), "features")
    b.block(squeezenet_classifier(), "classifier", {"classes": num_classes})
    b.add("Flatten", "flatten")
    return b


def squeezenet1_0(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET
                  ) -> DesignBuilder:
    """SqueezeNet 1.0: 96 7×7 stem filters, 8 fire modules; 1,248,424 parameters."""
    return _squeezenet("1_0", num_classes, input_shape)


def squeezenet1_1(num_classes: int = 1000, input_shape: tuple[int, ...] = IMAGENET
                  ) -> DesignBuilder:
    """SqueezeNet 1.1: 64 3×3 stem filters, earlier pooling; 1,235,496 parameters."""
    return _squeezenet("1_1", num_classes, input_shape)

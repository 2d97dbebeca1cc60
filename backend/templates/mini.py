"""The 8×8 teaching miniatures: ResNet, Inception, DenseNet and SqueezeNet on the bundled digits.

Each keeps its architecture's one idea (skip connections, parallel paths, dense concatenation,
fire modules) at a size that trains on a CPU in seconds. Without BatchNorm (Inception and
SqueezeNet) the convolutions start from He/Kaiming initialisation, as torchvision's SqueezeNet
does: with torch's default (smaller) start the signal fades through the stacked ReLU layers and
the mini SqueezeNet learned to only 29 % in its default run.
"""

from __future__ import annotations

from backend.templates.builder import DesignBuilder
from backend.templates.layout import branch, chain, merge

RELU: dict = {}
HE = {"init": "kaiming"}


def _conv_bn(name: str, filters: int, kernel: int = 3, stride: int = 1, relu: bool = True,
             tag: str = ""):
    """conv (no bias: BatchNorm shifts) -> BatchNorm -> optional ReLU, titled name+tag."""
    pad = "same" if stride == 1 else kernel // 2
    layers = [("Conv2d", f"{name}_conv{tag}",
               {"filters": filters, "kernel_size": kernel, "stride": stride, "padding": pad,
                "bias": False}),
              ("BatchNorm2d", f"{name}_bn{tag}", {})]
    return layers + ([("ReLU", f"{name}_relu{tag}", RELU)] if relu else [])


def _residual_block(b: DesignBuilder, name: str, filters: int, stride: int,
                    project: bool) -> str:
    """conv-BN-ReLU-conv-BN plus a shortcut: identity, or a 1×1 conv projection when the
    block changes the shape (more filters, stride 2). The shortcut runs along the top row,
    the residual path below it, so the skip connection is plain to see."""
    start = b.last
    main = branch(b, start, 1, _conv_bn(name, filters, stride=stride, tag="1")
                  + _conv_bn(name, filters, relu=False, tag="2"))
    short = start
    if project:
        short = branch(b, start, 0, [
            ("Conv2d", f"{name}_proj", {"filters": filters, "kernel_size": 1, "stride": stride,
                                        "bias": False}),
            ("BatchNorm2d", f"{name}_proj_bn", {})])
    merge(b, "Add", f"{name}_add", [main, short], row=0)
    return chain(b, [("ReLU", f"{name}_out", RELU)])


def resnet() -> DesignBuilder:
    """A small ResNet for the 8×8 digits: an identity block and a downsampling block."""
    b = DesignBuilder("Small ResNet (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    chain(b, [("Conv2d", "stem", {"filters": 16, "kernel_size": 3, "padding": "same",
                                   "bias": False}),
              ("BatchNorm2d", "stem_bn", {}), ("ReLU", "stem_relu", RELU)])
    _residual_block(b, "b1", 16, 1, project=False)
    _residual_block(b, "b2", 32, 2, project=True)
    chain(b, [("GlobalAvgPool", "gap", {}), ("Dense", "classes", {"units": 10})])
    return b


def _inception(b: DesignBuilder, name: str, c1: int, c3: tuple[int, int],
               c5: tuple[int, int], pool_proj: int) -> str:
    """Four parallel paths — 1×1, 1×1→3×3, 1×1→5×5, 3×3 max-pool→1×1 — concatenated.

    The 1×1 convs before the 3×3 and 5×5 ('3x3r', '5x5r') reduce the channels first."""
    start = b.last

    def conv(title, filters, k):
        return ("Conv2d", f"{name}_{title}", {"filters": filters, "kernel_size": k,
                                              "padding": "same", **HE})

    def relu(title):
        return ("ReLU", f"{name}_relu{title}", RELU)

    ends = [
        branch(b, start, 0, [conv("1x1", c1, 1), relu("1")]),
        branch(b, start, 1, [conv("3x3r", c3[0], 1), relu("3r"), conv("3x3", c3[1], 3),
                             relu("3")]),
        branch(b, start, 2, [conv("5x5r", c5[0], 1), relu("5r"), conv("5x5", c5[1], 5),
                             relu("5")]),
        branch(b, start, 3, [("MaxPool2d", f"{name}_pool",
                              {"kernel_size": 3, "stride": 1, "padding": 1}),
                             conv("proj", pool_proj, 1), relu("p")]),
    ]
    return merge(b, "Concatenate", f"{name}_concat", ends, row=0, dim=1)


def inception() -> DesignBuilder:
    """A GoogLeNet-style mini network on the 8×8 digits with two Inception modules."""
    b = DesignBuilder("Mini Inception (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    chain(b, [("Conv2d", "stem", {"filters": 16, "kernel_size": 3, "padding": "same", **HE}),
              ("ReLU", "stem_relu", RELU)])
    _inception(b, "i3a", 8, (8, 12), (4, 4), 4)
    chain(b, [("MaxPool2d", "pool3", {"kernel_size": 2})])
    _inception(b, "i4a", 12, (8, 16), (4, 8), 4)
    chain(b, [("GlobalAvgPool", "gap", {}), ("Dropout", "dropout", {"p": 0.4}),
              ("Dense", "classes", {"units": 10})])
    return b


def densenet() -> DesignBuilder:
    """A mini DenseNet: each layer of the dense block sees all earlier feature maps."""
    b = DesignBuilder("Mini DenseNet (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    stem = chain(b, [("Conv2d", "stem", {"filters": 16, "kernel_size": 3, "padding": "same"})])
    features = [stem]
    for i in range(1, 4):
        source = features[0] if len(features) == 1 else merge(
            b, "Concatenate", f"dense{i}_in", features, row=0, dim=1)
        features.append(branch(b, source, i, [
            ("BatchNorm2d", f"dense{i}_bn", {}), ("ReLU", f"dense{i}_relu", RELU),
            ("Conv2d", f"dense{i}_conv", {"filters": 8, "kernel_size": 3, "padding": "same"}),
        ]))
    merge(b, "Concatenate", "block_out", features, row=0, dim=1)
    chain(b, [("BatchNorm2d", "trans_bn", {}), ("ReLU", "trans_relu", RELU),
              ("Conv2d", "trans_conv", {"filters": 20, "kernel_size": 1}),
              ("AvgPool2d", "trans_pool", {"kernel_size": 2}),
              ("BatchNorm2d", "final_bn", {}), ("ReLU", "final_relu", RELU),
              ("GlobalAvgPool", "gap", {}), ("Dense", "classes", {"units": 10})])
    return b


def _fire(b: DesignBuilder, name: str, squeeze: int, expand: int) -> str:
    """Fire module: 1×1 squeeze, then 1×1 and 3×3 expand paths concatenated."""
    s = chain(b, [("Conv2d", f"{name}_squeeze", {"filters": squeeze, "kernel_size": 1, **HE}),
                  ("ReLU", f"{name}_relu_s", RELU)], row=0)
    ends = [
        branch(b, s, 0, [("Conv2d", f"{name}_exp1x1", {"filters": expand, "kernel_size": 1,
                                                       **HE}),
                         ("ReLU", f"{name}_relu1", RELU)]),
        branch(b, s, 1, [("Conv2d", f"{name}_exp3x3", {"filters": expand, "kernel_size": 3,
                                                       "padding": 1, **HE}),
                         ("ReLU", f"{name}_relu3", RELU)]),
    ]
    return merge(b, "Concatenate", f"{name}_concat", ends, row=0, dim=1)


def squeezenet() -> DesignBuilder:
    """A mini SqueezeNet: fire modules (squeeze ratio 0.25), late downsampling, a 1×1 conv
    classifier averaged over the map."""
    b = DesignBuilder("Mini SqueezeNet (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    chain(b, [("Conv2d", "conv1", {"filters": 16, "kernel_size": 3, "padding": "same", **HE}),
              ("ReLU", "conv1_relu", RELU)])
    _fire(b, "f2", 8, 16)
    _fire(b, "f3", 8, 16)
    chain(b, [("MaxPool2d", "pool3", {"kernel_size": 2})])
    _fire(b, "f4", 16, 32)
    chain(b, [("Dropout", "dropout", {"p": 0.5}),
              ("Conv2d", "conv10", {"filters": 10, "kernel_size": 1}),
              ("GlobalAvgPool", "gap", {})])
    return b

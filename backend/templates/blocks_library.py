"""The block library: the course's building blocks as parameterised block definitions.

Each entry of `LIBRARY` makes its definition first, then every definition it uses (see
`backend.graph.block_builder`). Inner layers read the block's parameters through expressions
(`"{channels * 4}"`), so one definition serves every use. Where a block changes its structure
with its arguments (a residual block needs a projection shortcut only when the stride or the
channels change), the library has one entry per structure. Layer titles follow torchvision's
attribute names (`conv1`, `bn1`, `downsample`, `branch2`, `squeeze`, `expand3x3`…), so the
full-size templates built from these blocks have torchvision's state-dict names.
"""

from __future__ import annotations

from backend.graph.block_builder import BlockBuilder, LibraryBlock
from backend.graph.definition import BlockDef, BlockParam


def _int(name: str, default: int, doc: str, lo: int = 1) -> BlockParam:
    return BlockParam(name, "int", default, doc, min=lo)


CHANNELS = _int("channels", 64, "Output channels (feature maps).")
STRIDE = _int("stride", 1, "Stride of the block's first spatial convolution: 2 halves the "
              "height and width.")


def unique(definitions: list[BlockDef]) -> list[BlockDef]:
    """The definitions without repeats (first one kept), the block itself still first."""
    seen: set[str] = set()
    return [d for d in definitions if not (d.id in seen or seen.add(d.id))]


def conv_bn(b: BlockBuilder, title: str, filters, kernel, stride=1, padding=0, groups=1,
            after="last", row: float = 0.0, eps: float | None = None) -> str:
    """A bias-free convolution (BatchNorm shifts) followed by its BatchNorm, `conv`→`bn`."""
    b.add("Conv2d", f"conv{title}", after=after, row=row, filters=filters, kernel_size=kernel,
          stride=stride, padding=padding, groups=groups, bias=False)
    return b.add("BatchNorm2d", f"bn{title}", row=row, **({} if eps is None else {"eps": eps}))


# -- VGG ----------------------------------------------------------------------------------------
def conv_relu() -> list[BlockDef]:
    b = BlockBuilder("conv_relu", "3×3 conv + ReLU", (CHANNELS,),
                     note="A 3×3 convolution padded to keep the size, then ReLU.",
                     sequential=True)
    b.input()
    b.add("Conv2d", "conv", filters="{channels}", kernel_size=3, padding=1)
    b.add("ReLU", "relu")
    b.output()
    return [b.definition]


def vgg_block() -> list[BlockDef]:
    b = BlockBuilder("vgg_block", "VGG block", (
        CHANNELS, _int("convs", 2, "How many 3×3 conv + ReLU pairs before the pooling.")),
        note="VGG's brick: 3×3 convolutions that keep the size, then a 2×2 max-pool that "
             "halves it.", sequential=True)
    b.input()
    b.block("conv_relu", "convs", {"channels": "{channels}"}, repeat="{convs}")
    b.add("MaxPool2d", "pool", kernel_size=2, stride=2)
    b.output()
    return [b.definition, *conv_relu()]


# -- ResNet ---------------------------------------------------------------------------------------
def projection() -> list[BlockDef]:
    b = BlockBuilder("projection", "Projection shortcut", (CHANNELS, STRIDE),
                     note="A 1×1 convolution and BatchNorm that give the shortcut the shape of "
                          "the residual path.", sequential=True)
    b.input()
    b.add("Conv2d", "conv", filters="{channels}", kernel_size=1, stride="{stride}", bias=False)
    b.add("BatchNorm2d", "bn")
    b.output()
    return [b.definition]


def _basic_body(b: BlockBuilder, x: str) -> str:
    conv_bn(b, "1", "{channels}", 3, "{stride}", 1, after=x, row=1)
    b.add("ReLU", "relu", row=1)
    return conv_bn(b, "2", "{channels}", 3, 1, 1, row=1)


def residual_basic() -> list[BlockDef]:
    b = BlockBuilder("residual_basic", "Residual basic block", (CHANNELS,),
                     note="ResNet-18/34's block: two 3×3 convs, and the input added back "
                          "(identity shortcut: same channels, stride 1).")
    x = b.input()
    main = conv_bn(b, "1", "{channels}", 3, 1, 1, after=x, row=1)
    b.add("ReLU", "relu", row=1)
    main = conv_bn(b, "2", "{channels}", 3, 1, 1, row=1)
    b.add("Add", "add", after=[main, x])
    b.add("ReLU", "relu_out")
    b.output()
    return [b.definition]


def residual_basic_projection() -> list[BlockDef]:
    b = BlockBuilder("residual_basic_projection", "Residual basic block (projection)",
                     (CHANNELS, STRIDE),
                     note="The basic block where it changes the shape: stride 2 or more "
                          "channels, so a 1×1 projection shortcut matches the shape.")
    x = b.input()
    main = _basic_body(b, x)
    short = b.block("projection", "downsample", {"channels": "{channels}",
                                                 "stride": "{stride}"}, after=x)
    b.add("Add", "add", after=[main, short])
    b.add("ReLU", "relu_out")
    b.output()
    return [b.definition, *projection()]


BOTTLENECK_PARAMS = (
    _int("planes", 64, "Channels of the inner 3×3 convolution at width 64 per group; the "
         "block outputs 4 × planes."),
    _int("groups", 1, "Groups of the 3×3 convolution (ResNeXt's cardinality)."),
    _int("width_per_group", 64, "Channels per group of the 3×3 convolution (64: ResNet; "
         "4 with 32 groups: ResNeXt-50 32×4d)."),
)
WIDTH = "{planes * width_per_group // 64 * groups}"


def _bottleneck_body(b: BlockBuilder, x: str, stride) -> str:
    conv_bn(b, "1", WIDTH, 1, after=x, row=1)
    b.add("ReLU", "relu", row=1)
    conv_bn(b, "2", WIDTH, 3, stride, 1, groups="{groups}", row=1)
    b.add("ReLU", "relu_2", row=1)
    return conv_bn(b, "3", "{planes * 4}", 1, row=1)


def residual_bottleneck() -> list[BlockDef]:
    b = BlockBuilder("residual_bottleneck", "Residual bottleneck block", BOTTLENECK_PARAMS,
                     note="ResNet-50's block: 1×1 squeezes, 3×3 works, 1×1 expands 4×; the "
                          "input is added back unchanged.")
    x = b.input()
    main = _bottleneck_body(b, x, 1)
    b.add("Add", "add", after=[main, x])
    b.add("ReLU", "relu_out")
    b.output()
    return [b.definition]


def residual_bottleneck_projection() -> list[BlockDef]:
    b = BlockBuilder("residual_bottleneck_projection", "Residual bottleneck block (projection)",
                     (*BOTTLENECK_PARAMS, STRIDE),
                     note="The bottleneck block where the shape changes: a 1×1 projection "
                          "shortcut to 4 × planes channels (and the stride).")
    x = b.input()
    main = _bottleneck_body(b, x, "{stride}")
    short = b.block("projection", "downsample", {"channels": "{planes * 4}",
                                                 "stride": "{stride}"}, after=x)
    b.add("Add", "add", after=[main, short])
    b.add("ReLU", "relu_out")
    b.output()
    return [b.definition, *projection()]


# -- DenseNet -------------------------------------------------------------------------------------
GROWTH = _int("growth_rate", 32, "Feature maps each dense layer adds.")
BN_SIZE = _int("bn_size", 4, "The 1×1 bottleneck makes bn_size × growth_rate maps.")


def dense_layer() -> list[BlockDef]:
    b = BlockBuilder("dense_layer", "Dense layer", (GROWTH, BN_SIZE),
                     note="BN-ReLU-1×1 conv-BN-ReLU-3×3 conv making growth_rate new maps, "
                          "concatenated after everything it was given.")
    x = b.input()
    b.add("BatchNorm2d", "norm1", row=1)
    b.add("ReLU", "relu1", row=1)
    b.add("Conv2d", "conv1", row=1, filters="{bn_size * growth_rate}", kernel_size=1,
          bias=False)
    b.add("BatchNorm2d", "norm2", row=1)
    b.add("ReLU", "relu2", row=1)
    new = b.add("Conv2d", "conv2", row=1, filters="{growth_rate}", kernel_size=3, padding=1,
                bias=False)
    b.add("Concatenate", "concat", after=[x, new], dim=1)
    b.output()
    return [b.definition]


def dense_block() -> list[BlockDef]:
    b = BlockBuilder("dense_block", "Dense block", (
        _int("layers", 6, "Dense layers in the block."), GROWTH, BN_SIZE),
        note="Every layer sees the feature maps of all earlier layers: the block outputs its "
             "input plus layers × growth_rate maps.")
    b.input()
    b.block("dense_layer", "denselayer", {"growth_rate": "{growth_rate}",
                                          "bn_size": "{bn_size}"}, repeat="{layers}")
    b.output()
    return [b.definition, *dense_layer()]


def transition() -> list[BlockDef]:
    b = BlockBuilder("transition", "Transition", (CHANNELS,),
                     note="Between dense blocks: BN, ReLU, a 1×1 conv to fewer channels and a "
                          "2×2 average pool.")
    b.input()
    b.add("BatchNorm2d", "norm")
    b.add("ReLU", "relu")
    b.add("Conv2d", "conv", filters="{channels}", kernel_size=1, bias=False)
    b.add("AvgPool2d", "pool", kernel_size=2, stride=2)
    b.output()
    return [b.definition]


# -- GoogLeNet ------------------------------------------------------------------------------------
def basic_conv() -> list[BlockDef]:
    b = BlockBuilder("basic_conv", "Conv + BN + ReLU", (
        CHANNELS, _int("kernel", 1, "Kernel size."), _int("stride", 1, "Stride."),
        _int("padding", 0, "Zeros added on each side.", lo=0)),
        note="GoogLeNet's BasicConv2d: a bias-free convolution, BatchNorm (eps 0.001), ReLU.")
    b.input()
    b.add("Conv2d", "conv", filters="{channels}", kernel_size="{kernel}", stride="{stride}",
          padding="{padding}", bias=False)
    b.add("BatchNorm2d", "bn", eps=0.001)
    b.add("ReLU", "relu")
    b.output()
    return [b.definition]


def reduce_conv() -> list[BlockDef]:
    b = BlockBuilder("reduce_conv", "1×1 reduce + 3×3 conv", (
        _int("reduce", 96, "Channels of the 1×1 reduction."), CHANNELS),
        note="A 1×1 conv thins the channels, then a 3×3 conv works on fewer of them.",
        sequential=True)
    b.input()
    b.block("basic_conv", "reduce", {"channels": "{reduce}"})
    b.block("basic_conv", "conv", {"channels": "{channels}", "kernel": 3, "padding": 1})
    b.output()
    return [b.definition, *basic_conv()]


def pool_proj() -> list[BlockDef]:
    b = BlockBuilder("pool_proj", "3×3 max-pool + 1×1 conv", (CHANNELS,),
                     note="A 3×3 max-pool that keeps the size, then a 1×1 projection.",
                     sequential=True)
    b.input()
    b.add("MaxPool2d", "pool", kernel_size=3, stride=1, padding=1, ceil_mode=True)
    b.block("basic_conv", "proj", {"channels": "{channels}"})
    b.output()
    return [b.definition, *basic_conv()]


def inception() -> list[BlockDef]:
    names = ("ch1x1", "ch3x3red", "ch3x3", "ch5x5red", "ch5x5", "pool_proj")
    docs = ("1×1 branch channels.", "1×1 reduction before the 3×3.", "3×3 branch channels.",
            "1×1 reduction before the 5×5 branch (a 3×3 in torchvision).",
            "'5×5' branch channels.", "Channels of the 1×1 after the pool.")
    defaults = (64, 96, 128, 16, 32, 32)
    b = BlockBuilder("inception", "Inception module", tuple(
        _int(n, v, d) for n, v, d in zip(names, defaults, docs, strict=True)),
        note="Four parallel paths — 1×1, 1×1→3×3, 1×1→3×3 (the '5×5'), 3×3 pool→1×1 — "
             "concatenated along the channels.")
    x = b.input()
    ends = [b.block("basic_conv", "branch1", {"channels": "{ch1x1}"}, after=x, row=0),
            b.block("reduce_conv", "branch2", {"reduce": "{ch3x3red}", "channels": "{ch3x3}"},
                    after=x, row=1, col=1),
            b.block("reduce_conv", "branch3", {"reduce": "{ch5x5red}", "channels": "{ch5x5}"},
                    after=x, row=2, col=1),
            b.block("pool_proj", "branch4", {"channels": "{pool_proj}"}, after=x, row=3,
                    col=1)]
    b.add("Concatenate", "concat", after=ends, dim=1, col=2)
    b.output()
    return unique([b.definition, *reduce_conv(), *pool_proj()])


# -- SqueezeNet and squeeze-and-excitation --------------------------------------------------------
def fire() -> list[BlockDef]:
    b = BlockBuilder("fire", "Fire module", (
        _int("squeeze", 16, "Channels of the 1×1 squeeze layer."),
        _int("expand1x1", 64, "Channels of the 1×1 expand path."),
        _int("expand3x3", 64, "Channels of the 3×3 expand path.")),
        note="SqueezeNet's module: a 1×1 squeeze to few channels, then 1×1 and 3×3 expand "
             "paths concatenated (He-initialised, as torchvision starts SqueezeNet).")
    b.input()
    b.add("Conv2d", "squeeze", filters="{squeeze}", kernel_size=1, init="kaiming")
    s = b.add("ReLU", "squeeze_activation")
    ends = [b.add("Conv2d", "expand1x1", after=s, filters="{expand1x1}", kernel_size=1,
                  init="kaiming"),
            b.add("ReLU", "expand1x1_activation")]
    e3 = b.add("Conv2d", "expand3x3", after=s, row=1, col=3, filters="{expand3x3}",
               kernel_size=3, padding=1, init="kaiming")
    ends = [ends[1], b.add("ReLU", "expand3x3_activation", after=e3, row=1)]
    b.add("Concatenate", "concat", after=ends, dim=1)
    b.output()
    return [b.definition]


def squeeze_excitation() -> list[BlockDef]:
    b = BlockBuilder("squeeze_excitation", "Squeeze-and-excitation", (
        CHANNELS, _int("reduction", 16, "The bottleneck has channels / reduction channels "
                       "(the paper's r = 16).")),
        note="Average each map to one number, learn a weight per channel through a small "
             "bottleneck, and scale the maps by it.")
    x = b.input()
    b.add("AdaptiveAvgPool2d", "avgpool", after=x, row=1, output_size=1)
    b.add("Conv2d", "fc1", row=1, filters="{max(1, channels // reduction)}", kernel_size=1)
    b.add("ReLU", "activation", row=1)
    b.add("Conv2d", "fc2", row=1, filters="{channels}", kernel_size=1)
    gate = b.add("Sigmoid", "scale_activation", row=1)
    b.add("Multiply", "scale", after=[gate, x])
    b.output()
    return [b.definition]


LIBRARY: tuple[LibraryBlock, ...] = (
    LibraryBlock("vgg_block", "VGG block", "3×3 convs + ReLU, then 2×2 max-pool.", vgg_block),
    LibraryBlock("residual_basic", "Residual basic block", "Two 3×3 convs plus the input "
                 "(identity shortcut).", residual_basic),
    LibraryBlock("residual_basic_projection", "Residual basic block (projection)",
                 "Two 3×3 convs plus a 1×1 projection of the input (stride or channels "
                 "change).", residual_basic_projection),
    LibraryBlock("residual_bottleneck", "Residual bottleneck block", "1×1, 3×3, 1×1 (4×) "
                 "convs plus the input.", residual_bottleneck),
    LibraryBlock("residual_bottleneck_projection", "Residual bottleneck block (projection)",
                 "1×1, 3×3, 1×1 (4×) convs plus a 1×1 projection of the input.",
                 residual_bottleneck_projection),
    LibraryBlock("dense_block", "Dense block", "Layers that each see all earlier feature "
                 "maps, concatenated.", dense_block),
    LibraryBlock("transition", "Transition", "BN, ReLU, 1×1 conv, 2×2 average pool (between "
                 "dense blocks).", transition),
    LibraryBlock("inception", "Inception module", "Parallel 1×1, 3×3, '5×5' convs and a "
                 "pool, concatenated.", inception),
    LibraryBlock("fire", "Fire module", "1×1 squeeze, then 1×1 and 3×3 expand, "
                 "concatenated.", fire),
    LibraryBlock("squeeze_excitation", "Squeeze-and-excitation", "Channel weights from "
                 "averaged maps scale the maps (broadcast Multiply).", squeeze_excitation),
)

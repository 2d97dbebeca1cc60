"""Designs built from blocks, shared by the block tests: ResNet-18 (torchvision's layout and
names), a small DenseNet, and a block with two inputs and two outputs, repeated."""

from __future__ import annotations

from backend.graph import BLOCK, BlockDef, BlockParam, Edge, GraphDocument, Node
from backend.graph.block_builder import BlockBuilder
from backend.graph.definition import block_params
from backend.templates.builder import DesignBuilder

CH = (BlockParam("channels", "int", 64, min=1), BlockParam("stride", "int", 1, min=1))


def basic(down: bool) -> BlockDef:
    b = BlockBuilder("basic_down" if down else "basic",
                     "BasicBlockDown" if down else "BasicBlock", params=CH)
    x = b.input()
    b.add("Conv2d", "conv1", filters="{channels}", kernel_size=3, stride="{stride}", padding=1,
          bias=False)
    b.add("BatchNorm2d", "bn1")
    b.add("ReLU", "relu")
    b.add("Conv2d", "conv2", filters="{channels}", kernel_size=3, padding=1, bias=False)
    main = b.add("BatchNorm2d", "bn2")
    short = x
    if down:
        short = b.block("downsample", "downsample", after=x, row=1,
                        args={"channels": "{channels}", "stride": "{stride}"})
    b.add("Add", "add", after=[main, short])
    b.add("ReLU", "relu2")
    b.output()
    return b.definition


def downsample() -> BlockDef:
    b = BlockBuilder("downsample", "Downsample", params=CH, sequential=True)
    b.input()
    b.add("Conv2d", "conv", filters="{channels}", kernel_size=1, stride="{stride}", bias=False)
    b.add("BatchNorm2d", "bn")
    b.output()
    return b.definition


def stage() -> BlockDef:
    b = BlockBuilder("stage", "ResNetStage", sequential=True,
                     params=CH + (BlockParam("blocks", "int", 2, min=2),))
    b.input()
    b.block("basic_down", "first", args={"channels": "{channels}", "stride": "{stride}"})
    b.block("basic", "rest", args={"channels": "{channels}"}, repeat="{blocks - 1}")
    b.output()
    return b.definition


def add_definitions(doc: GraphDocument, *defs: BlockDef) -> None:
    for d in defs:
        d.graph.owner = doc
        doc.blocks[d.id] = d


def chain_blocks(d: DesignBuilder, uses: list[tuple[str, str, dict, int | str]]) -> None:
    for title, definition, args, repeat in uses:
        nid = d.doc.new_id(title)
        d.doc.nodes[nid] = Node(nid, BLOCK, block_params(definition, args, repeat), title)
        d.doc.edges.append(Edge(d.last, nid))
        d.last = nid


def resnet18(width: int = 64, classes: int = 1000, size: int = 224) -> GraphDocument:
    d = DesignBuilder("ResNet-18")
    d.add("Input", "image", after=None, shape=[3, size, size])
    d.add("Conv2d", "conv1", filters=width, kernel_size=7, stride=2, padding=3, bias=False)
    d.add("BatchNorm2d", "bn1")
    d.add("ReLU", "relu")
    d.add("MaxPool2d", "maxpool", kernel_size=3, stride=2, padding=1)
    add_definitions(d.doc, downsample(), basic(False), basic(True), stage())
    chain_blocks(d, [("layer1", "basic", {"channels": width}, 2)] + [
        (f"layer{k}", "stage", {"channels": width * 2 ** (k - 1), "stride": 2, "blocks": 2}, 1)
        for k in (2, 3, 4)])
    d.add("GlobalAvgPool", "avgpool")
    d.add("Dense", "fc", units=classes)
    return d.doc


def dense_layer() -> BlockDef:
    b = BlockBuilder("dense_layer", "DenseLayer",
                     params=(BlockParam("growth", "int", 32), BlockParam("bn_size", "int", 4)))
    x = b.input()
    b.add("BatchNorm2d", "norm1")
    b.add("ReLU", "relu1")
    b.add("Conv2d", "conv1", filters="{bn_size * growth}", kernel_size=1, bias=False)
    b.add("BatchNorm2d", "norm2")
    b.add("ReLU", "relu2")
    b.add("Conv2d", "conv2", filters="{growth}", kernel_size=3, padding=1, bias=False)
    b.add("Concatenate", "cat", after=[x, b.last])
    b.output()
    return b.definition


def dense_block() -> BlockDef:
    b = BlockBuilder("dense_block", "DenseBlock",
                     params=(BlockParam("layers", "int", 6, min=1),
                             BlockParam("growth", "int", 32)))
    b.input()
    b.block("dense_layer", "denselayer", args={"growth": "{growth}"}, repeat="{layers}")
    b.output()
    return b.definition


def transition() -> BlockDef:
    b = BlockBuilder("transition", "Transition", params=(BlockParam("channels", "int", 64),),
                     sequential=True)
    b.input()
    b.add("BatchNorm2d", "norm")
    b.add("ReLU", "relu")
    b.add("Conv2d", "conv", filters="{channels}", kernel_size=1, bias=False, init="kaiming")
    b.add("AvgPool2d", "pool", kernel_size=2, stride=2)
    b.output()
    return b.definition


def densenet(size: int = 16, growth: int = 4, layers=(2, 3, 2)) -> GraphDocument:
    d = DesignBuilder("Mini DenseNet")
    d.add("Input", "image", after=None, shape=[3, size, size])
    d.add("Conv2d", "conv0", filters=2 * growth, kernel_size=3, padding=1, bias=False)
    add_definitions(d.doc, dense_layer(), dense_block(), transition())
    channels = 2 * growth
    for i, n in enumerate(layers):
        chain_blocks(d, [(f"denseblock{i + 1}", "dense_block", {"layers": n, "growth": growth},
                          1)])
        channels += n * growth
        if i < len(layers) - 1:
            channels //= 2
            chain_blocks(d, [(f"transition{i + 1}", "transition", {"channels": channels}, 1)])
    d.add("GlobalAvgPool", "pool")
    d.add("Dense", "classifier", units=10)
    return d.doc


def two_stream(repeat: int = 3) -> GraphDocument:
    """A block with two inputs and two outputs (a mixing step), repeated."""
    b = BlockBuilder("mix", "Mix", params=(BlockParam("units", "int", 6),))
    a = b.input("a")
    c = b.input("b", row=1)
    b.add("Dense", "left", after=a, units="{units}")
    b.add("Dense", "right", after=c, row=1, units="{units}")
    b.add("Add", "sum", after=["left", "right"])
    b.add("Multiply", "gate", after=["left", "right"], row=1)
    b.output("a_out", after="sum")
    b.output("b_out", after="gate", row=1)
    d = DesignBuilder("Two streams")
    x = d.add("Input", "x", after=None, shape=[5])
    y = d.add("Input", "y", after=None, shape=[7], row=1)
    add_definitions(d.doc, b.definition)
    nid = "mixer"
    d.doc.nodes[nid] = Node(nid, BLOCK, block_params("mix", {"units": 6}, repeat), "mixer")
    d.doc.edges += [Edge(x, nid, "out", "in"), Edge(y, nid, "out", "in_2")]
    d.doc.nodes["head"] = Node("head", "Dense", {"units": 2}, "head")
    d.doc.edges.append(Edge(nid, "head", "out_2", "in"))
    return d.doc

"""Imports keep the author's structure: each module class is one shared block definition, its
differing constructor numbers are block parameters, nn.Sequential is numbered as torch
numbers it, and the built model's state_dict names are the original's without a mapping.
If the nested design ever differs from the original, the flat design is kept instead."""

from __future__ import annotations

import textwrap

import pytest
import torch
from import_cases import MODELS

from backend.build import build_model
from backend.codegen import python_module
from backend.importer import nesting
from backend.importer.fx import import_file, import_module
from backend.importer.names import state_prefixes
from backend.importer.user_code import instantiate, load_class


def _blocks(doc) -> list:
    return [n for n in doc.nodes.values() if n.type == "Block"]


def _original(name: str, cls: str):
    torch.manual_seed(0)
    return instantiate(load_class(MODELS / name, cls), [], {}).eval()


def test_a_class_used_three_times_is_one_definition_with_its_arguments():
    result = import_file(MODELS / "convblock_reuse.py", [[3, 32, 32]], "SmallCNN")
    doc = result.doc
    assert [d.title for d in doc.blocks.values()] == ["ConvBlock"]
    convblock = next(iter(doc.blocks.values()))
    assert convblock.note == "Conv, batch norm, ReLU and a 2x2 max pool."
    assert [(p.name, p.kind) for p in convblock.params] == [
        ("out_channels", "int"), ("kernel_size", "int"), ("dropout", "float")]
    assert convblock.graph.nodes["conv"].params == {
        "filters": "{out_channels}", "kernel_size": "{kernel_size}",
        "padding": "{kernel_size // 2}", "bias": False}
    assert [(b.title, b.params["args"]) for b in _blocks(doc)] == [
        ("block1", {"out_channels": 16, "kernel_size": 5, "dropout": 0.1}),
        ("block2", {"out_channels": 32, "kernel_size": 3, "dropout": 0.1}),
        ("block3", {"out_channels": 64, "kernel_size": 3, "dropout": 0.2})]
    assert state_prefixes(doc) == {}  # the built model has the original's names
    code = python_module(doc).code
    assert "class ConvBlock(nn.Module):" in code and "ORIGINAL_NAMES" not in code
    assert "self.block1 = ConvBlock(in_channels=3, out_channels=16, kernel_size=5, " \
        "dropout=0.1)" in code


def test_resnet_stages_keep_torchvision_names_and_repeat_their_blocks():
    result = import_file(MODELS / "resnet_small.py", [[3, 32, 32]], "ResNet")
    doc = result.doc
    layer1, layer2 = _blocks(doc)
    assert (layer1.title, layer1.params["repeat"]) == ("layer1", 2)
    assert doc.blocks[layer1.params["definition"]].title == "BasicBlock"
    stage = doc.blocks[layer2.params["definition"]]
    assert stage.sequential and [n.title for n in stage.graph.nodes.values()] == [
        "x", "0", "1", "out"]
    assert sorted(d.title for d in doc.blocks.values()) == [
        "BasicBlock", "BasicBlockWithDownsample", "Downsample", "Layer"]
    original = _original("resnet_small.py", "ResNet")
    built = build_model(doc)
    assert list(built.state_dict()) == list(original.state_dict())  # names and order
    assert state_prefixes(doc) == {}
    namespace: dict = {}
    exec(python_module(doc).code, namespace)  # noqa: S102 (our own export)
    exported = namespace["ResNet"]().eval()
    exported.load_state_dict(original.state_dict(), strict=True)
    x = torch.randn(2, 3, 32, 32)
    assert torch.allclose(exported(x), original(x), atol=1e-5)


def test_sequences_inside_sequences_are_numbered_like_torch():
    result = import_file(MODELS / "nested_sequential.py", [[20]], "DeepMLP")
    original = _original("nested_sequential.py", "DeepMLP")
    assert sorted(build_model(result.doc).state_dict()) == sorted(original.state_dict())
    (net,) = _blocks(result.doc)
    body = result.doc.blocks[net.params["definition"]]
    inner = [n for n in body.graph.nodes.values() if n.type == "Block"]
    assert [n.title for n in inner] == ["0", "1", "2"]  # net.1 is a sequence of its own
    repeated = result.doc.blocks[inner[1].params["definition"]]
    (copies,) = [n for n in repeated.graph.nodes.values() if n.type == "Block"]
    assert copies.params["repeat"] == 2 and copies.params["definition"] == \
        inner[0].params["definition"]


def test_a_module_with_two_inputs_is_a_block_with_two_ports():
    result = import_file(MODELS / "unet_small.py", [[1, 16, 16]], "UNet")
    up = next(d for d in result.doc.blocks.values() if d.title == "Up")
    assert up.inputs() == ["in", "in_2"] and up.outputs() == ["out"]
    uses = [n for n in _blocks(result.doc) if n.params["definition"] == up.id]
    assert [n.title for n in uses] == ["up1", "up2"]
    wired = {(e.src, e.dst_port) for e in result.doc.edges if e.dst == uses[0].id}
    assert {port for _, port in wired} == {"in", "in_2"}
    assert state_prefixes(result.doc) == {}


def test_parameters_without_recorded_arguments_are_named_after_the_layers():
    namespace: dict = {}
    exec(textwrap.dedent(open(MODELS / "convblock_reuse.py").read()), namespace)  # noqa: S102
    model = namespace["SmallCNN"]().eval()
    result = import_module(model, [[3, 32, 32]])  # no constructor arguments recorded
    (convblock,) = result.doc.blocks.values()
    assert [p.name for p in convblock.params] == ["filters", "kernel_size", "p"]


def test_when_the_nested_design_differs_the_flat_one_is_kept(monkeypatch):
    real = nesting.nest

    def wrong(*args):
        nested = real(*args)
        body = next(iter(nested.doc.blocks.values())).graph
        body.nodes["relu"].type = "Sigmoid"  # computes something else than the module
        return nested

    monkeypatch.setattr(nesting, "nest", wrong)
    result = import_file(MODELS / "convblock_reuse.py", [[3, 32, 32]], "SmallCNN")
    assert not result.doc.blocks and not _blocks(result.doc)
    assert len(result.warnings) == 1 and "not kept as blocks" in result.warnings[0]
    assert "block1_conv" in {n.title for n in result.doc.nodes.values()}


@pytest.mark.slow
def test_torchvision_resnet18_imports_with_its_own_state_dict_names():
    from reference_models import torchvision_models

    model = torchvision_models().resnet18(weights=None, num_classes=10).eval()
    result = import_module(model, [[3, 32, 32]])
    assert state_prefixes(result.doc) == {} and not result.warnings
    assert sorted(build_model(result.doc).state_dict()) == sorted(model.state_dict())

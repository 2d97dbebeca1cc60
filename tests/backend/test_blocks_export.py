"""Blocks through build, Python export, ONNX and probes: the model the app trains is the model
you export, through nested and repeated blocks.

ResNet-18 built from blocks is compared with a reference written here in plain torch in
torchvision's layout: the same parameter names, shapes and order, and the same outputs for the
same weights.
"""

from __future__ import annotations

import pytest
import torch
from block_designs import densenet, resnet18, two_stream
from test_block_ops import block_doc
from torch import nn

from backend.build import build_model
from backend.codegen import python_module
from backend.shapes import analyse
from backend.training.probes import GradientProbe, feature_maps, node_modules


# -- a reference ResNet-18 in torchvision's layout (module names and registration order) ----
class RefBasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class RefResNet18(nn.Module):
    def __init__(self, width: int = 64, classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        widths = [width, width * 2, width * 4, width * 8]
        cin = width
        for k, cout in enumerate(widths):
            stride = 1 if k == 0 else 2
            setattr(self, f"layer{k + 1}", nn.Sequential(RefBasicBlock(cin, cout, stride),
                                                         RefBasicBlock(cout, cout, 1)))
            cin = cout
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for k in range(1, 5):
            x = getattr(self, f"layer{k}")(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _randomise_stats(model: nn.Module) -> None:
    """Non-trivial running statistics, so a swapped BatchNorm would show."""
    gen = torch.Generator().manual_seed(3)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=gen) + 0.5)


def test_resnet18_from_blocks_is_torchvisions_layer_by_layer():
    doc = resnet18()
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    assert analysis.total_params == 11_689_512
    assert analysis.running_stats == 9_600 and analysis.batch_counters == 20
    torch.manual_seed(0)
    ref = RefResNet18().eval()
    _randomise_stats(ref)
    built = build_model(doc, analysis).eval()
    ours, theirs = built.state_dict(), ref.state_dict()
    assert list(ours) == list(theirs)  # the same names in the same order
    assert [v.shape for v in ours.values()] == [v.shape for v in theirs.values()]
    built.load_state_dict(theirs)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(built(x), ref(x))


def _exported(doc, analysis=None):
    source = python_module(doc, analysis)
    namespace: dict = {}
    exec(compile(source.code, "exported.py", "exec"), namespace)  # noqa: S102 (our output)
    return source, namespace[source.class_name]()


CASES = {
    "resnet": lambda: resnet18(width=8, classes=5, size=32),
    "densenet": densenet,
    "two-streams": two_stream,
    "nested": block_doc,
}


@pytest.mark.parametrize("name", CASES)
def test_exported_code_is_the_built_model(name):
    doc = CASES[name]()
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    torch.manual_seed(1)
    built = build_model(doc, analysis).eval()
    _randomise_stats(built)
    source, exported = _exported(doc, analysis)
    assert list(exported.state_dict()) == list(built.state_dict())
    exported.load_state_dict(built.state_dict())
    exported.eval()
    gen = torch.Generator().manual_seed(2)
    xs = [torch.randn(3, *analysis.shapes[i], generator=gen)
          for i, n in doc.nodes.items() if n.type == "Input"]
    with torch.no_grad():
        torch.testing.assert_close(exported(*xs), built(*xs))


def test_one_class_per_definition_with_constructor_arguments():
    code = python_module(densenet()).code
    assert code.count("class DenseLayer(nn.Module)") == 1
    assert code.count("class DenseBlock(nn.Module)") == 1
    assert "class Transition(nn.Sequential)" in code
    assert "for i in range(layers)" in code  # the repeat is a loop over the argument
    assert "DenseBlock(in_channels=8, layers=2, growth=4)" in code
    resnet = python_module(resnet18(width=8, classes=5, size=32)).code
    assert "def __init__(self, in_channels: int, channels: int, stride: int):" in resnet
    assert "for _ in range(blocks - 1)" in resnet
    assert "nn.Sequential(*[BasicBlock(in_channels=8, channels=8, stride=1) for _ in " \
           "range(2)])" in resnet


def test_onnx_through_nested_repeated_blocks(tmp_path):
    pytest.importorskip("onnxruntime")
    from backend.export.onnx import export_onnx

    doc = block_doc()  # nested, repeated, and repeated by an argument
    doc.nodes["stage_1"].params["args"] = {"blocks": 1}  # fewer layers: a faster export
    report = export_onnx(doc, tmp_path / "blocks.onnx")
    assert report.ok, report.max_abs_diff


def test_probes_reach_layers_inside_blocks():
    doc = resnet18(width=4, classes=3, size=32)
    model = build_model(doc)
    inner = "layer1_1/1/conv2"
    assert model.layer_paths[inner] == "layer1.1.conv2"
    assert "layer2_1/first/downsample/conv" in model.layer_paths
    assert model.layer_paths["layer2_1/first/downsample/conv"] == "layer2.0.downsample.0"
    probe = GradientProbe(model)
    assert inner in probe.nodes and "layer1_1" not in probe.nodes  # layers, not blocks
    assert sum(p.numel() for _, ps in probe.groups for p in ps) == \
        sum(p.numel() for p in model.parameters())
    loss = model(torch.randn(2, 3, 32, 32)).sum()
    loss.backward()
    probe.before_step()
    mean, peak, ratio = probe.after_step()
    assert len(mean) == len(probe.nodes) and (mean > 0).all()
    maps, shape = feature_maps(model, inner, torch.randn(1, 3, 32, 32))
    assert shape == (4, 8, 8) and maps.shape[0] == 4
    assert "layer1_1" in node_modules(model)  # a block's own output can be probed too


def test_training_views_name_inner_layers_by_module_path_and_paint_blocks_by_their_worst():
    from backend.module_paths import probe_labels, with_block_heat

    doc = resnet18(width=4, classes=3, size=32)
    labels = probe_labels(doc, analyse(doc))
    assert labels["layer1_1/1/conv2"] == "layer1.1.conv2"
    assert labels["layer2_1"] == "layer2" and labels["fc_1"] == "fc"
    heat = with_block_heat({"fc_1": 0.5, "layer1_1/0/conv1": 0.4, "layer1_1/1/conv2": 0.05})
    assert heat["layer1_1"] == 0.05 and heat["fc_1"] == 0.5

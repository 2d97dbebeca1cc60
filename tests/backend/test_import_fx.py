"""Importing an arbitrary nn.Module through torch.fx (runs the user's code, on request only):
mapped ops become a design with the module's weights and outputs; anything else is listed."""

from __future__ import annotations

import textwrap

import pytest
import torch

from backend.build import build_model
from backend.export.weights import load_into
from backend.importer.fx import FxImportError, import_file, import_module
from backend.project import ProjectFileError, open_any
from backend.shapes import analyse

USER_NET = textwrap.dedent("""
    import torch
    import torch.nn.functional as F
    from torch import nn


    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(c)

        def forward(self, x):
            return F.relu(self.bn(self.conv(x)) + x)


    class SmallNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 8, 3, padding=1)
            self.block = Block(8)
            self.pool = nn.MaxPool2d(2)
            self.side = nn.Conv2d(8, 4, 1)
            self.fc = nn.Linear(12 * 4 * 4, 10)

        def forward(self, x):
            x = self.pool(torch.relu(self.stem(x)))
            x = self.block(x)
            x = torch.cat([x, self.side(x)], dim=1)
            return F.log_softmax(self.fc(torch.flatten(x, 1)), dim=1)
""")


def test_a_user_module_becomes_a_design_with_its_weights(tmp_path):
    path = tmp_path / "user_net.py"
    path.write_text(USER_NET)
    result = import_file(path, [[1, 8, 8]], "SmallNet")
    doc = result.doc
    kinds = [n.type for n in doc.nodes.values()]
    assert kinds == ["Input", "Conv2d", "ReLU", "MaxPool2d", "Block", "Conv2d", "Concatenate",
                     "Flatten", "Dense", "LogSoftmax"]
    block = next(n for n in doc.nodes.values() if n.type == "Block")
    inside = doc.blocks[block.params["definition"]].graph
    assert block.title == "block" and doc.blocks[block.params["definition"]].title == "Block"
    assert [(n.type, n.title) for n in inside.nodes.values()] == [
        ("BlockInput", "x"), ("Conv2d", "conv"), ("BatchNorm2d", "bn"), ("Add", "add"),
        ("ReLU", "relu"), ("BlockOutput", "out")]
    assert inside.nodes["conv"].params == {"filters": 8, "padding": 1, "bias": False}
    assert analyse(doc).total_params == 2638
    model = build_model(doc).eval()
    load_into(model, result.weights)
    namespace: dict = {}
    exec(USER_NET, namespace)  # the test's own module
    torch.manual_seed(0)
    original = namespace["SmallNet"]().eval()
    assert model(torch.zeros(1, 1, 8, 8)).shape == original(torch.zeros(1, 1, 8, 8)).shape


def test_ops_without_a_layer_are_all_listed(tmp_path):
    module = textwrap.dedent("""
        import torch
        from torch import nn

        class Odd(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(4, 4)
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                y = torch.sin(self.fc(x))
                return y.view(-1, 2) * 2
    """)
    path = tmp_path / "odd.py"
    path.write_text(module)
    with pytest.raises(FxImportError) as info:
        import_file(path, [[4]])
    message = str(info.value)
    assert "3 operation(s) of Odd have no Netwright layer" in message
    assert "torch.sin" in message and ".view()" in message and "operator.mul with a constant" \
        in message
    assert "\n" not in message


def test_data_dependent_control_flow_is_explained():
    class Branchy(torch.nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x

    with pytest.raises(FxImportError, match="Branchy.forward decides on tensor values"):
        import_module(Branchy(), [[3]])


def test_wrong_class_or_input_count_are_sentences(tmp_path):
    path = tmp_path / "user_net.py"
    path.write_text(USER_NET)
    with pytest.raises(FxImportError, match="2 nn.Module classes .*say which"):
        import_file(path, [[1, 8, 8]])
    with pytest.raises(FxImportError, match="no nn.Module named 'Nope'"):
        import_file(path, [[1, 8, 8]], "Nope")
    with pytest.raises(FxImportError, match="takes 1 inputs but 2 input shapes"):
        import_file(path, [[1, 8, 8], [3]], "SmallNet")


def test_opening_a_user_module_never_runs_it(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "user_net.py"
    path.write_text(f"open({str(marker)!r}, 'w').close()\n" + USER_NET)
    with pytest.raises(ProjectFileError, match="import its nn.Module explicitly"):
        open_any(path)
    assert not marker.exists()


def test_submodules_named_like_graph_module_attributes_import():
    class AE(torch.nn.Module):  # `code` and `graph` once crashed the tracer's GraphModule
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.Linear(8, 3)
            self.code = torch.nn.ReLU()
            self.graph = torch.nn.Linear(3, 8)

        def forward(self, x):
            return self.graph(self.code(self.encoder(x)))

    doc = import_module(AE(), [[8]]).doc
    assert [(n.type, n.title) for n in doc.nodes.values()] == [
        ("Input", "x"), ("Dense", "encoder"), ("ReLU", "code"), ("Dense", "graph")]

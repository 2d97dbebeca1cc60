"""The layers torchvision-style networks need — ceil-mode pooling, adaptive pooling and
broadcasting Add/Multiply — through the whole path: shapes, build, exported code, ONNX."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from backend.export.onnx import export_onnx
from backend.shapes import analyse
from backend.templates.builder import DesignBuilder

sys.path.insert(0, str(Path(__file__).parent))
from test_codegen import assert_same_outputs  # noqa: E402


def se_doc(size: int = 23) -> DesignBuilder:
    """A stem with a ceil-mode pool, a squeeze-and-excitation gate (a (C, 1, 1) Multiply), a
    broadcasting Add and an adaptive-pool classifier that works for any input size."""
    b = DesignBuilder("SE gate")
    b.add("Input", "image", after=None, shape=[3, size, size])
    stem = b.add("Conv2d", "stem", filters=8, kernel_size=3, stride=2)
    pool = b.add("MaxPool2d", "pool", kernel_size=3, stride=2, ceil_mode=True)
    b.add("AdaptiveAvgPool2d", "squeeze", output_size=1)
    b.add("Conv2d", "fc1", filters=2, kernel_size=1)
    b.add("ReLU", "relu")
    b.add("Conv2d", "fc2", filters=8, kernel_size=1)
    gate = b.add("Sigmoid", "gate")
    scaled = b.add("Multiply", "scale", after=[gate, pool])
    bias = b.add("AdaptiveMaxPool2d", "row_max", after=stem, output_size=[1, 1])
    b.add("Add", "shift", after=[scaled, bias])
    b.add("AdaptiveAvgPool2d", "avgpool", output_size=[3, 2])
    b.add("Flatten", "flatten")
    b.add("Dense", "fc", units=5)
    return b


@pytest.mark.parametrize("size", [23, 40])
def test_shapes_follow_torch_at_any_input_size(size):
    doc = se_doc(size).doc
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    by_title = {n.title: analysis.shapes[nid] for nid, n in doc.nodes.items()}
    n = (size - 3) // 2 + 1
    assert by_title["pool"][1] == -(-(n - 3) // 2) + 1  # rounded up
    assert by_title["squeeze"] == (8, 1, 1) and by_title["scale"] == by_title["pool"]
    assert by_title["avgpool"] == (8, 3, 2) and by_title["fc"] == (5,)
    assert_same_outputs(doc)  # build = exported code, weights loaded by name


def test_onnx_export_matches_torch(tmp_path):
    torch.manual_seed(0)
    report = export_onnx(se_doc(23).doc, tmp_path / "se.onnx")
    assert report.ok, report.max_abs_diff


def test_a_gate_of_the_wrong_width_names_the_node_and_the_fix():
    b = se_doc()
    fc2 = next(nid for nid, n in b.doc.nodes.items() if n.title == "fc2")
    b.doc.nodes[fc2].params["filters"] = 4
    problems = analyse(b.doc).problems
    assert len(problems) == 1
    message = problems[0].message
    assert message.startswith("Multiply 'scale' cannot broadcast (B, 4, 1, 1) with (B, 8, 5, 5)")
    assert "equal or 1" in message and "1×1 Conv2d" in message

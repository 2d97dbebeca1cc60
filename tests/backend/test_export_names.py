"""Exported code works whatever the design and its layers are named: names train.py or Python
already use (Run, Batches, SETTINGS, DATASET, F, keywords, builtins) never shadow them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from backend.codegen.model import class_name, reserved_names
from backend.export.python import export_python
from backend.project import doc_to_dict, from_dict
from backend.templates import make_template

TRAPS = ["Run", "Batches", "SETTINGS", "DATASET", "F", "class", "print", "main", "torch"]


def test_class_names_never_take_a_name_train_py_or_python_uses():
    for name in TRAPS + ["run", "batches", "f", "Exception", "np", "nn", "load_data", "None"]:
        cls = class_name(name)
        assert cls.isidentifier() and cls not in reserved_names(), (name, cls)
    assert {"Run", "Batches", "SETTINGS", "DATASET", "F", "main", "Exception"} <= \
        reserved_names()
    assert class_name("LeNet-5") == "LeNet5"


def _renamed(name: str):
    """LeNet-5 named `name`, with a layer titled and identified `name` too."""
    data = doc_to_dict(make_template("lenet5"))
    data["name"] = name
    old = data["nodes"][2]["id"]
    data["nodes"][2].update(id=name, title=name)
    for edge in data["edges"]:
        for end in ("from", "to"):
            edge[end] = name if edge[end] == old else edge[end]
    return from_dict(data)


CHECK = textwrap.dedent("""
    import importlib, sys, types
    import torch
    import torch.nn.functional as functional
    for folder, cls in {cases!r}:
        sys.path.insert(0, folder)
        for mod in ("model", "train"):
            sys.modules.pop(mod, None)
        model = importlib.import_module("model")
        train = importlib.import_module("train")
        net = getattr(model, cls)()
        assert getattr(train, cls) is getattr(model, cls), (folder, cls)
        assert train.F is functional and isinstance(train.Run, type), (folder, cls)
        assert isinstance(train.SETTINGS, dict) and isinstance(train.DATASET, dict)
        assert callable(train.main) and isinstance(train.np, types.ModuleType)
        assert net(torch.randn(2, 1, 32, 32)).shape == (2, 10), (folder, cls)
        sys.path.remove(folder)
    print("ok")
""")


def test_exported_code_runs_whatever_the_design_is_named(tmp_path):
    cases = []
    for k, name in enumerate(TRAPS):
        folder = tmp_path / f"e{k}"
        folder.mkdir()
        _, cls = export_python(_renamed(name), folder / "model.py")
        cases.append((str(folder), cls))
    result = subprocess.run([sys.executable, "-c", CHECK.format(cases=cases)],
                            capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "ok", result.stderr[-2000:]


@pytest.mark.slow
def test_train_py_of_a_design_named_run_trains(tmp_path):
    doc = make_template("mlp")
    doc.name = "Run"
    doc.sections["training"].update(epochs=1)
    export_python(doc, tmp_path / "model.py")
    result = subprocess.run([sys.executable, "train.py", "--epochs", "1", "--device", "cpu"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "model_trained.safetensors").exists()

"""train.py export: same data as the app, the design's settings, runs without Netwright in one
process and under torchrun with two processes (gloo on CPU)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from backend.codegen import ExportError, python_module, train_data, train_runtime, train_script
from backend.data import DataConfig, make_splits
from backend.templates import make_template
from backend.templates.builder import DesignBuilder
from backend.training import Trainer
from backend.training.config import TrainingConfig

BLOCKER = """import sys


class _NoNetwright:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("backend", "designer"):
            raise ImportError(f"{name} is not installed here")
        return None


sys.meta_path.insert(0, _NoNetwright())
"""
TORCHRUN = [sys.executable, "-m", "torch.distributed.run"]  # torchrun, wherever torch is


def xor_doc(**training):
    b = DesignBuilder("XOR net")
    b.add("Input", "points", after=None, shape=[2])
    b.add("Dense", "hidden", units=8)
    b.add("ReLU", "relu")
    b.add("Dense", "classes", units=2)
    b.section("dataset", {"name": "xor", "samples": 240})
    b.section("training", {"epochs": 2, "batch_size": 16, "optimizer": "sgd_momentum",
                           "lr": 0.05, "schedule": "cosine", **training})
    return b.doc


def export_to(folder: Path, doc, module="xor_net") -> Path:
    source = python_module(doc)
    (folder / f"{module}.py").write_text(source.code)
    (folder / "train.py").write_text(train_script(doc, module, source.class_name))
    blocker = folder / "blocker"
    blocker.mkdir(exist_ok=True)
    (blocker / "sitecustomize.py").write_text(BLOCKER)
    return folder


def run_env(folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(PYTHONPATH=str(folder / "blocker"), OMP_NUM_THREADS="1")
    return env


def literal(code: str, name: str):
    for stmt in ast.parse(code).body:
        if isinstance(stmt, ast.Assign) and stmt.targets[0].id == name:
            return ast.literal_eval(stmt.value)
    raise AssertionError(f"{name} not found")


CASES = [("digits", {}), ("digits", {"resize": 12, "channels": 3}), ("digits", {"flatten": True}),
         ("iris", {}), ("wine", {}), ("breast_cancer", {}), ("diabetes", {}), ("moons", {}),
         ("circles", {"noise": 0.2}), ("spirals", {"classes": 4}), ("xor", {"seed": 3}),
         ("sine", {"window": 7}), ("sine", {"window": 5, "per_step": True})]


@pytest.mark.parametrize(("name", "options"), CASES)
def test_train_py_loads_and_splits_the_same_data_as_the_app(name, options):
    config = DataConfig.from_section({"name": name, **options})
    data = config.load()
    func, extra = train_data.LOADERS[name]
    x, y, info = getattr(train_data, func)({**config.options, **extra})
    assert np.array_equal(x, data.x) and np.array_equal(y, data.y)
    assert info["task"] == data.info.task and info["kind"] == data.info.kind
    assert info["num_classes"] == data.info.num_classes
    app = make_splits(data, 0.2, 0.1, config.seed, config.normalise)
    ours = train_runtime.split_data(x, y, info["kind"], 0.2, 0.1, config.seed,
                                    config.normalise)
    for split, (sx, sy) in zip((app.train, app.val, app.test), ours, strict=True):
        assert np.allclose(split.x, sx) and np.array_equal(split.y, sy)


def test_every_bundled_dataset_has_a_loader():
    from backend.data import source_names

    bundled = {"digits", "iris", "wine", "breast_cancer", "diabetes", "moons", "circles",
               "spirals", "xor", "sine"}
    assert bundled <= set(source_names())
    assert bundled == set(train_data.LOADERS)


def test_train_py_holds_the_designs_settings():
    doc = xor_doc(weight_decay=0.01, clip_norm=1.0, seed=7)
    code = train_script(doc, "xor_net", "XORNet")
    settings = literal(code, "SETTINGS")
    assert settings == TrainingConfig.from_section(doc.sections["training"]).to_section()
    assert settings["optimizer"] == "sgd_momentum" and settings["clip_norm"] == 1.0
    assert literal(code, "DATASET")["samples"] == 240
    assert "from xor_net import XORNet" in code
    assert "def load_xor(o):" in code and "def load_digits" not in code


def test_bad_settings_and_module_names_are_refused():
    with pytest.raises(ExportError, match="training settings are invalid"):
        train_script(xor_doc(optimizer="adamm"), "xor_net", "XORNet")
    with pytest.raises(ExportError, match="letters, digits and underscores"):
        train_script(xor_doc(), "my-net", "XORNet")


def test_train_py_trains_without_netwright_and_its_weights_load(tmp_path):
    folder = export_to(tmp_path, xor_doc())
    result = subprocess.run([sys.executable, "train.py", "--epochs", "2", "--device", "cpu"],
                            cwd=folder, env=run_env(folder), capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "epoch 2/2" in result.stdout and "test accuracy" in result.stdout
    app = Trainer(xor_doc(device="cpu")).run()  # the same run inside the app
    printed = re.findall(r"train loss ([0-9.]+)  val loss ([0-9.]+)", result.stdout)
    assert [(f"{h['train_loss']:.4f}", f"{h['val_loss']:.4f}") for h in app.history] == printed
    assert f"test loss {app.test_loss:.4f}" in result.stdout
    namespace = {"__name__": "xor_net"}
    exec((folder / "xor_net.py").read_text(), namespace)  # the file we just generated
    model = namespace["XORNet"]()
    model.load_state_dict(load_file(folder / "xor_net_trained.safetensors"))
    assert tuple(model(torch.zeros(4, 2)).shape) == (4, 2)


def test_train_py_runs_under_torchrun_with_two_processes(tmp_path):
    folder = export_to(tmp_path, xor_doc(early_stopping=5))
    result = subprocess.run([*TORCHRUN, "--standalone", "--nproc_per_node=2", "train.py",
                             "--epochs", "2", "--device", "cpu", "--out", "ddp.safetensors"],
                            cwd=folder, env=run_env(folder), capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "on 2 processes" in result.stdout
    assert result.stdout.count("epoch 1/2") == 1  # only rank 0 prints
    assert result.stdout.count("saved weights") == 1 and (folder / "ddp.safetensors").exists()


def test_template_train_scripts_compile():
    for name in ("mlp", "lenet5", "lstm-sine", "conv-autoencoder"):
        doc = make_template(name)
        source = python_module(doc)
        compile(train_script(doc, "model", source.class_name), "train.py", "exec")

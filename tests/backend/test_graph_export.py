"""Exporting graph networks: the model reads as a practitioner writes it, ONNX takes any
number of nodes, and train.py loads the app's graph and trains to the app's losses, alone
and under torchrun."""

import re
import subprocess
import sys

import numpy as np
import pytest
from test_codegen_train import TORCHRUN, export_to, literal, run_env

from backend.codegen import python_module, train_graphs, train_script
from backend.data import DataConfig, load_dataset
from backend.data.files import data_folder
from backend.export.onnx import export_onnx
from backend.templates import make_template
from backend.training import Trainer


def test_exported_gcn_reads_like_a_practitioners_code():
    code = python_module(make_template("gcn-karate")).code
    assert "class GCNConv(nn.Module):" in code and "import torch_geometric" not in code
    assert "    def forward(self, x: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:" in code
    assert "        gcn1 = self.gcn1(x, adj)  # (N, 16)" in code
    assert "Inputs: x (N, 34), adj (N, N)" in code
    gae = python_module(make_template("graph-autoencoder")).code
    assert "        decoder = self.decoder(embedding)  # (N, N)" in gae


def test_onnx_takes_graphs_of_any_size(tmp_path):
    report = export_onnx(make_template("graph-autoencoder"), tmp_path / "g.onnx")
    assert report.ok and report.batch_checked == 7  # traced on 4 nodes, checked on 7


def write_graph_files(folder):
    (folder / "e.csv").write_text("src,dst\na,b\nb,c\nc,a\nc,d\nd,e\n")
    (folder / "n.csv").write_text("id,w,label,split\na,1.5,x,train\nb,2,y,train\nc,0,x,val\n"
                                  "d,1,y,test\ne,3,,\n")
    np.savez(folder / "g.npz", edge_index=np.array([[0, 1, 2, 3], [1, 2, 3, 4]]),
             x=np.arange(10.0).reshape(5, 2), y=np.array([0, 1, 0, 1, -1]))


@pytest.mark.parametrize("section", [
    {"name": "karate", "train_per_class": 3},
    {"name": "sbm", "sizes": [6, 9], "p_in": 0.5, "p_out": 0.1, "seed": 4, "feature_dim": 3},
    {"name": "sbm", "sizes": [5, 5, 5], "probabilities": [[0.9, 0.1, 0], [0.1, 0.9, 0.1],
                                                          [0, 0.1, 0.9]], "features": "identity"},
    {"name": "graph_csv", "path": "e.csv", "nodes": "n.csv"},
    {"name": "graph_csv", "path": "e.csv"},
    {"name": "graph_npz", "path": "g.npz"},
])
def test_train_py_loads_the_apps_graph(tmp_path, section, monkeypatch):
    write_graph_files(tmp_path)
    monkeypatch.chdir(tmp_path)  # train.py finds data files in the current folder too
    with data_folder(tmp_path):
        config = DataConfig.from_section(section)
        data = load_dataset(section)
    func, _ = train_graphs.LOADERS[section["name"]]
    x, y, info = getattr(train_graphs, func)(config.options)
    graph = info["graph"]
    np.testing.assert_array_equal(x, data.x)
    np.testing.assert_array_equal(y, data.y)
    np.testing.assert_array_equal(graph["edges"], data.edges)
    assert info["num_classes"] == data.info.num_classes
    assert (graph["masks"] is None) == (data.masks is None)
    for k in (data.masks or {}):
        np.testing.assert_array_equal(graph["masks"][k], data.masks[k])


def app_run(doc):
    doc = doc.copy()
    doc.sections["training"]["device"] = "cpu"
    return Trainer(doc).run()


@pytest.mark.parametrize("name, epochs", [("gcn-karate", 4), ("graph-autoencoder", 3)])
def test_train_py_trains_without_netwright_to_the_apps_losses(tmp_path, name, epochs):
    doc = make_template(name)
    doc.sections["training"]["epochs"] = epochs
    folder = export_to(tmp_path, doc, "graph_net")
    code = (folder / "train.py").read_text()
    assert literal(code, "SETTINGS")["task"] == doc.sections["training"]["task"]
    assert "def node_split(" in code and "def load_data(options):" in code
    result = subprocess.run([sys.executable, "train.py", "--device", "cpu"], cwd=folder,
                            env=run_env(folder), capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    app = app_run(doc)
    printed = re.findall(r"train loss ([0-9.]+).*  val loss ([0-9.]+)", result.stdout)
    assert [(f"{h['train_loss']:.4f}", f"{h['val_loss']:.4f}") for h in app.history] == printed
    if name == "graph-autoencoder":
        assert f"val auc {app.history[-1]['val_terms']['auc']:.4f}" in result.stdout
    else:
        assert f"test accuracy {app.test_accuracy:.2%}" in result.stdout


@pytest.mark.slow
def test_graph_train_py_runs_under_torchrun(tmp_path):
    doc = make_template("graph-autoencoder")
    doc.sections["training"]["epochs"] = 2
    folder = export_to(tmp_path, doc, "gae")
    result = subprocess.run([*TORCHRUN, "--standalone", "--nproc_per_node=2", "train.py",
                             "--device", "cpu", "--out", "ddp.safetensors"], cwd=folder,
                            env=run_env(folder), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "on 2 processes" in result.stdout and result.stdout.count("epoch 2/2") == 1
    assert (folder / "ddp.safetensors").exists()


def test_every_graph_template_exports_a_compiling_train_py():
    for name in ("gcn-karate", "gcn-sbm", "mlp-sbm", "graph-autoencoder"):
        doc = make_template(name)
        source = python_module(doc)
        compile(train_script(doc, "model", source.class_name), "train.py", "exec")


def test_projects_keep_graph_settings_and_the_cli_trains_them(tmp_path, capsys):
    import json

    from backend.cli import main
    from backend.project import load_design, open_project

    path = tmp_path / "gae.nwproj"
    assert main(["new", "--template", "graph-autoencoder", "-o", str(path)]) == 0
    assert main(["train", str(path), "--epochs", "2", "--json", "--device", "cpu"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()
            if line.startswith("{")]
    assert [r["epoch"] for r in rows] == [1, 2]
    assert set(rows[-1]["terms"]) == set(rows[-1]["val_terms"]) == {"auc", "ap"}
    project = open_project(path)
    assert project.doc.sections["dataset"] == {"name": "sbm", "sizes": [40] * 8,
                                               "p_in": 0.25, "p_out": 0.004}
    assert project.doc.sections["training"]["task"] == "link_prediction"
    assert len(project.runs) == 1
    design = tmp_path / "karate.json"
    assert main(["new", "--template", "gcn-karate", "-o", str(design)]) == 0
    assert load_design(design).sections["dataset"] == {"name": "karate", "train_per_class": 4}

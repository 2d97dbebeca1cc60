"""Exporting generative designs: train.py reproduces the recipe (the same losses as the app
for a VAE, a GAN and a sparse denoising autoencoder) with only torch, also under torchrun;
ONNX writes each network and part; the weights load into the exported classes."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from safetensors.torch import load_file
from test_codegen_train import TORCHRUN, export_to, run_env

from backend.build import build_model
from backend.export.onnx import export_onnx_parts, onnx_files
from backend.export.weights import encode_weights
from backend.shapes import analyse
from backend.templates import make_template
from backend.training import Trainer


def small(name: str, **training):
    doc = make_template(name)
    doc.sections["training"].update(epochs=2, val_fraction=0.4, test_fraction=0.3,
                                    cpu_threads=1, **training)
    return doc


def run_train_py(folder, *args, timeout=300):
    result = subprocess.run([sys.executable, "train.py", "--epochs", "2", "--device", "cpu",
                             *args], cwd=folder, env=run_env(folder), capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stdout


def exported(tmp_path, doc, module="net"):
    from backend.codegen import python_module, train_script

    source = python_module(doc)
    (tmp_path / f"{module}.py").write_text(source.code)
    folder = export_to(tmp_path, doc, module)
    (folder / "train.py").write_text(train_script(doc, module, source.classes))
    return folder, source


def test_vae_train_py_gives_the_apps_losses_and_weights_that_load(tmp_path):
    doc = small("vae")
    folder, source = exported(tmp_path, doc)
    out = run_train_py(folder)
    app = Trainer(doc).run()
    printed = re.findall(r"train loss ([0-9.]+)  reconstruction ([0-9.]+)  kl ([0-9.]+)  "
                         r"val loss ([0-9.]+)", out)
    want = [(f"{h['train_loss']:.4f}", f"{h['terms']['reconstruction']:.4f}",
             f"{h['terms']['kl']:.4f}", f"{h['val_loss']:.4f}") for h in app.history]
    assert printed == want
    ns = {"__name__": "net"}
    exec((folder / "net.py").read_text(), ns)  # the file we just generated
    model = ns[source.class_name]()
    model.load_state_dict(load_file(folder / "net_trained.safetensors"))
    assert tuple(model.decode(torch.zeros(3, 2)).shape) == (3, 1, 8, 8)


def test_gan_train_py_alternates_like_the_app_and_saves_both_networks(tmp_path):
    doc = small("gan", d_steps=2)
    folder, source = exported(tmp_path, doc)
    out = run_train_py(folder)
    assert "training Generator and Discriminator" in out
    app = Trainer(doc).run()
    printed = re.findall(r"D loss ([0-9.]+)  G loss ([0-9.]+)", out)
    assert printed == [(f"{h['terms']['d_loss']:.4f}", f"{h['terms']['g_loss']:.4f}")
                       for h in app.history]
    weights = load_file(folder / "net_trained.safetensors")
    assert {k.split(".")[0] for k in weights} == {"generator", "discriminator"}
    ns = {"__name__": "net"}
    exec((folder / "net.py").read_text(), ns)  # the file we just generated
    generator = ns["Generator"]()
    generator.load_state_dict({k[len("generator."):]: v for k, v in weights.items()
                               if k.startswith("generator.")})
    assert tuple(generator(torch.randn(5, 16)).shape) == (5, 1, 8, 8)


def test_sparse_denoising_autoencoder_train_py_matches_the_app(tmp_path):
    doc = small("sparse-autoencoder")
    doc.sections["dataset"].update(corruption="masking", corruption_level=0.3)
    folder, _ = exported(tmp_path, doc)
    out = run_train_py(folder)
    app = Trainer(doc).run()
    printed = re.findall(r"train loss ([0-9.]+)  reconstruction [0-9.]+  sparsity ([0-9.]+)"
                         r"  val loss ([0-9.]+)", out)
    assert printed == [(f"{h['train_loss']:.4f}", f"{h['terms']['sparsity']:.4f}",
                        f"{h['val_loss']:.4f}") for h in app.history]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["vae", "gan"])
def test_vae_and_gan_train_py_run_under_torchrun(tmp_path, name):
    folder, _ = exported(tmp_path, small(name))
    result = subprocess.run([*TORCHRUN, "--standalone", "--nproc_per_node=2", "train.py",
                             "--epochs", "2", "--device", "cpu", "--out", "ddp.safetensors"],
                            cwd=folder, env=run_env(folder), capture_output=True, text=True,
                            timeout=400)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "on 2 processes" in result.stdout and result.stdout.count("epoch 2/2") == 1
    assert (folder / "ddp.safetensors").exists()


def test_onnx_writes_the_encoder_and_decoder_of_a_vae_with_its_weights(tmp_path):
    doc = make_template("vae")
    torch.manual_seed(3)
    trained = build_model(doc).eval()
    path = tmp_path / "vae.onnx"
    assert [f.name for _, f in onnx_files(doc, path)] == ["vae.onnx", "vae-encoder.onnx",
                                                           "vae-decoder.onnx"]
    reports = dict(export_onnx_parts(doc, path, encode_weights(trained.state_dict())))
    assert all(r.ok for r in reports.values())
    x, z = torch.rand(4, 1, 8, 8), torch.randn(4, 2)
    decoder = ort.InferenceSession(str(tmp_path / "vae-decoder.onnx"))
    encoder = ort.InferenceSession(str(tmp_path / "vae-encoder.onnx"))
    (got,) = decoder.run(None, {"z": z.numpy()})
    mu, log_var = encoder.run(None, {"digits": x.numpy()})
    with torch.no_grad():
        assert np.allclose(got, trained.run_from({"z_1": z}).numpy(), atol=1e-4)
        assert np.allclose(mu, trained.mu(trained.enc_relu(trained.enc_hidden(
            trained.flatten(x)))).numpy(), atol=1e-4)
    assert log_var.shape == (4, 2)


def test_onnx_writes_the_generator_and_discriminator_of_a_gan(tmp_path):
    from backend.build import build_networks
    from backend.training.recipes.parts import design_networks

    doc = make_template("dcgan")
    nets = build_networks(design_networks(doc, analyse(doc))).eval()
    reports = export_onnx_parts(doc, tmp_path / "dcgan.onnx",
                                encode_weights(nets.state_dict()))
    assert [role for role, _ in reports] == ["generator", "discriminator"]
    assert all(r.ok for _, r in reports)
    proto = onnx.load(str(tmp_path / "dcgan-generator.onnx"))
    assert [i.name for i in proto.graph.input] == ["noise"]
    z = torch.randn(2, 32)
    (got,) = ort.InferenceSession(str(tmp_path / "dcgan-generator.onnx")).run(
        None, {"noise": z.numpy()})
    with torch.no_grad():
        assert np.allclose(got, nets.generator(z).numpy(), atol=1e-4)

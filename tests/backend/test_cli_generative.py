"""The command line on generative designs: summary shows both networks of a GAN, train prints
every loss term (JSON too) and the run's warnings, export writes each network."""

from __future__ import annotations

import json

from backend.cli import main
from backend.project import save_design
from backend.templates import make_template


def saved(tmp_path, name, **training):
    doc = make_template(name)
    doc.sections["training"].update(val_fraction=0.4, test_fraction=0.3, cpu_threads=1,
                                    **training)
    path = tmp_path / f"{name}.json"
    save_design(doc, path)
    return path


def test_summary_shows_the_generator_and_the_discriminator(tmp_path, capsys):
    path = saved(tmp_path, "gan")
    assert main(["summary", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Generator (10,432 params)" in text and "Discriminator (8,449 params)" in text
    assert text.index("Generator") < text.index("noise") < text.index("Discriminator") \
        < text.index("score")
    assert main(["summary", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(n["role"], n["params"]) for n in data["networks"]] == [
        ("generator", 10_432), ("discriminator", 8_449)]
    assert data["total_params"] == 18_881


def test_train_prints_each_loss_term_of_a_gan(tmp_path, capsys):
    path = saved(tmp_path, "gan")
    assert main(["train", str(path), "--epochs", "2", "--json"]) == 0
    out = capsys.readouterr()
    rows = [json.loads(line) for line in out.out.strip().splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2]
    assert set(rows[0]["terms"]) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert rows[0]["val_loss"] is None and set(rows[0]["val_terms"]) == set(rows[0]["terms"])
    assert main(["train", str(path), "--epochs", "1", "--force"]) == 0  # replaces its weights
    err = capsys.readouterr().err
    assert "training (gan)" in err and "generator 10,432" in err
    assert main(["train", str(path), "--epochs", "1", "--force"]) == 0
    assert "D(G(z))" in capsys.readouterr().err  # the progress (stderr) names each term


def test_train_says_when_a_vae_collapses(tmp_path, capsys):
    path = saved(tmp_path, "vae", beta=80.0, kl_warmup_epochs=0.0)
    assert main(["train", str(path), "--epochs", "2"]) == 0
    err = capsys.readouterr().err
    assert "warning: epoch 1: posterior collapse" in err and "KL divergence" in err
    assert main(["train", str(path), "--epochs", "1", "--json", "--force"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    advice = [r for r in rows if "advice" in r]
    assert advice[0]["advice"] == "posterior-collapse" and advice[0]["active"]


def test_export_writes_each_network_as_onnx_and_both_classes(tmp_path, capsys):
    path = saved(tmp_path, "gan")
    out = tmp_path / "gan.onnx"
    assert main(["export", str(path), "--onnx", str(out)]) == 0
    text = capsys.readouterr().out
    assert "gan-generator.onnx (the generator" in text and "gan-discriminator.onnx" in text
    assert main(["export", str(path), "--onnx", str(out)]) == 2  # exists: --force needed
    assert "already exists" in capsys.readouterr().err
    assert main(["export", str(path), "--python", str(tmp_path / "gan.py")]) == 0
    assert "(classes Generator and Discriminator)" in capsys.readouterr().out

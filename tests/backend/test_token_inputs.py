"""An Input of dtype int64 (token indices into an Embedding) trains on numeric data files: the
data are checked (whole numbers from 0, below the Embedding's size, one sentence naming the
sample otherwise), never normalised, and the exported train.py does the same as the app."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from backend.cli import main
from backend.project import save_design
from backend.templates.builder import DesignBuilder
from backend.training import Trainer
from tests.backend.test_codegen_train import export_to, run_env

VOCAB = 20


def token_rows(rows: int = 240, spoil=None) -> list[str]:
    """Six tokens per row; class k draws its tokens from k*3 .. k*3+9 (learnable)."""
    rng = np.random.default_rng(0)
    lines = ["t0,t1,t2,t3,t4,t5,label"]
    for i in range(rows):
        k = i % 3
        tokens = [str(v) for v in rng.integers(0, 10, 6) + 3 * k]
        if spoil and i == spoil[0]:
            tokens[2] = spoil[1]
        lines.append(",".join([*tokens, str(k)]))
    return lines


def token_design(folder, spoil=None, vocab: int = VOCAB, epochs: int = 4):
    (folder / "tokens.csv").write_text("\n".join(token_rows(spoil=spoil)) + "\n")
    b = DesignBuilder("token classifier")
    b.add("Input", "tokens", after=None, shape=[6], dtype="int64")
    b.add("Embedding", "embed", num_embeddings=vocab, embedding_dim=4)
    b.add("Flatten", "flat")
    b.add("Dense", "classes", units=3)
    b.section("dataset", {"name": "csv", "path": str(folder / "tokens.csv"), "target": "label"})
    b.section("training", {"epochs": epochs, "batch_size": 16, "lr": 0.02, "device": "cpu"})
    return b.doc


def test_a_token_design_trains_on_a_csv_of_indices(tmp_path):
    result = Trainer(token_design(tmp_path)).run()
    assert result.reason == "completed", result.message
    assert result.history[-1]["val_accuracy"] > 0.5  # chance is 1/3


@pytest.mark.parametrize("spoil, words", [
    ((7, "2.5"), ["sample", "2.5", "whole numbers from 0", "dtype to float32"]),
    ((7, "-1"), ["sample", "-1", "whole numbers from 0"]),
    ((7, "25"), ["token 25", "Embedding 'embed' has 20 entries",
                 "num_embeddings to 26 or more"]),
])
def test_data_that_are_not_token_indices_are_refused_in_one_sentence(tmp_path, capsys, spoil,
                                                                     words):
    path = tmp_path / "tokens.json"
    save_design(token_design(tmp_path, spoil=spoil), path)
    code = main(["train", str(path), "--out", str(tmp_path / "w.safetensors")])
    err = capsys.readouterr().err
    assert code in (1, 2) and "Traceback" not in err and "internal error" not in err
    assert all(w in err for w in words), err
    assert not (tmp_path / "w.safetensors").exists()


def test_exported_train_py_trains_the_token_design_like_the_app(tmp_path):
    doc = token_design(tmp_path, epochs=2)
    folder = export_to(tmp_path, doc, module="tokens_net")
    result = subprocess.run([sys.executable, "train.py", "--device", "cpu"], cwd=folder,
                            env=run_env(folder), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    app = Trainer(doc).run()
    printed = re.findall(r"train loss ([0-9.]+)  val loss ([0-9.]+)", result.stdout)
    assert [(f"{h['train_loss']:.4f}", f"{h['val_loss']:.4f}") for h in app.history] == printed

"""Several processes: shards that cover each batch once, the process count checked in one
sentence, and a 2-process run that matches a 1-process run of the same settings."""

import os

import pytest
import torch

from backend.cli import main
from backend.experiments.distributed import ShardedBatches, check_processes
from backend.project import open_any, save_design
from backend.templates import make_template


class _Batches:
    name = "tensors"

    def __init__(self, sizes):
        self.sizes = sizes

    def __len__(self):
        return len(self.sizes)

    def epoch(self):
        start = 0
        for size in self.sizes:
            x = torch.arange(start, start + size)
            yield x, x * 10
            start += size


def test_shards_split_every_batch_between_processes_and_skip_a_too_small_one():
    shards = [list(ShardedBatches(_Batches([5, 4, 1]), rank, 2).epoch()) for rank in (0, 1)]
    assert [len(s) for s in shards] == [2, 2]  # the 1-sample batch is skipped by both
    for step in range(2):
        xs = torch.cat([shards[r][step][0] for r in (0, 1)])
        ys = torch.cat([shards[r][step][1] for r in (0, 1)])
        assert sorted(xs.tolist()) == list(range(0, 5) if step == 0 else range(5, 9))
        assert torch.equal(ys, xs * 10)  # samples keep their targets
    assert len(ShardedBatches(_Batches([5, 4, 1]), 0, 2)) == 3


def test_more_processes_than_cores_is_one_sentence(tmp_path, capsys):
    cores = os.cpu_count()
    with pytest.raises(ValueError, match=f"this machine has {cores} CPU core"):
        check_processes(cores + 1, "cpu")
    design = tmp_path / "x.json"
    save_design(make_template("xor-mlp"), design)
    assert main(["train", str(design), "--nproc-per-node", str(cores + 1)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"use --nproc-per-node {cores} or fewer" in err


@pytest.mark.slow
def test_two_processes_train_the_same_run_as_one(tmp_path, capsys):
    doc = make_template("mlp")
    doc.sections["training"].update(epochs=1, val_fraction=0.2, device="cpu")
    design = tmp_path / "m.json"
    save_design(doc, design)
    one, two = tmp_path / "one.nwproj", tmp_path / "two.nwproj"
    assert main(["train", str(design), "--out", str(one)]) == 0
    assert main(["train", str(design), "--nproc-per-node", "2", "--out", str(two)]) == 0
    a, b = open_any(one).runs[0], open_any(two).runs[0]
    assert b["processes"] == 2 and b["final"]["steps"] == a["final"]["steps"]
    assert b["history"][0]["val_loss"] == pytest.approx(a["history"][0]["val_loss"], rel=0.05)
    assert set(open_any(two).weights) == {"run_1"}


def _design(tmp_path, **training):
    doc = make_template("xor-mlp")
    doc.sections["training"].update(epochs=1, val_fraction=0.2, device="cpu", **training)
    design = tmp_path / "x.json"
    save_design(doc, design)
    return design


def test_one_process_asked_for_overrides_the_designs_setting(tmp_path):
    design = _design(tmp_path, processes=2)
    out = tmp_path / "one.nwproj"
    assert main(["train", str(design), "--nproc-per-node", "1", "--out", str(out)]) == 0
    run = open_any(out).runs[0]
    assert "processes" not in run  # a plain run, in this process


@pytest.mark.slow
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPU cores")
def test_seeds_with_the_designs_two_processes_make_a_group_of_two_process_runs(tmp_path,
                                                                              capsys):
    design = _design(tmp_path, processes=2)
    out = tmp_path / "lab.nwproj"
    assert main(["train", str(design), "--seeds", "2", "--out", str(out)]) == 0
    runs = open_any(out).runs
    assert [r["processes"] for r in runs] == [2, 2]
    assert [r["group"]["seed"] for r in runs] == [0, 1]
    assert [r["training"]["seed"] for r in runs] == [0, 1]
    assert runs[0]["history"][0]["train_loss"] != runs[1]["history"][0]["train_loss"]
    assert "over 2 seeds [0, 1]" in capsys.readouterr().out
    assert main(["train", str(design), "--seeds", "2", "--out", str(out)]) == 2  # as train
    assert "pass --force" in capsys.readouterr().err


def test_processes_on_gpus_without_one_say_to_use_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    with pytest.raises(ValueError, match="no CUDA GPU: set the device to cpu"):
        check_processes(2, "cuda")


@pytest.mark.slow
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPU cores")
def test_the_seeds_tab_child_trains_each_seed_with_the_designs_processes():
    import queue
    import threading

    from backend.experiments.group_child import group_main
    from backend.project import doc_to_dict

    doc = make_template("xor-mlp")
    doc.sections["training"].update(epochs=1, val_fraction=0.2, device="cpu", processes=2)
    out_q = queue.Queue()
    group_main(doc_to_dict(doc), 2, "group_3", None, out_q, threading.Event())
    messages = []
    while not out_q.empty():
        messages.append(out_q.get())
    kinds = [m[0] for m in messages]
    assert kinds == ["started", "epoch", "run", "started", "epoch", "run", "done"]
    runs = [m[1] for m in messages if m[0] == "run"]
    assert [r["group"]["seed"] for r in runs] == [0, 1]
    assert [r["group"]["id"] for r in runs] == ["group_3", "group_3"]
    assert [r["processes"] for r in runs] == [2, 2]
    assert [r["training"]["seed"] for r in runs] == [0, 1]
    from safetensors.numpy import load

    weights = [load(m[2]) for m in messages if m[0] == "run"]  # the trained weights, readable
    assert weights[0].keys() == weights[1].keys() and len(weights[0]) >= 2


def test_why_a_designer_run_ended_names_the_process_and_the_cause(tmp_path):
    from backend.experiments.ddp_session import LinkedLaunch

    launch = LinkedLaunch({}, {"processes": 2}, None)
    launch._folder = str(tmp_path)
    launch._log = open(tmp_path / "launcher.log", "wb")  # noqa: SIM115
    launch._log.write(b"noise from torch\nnetwright: training process 1 of 2 stopped "
                      b"(exit code 1); the run ended\n")
    (tmp_path / "rank1.txt").write_text("the loss exploded to 8e+10 at step 2: lower the "
                                        "learning rate")
    assert launch._sentence() == ("Training process 1 of 2 stopped: the loss exploded to "
                                  "8e+10 at step 2: lower the learning rate.")
    launch._log.write(b"netwright: training process 0 of 2 stopped (killed by signal 9); "
                      b"the run ended\n")  # a killed process is the cause, not the others
    assert launch._sentence() == ("Training process 0 of 2 stopped (killed by signal 9); "
                                  "the run ended.")
    launch._log.close()

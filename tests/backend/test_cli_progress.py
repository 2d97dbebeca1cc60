"""`netwright train`'s progress on a terminal (tqdm), silence in --json mode, and commands
writing into a pipe that closes early."""

from __future__ import annotations

import io
import subprocess
import sys

from backend.cli import main
from backend.cli.train_cmd import Progress
from backend.project import save_design
from backend.templates import make_template
from backend.training.events import EpochEnd, RunStarted, StepMetrics


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _events():
    yield RunStarted(2, 10, 320, 60, 60, "cpu", 4810, "classification", "cross_entropy")
    for epoch in (1, 2):
        for step in (5, 10):
            s = (epoch - 1) * 10 + step
            yield StepMetrics(epoch, s, 20, [0.5] * 5, 0.5, 0.875, 1e-3, 1234.0, 3.0)
        yield EpochEnd(epoch, 2, epoch * 10, 0.5, 0.875, 0.4, 0.9, {}, 1e-3, 0.2, 1600.0, True)


def test_a_terminal_gets_a_progress_bar_with_epoch_loss_accuracy_and_time_left():
    stream = Terminal()
    progress = Progress(stream=stream)
    for event in _events():
        progress.on_event(event)
    progress.close()
    text = stream.getvalue()
    assert "epoch 2/2" in text and "loss 0.5000 acc 87.5%" in text
    assert "20/20" in text and "<00:00" in text  # steps done and the time left
    assert "epoch 1/2 loss 0.5000 val loss 0.4000 val acc 90.0%" in text  # a line per epoch


def test_json_mode_prints_only_json_lines(tmp_path, capsys):
    doc = make_template("mlp")
    doc.sections["training"].update(epochs=1)
    path = tmp_path / "m.json"
    save_design(doc, path)
    assert main(["train", str(path), "--json", "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith('{"epoch": 1') and captured.out.count("\n") == 1


def test_a_closed_pipe_ends_quietly_with_exit_0():
    code = ("import sys; from backend.cli import main; "
            "sys.exit(main(['templates', '--json']))")
    reader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    reader.stdout.close()  # `| head -1` has read its line and gone before the rest is written
    _, err = reader.communicate(timeout=60)
    assert reader.returncode == 0 and err == b""

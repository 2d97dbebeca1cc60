"""No input reaches "internal error": every command on every hostile file and on mutated
versions of every template exits 0, 1 or 2 with at most one error line, never a traceback, and
writes nothing beside the input (tests/backend/hostile_files.py holds the cases).

The default run covers summary, validate, diff (a run's design beside the file's) and the Python
and weights exports (also of a run, `--run`) on every case and a few mutations per template;
the slow cases add ONNX export, training and import on every case and more mutations."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from hostile_files import mutations, write_cases

from backend.cli import main
from backend.templates import TEMPLATES

FAST_COMMANDS = ("summary", "summary-json", "validate", "python", "weights", "diff",
                 "diff-json", "export-run")
SLOW_COMMANDS = ("onnx", "train", "import")


def argv(command: str, path: Path, out: Path) -> list[str]:
    return {
        "summary": ["summary", str(path)],
        "summary-json": ["summary", str(path), "--json", "--expand"],
        "validate": ["validate", str(path)],
        "diff": ["diff", f"{path}:1", str(path)],  # a run's design beside the file's
        "diff-self": ["diff", str(path), str(path)],
        "diff-json": ["diff", str(path), f"{path}:run 1", "--json"],
        "export-run": ["export", str(path), "--run", "1", "--weights", str(out / "r.safetensors"),
                       "--force"],
        "python": ["export", str(path), "--python", str(out / "m.py"), "--force"],
        "weights": ["export", str(path), "--weights", str(out / "w.safetensors"), "--force"],
        "onnx": ["export", str(path), "--onnx", str(out / "m.onnx"), "--force"],
        "train": ["train", str(path), "--epochs", "1", "--out", str(out / "t.safetensors"),
                  "--force"],
        "import": ["import", str(path), "-o", str(out / "i.json"), "--force"],
    }[command]


def run_quietly(args: list[str]) -> tuple[object, str]:
    err, out = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(args)
    except BaseException as exc:  # the CLI must never let anything escape
        code = f"raised {type(exc).__name__}: {exc}"
    return code, err.getvalue()


def check_all(paths: list[Path], commands, out: Path) -> list[str]:
    failures = []
    for path in paths:
        for command in commands:
            code, err = run_quietly(argv(command, path, out))
            errors = [line for line in err.splitlines() if line.startswith("netwright:")]
            if (code not in (0, 1, 2) or "internal error" in err or "Traceback" in err
                    or (code == 2 and len(errors) != 1)
                    or (code == 1 and command.startswith("diff") and errors)):
                failures.append(f"{path.name} {command}: exit {code}: {err.strip()[-300:]}")
    return failures


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    out = tmp_path_factory.mktemp("out")
    return write_cases(folder), folder, out


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_every_fast_command_on_every_hostile_file(hostile, monkeypatch):
    paths, folder, out = hostile
    monkeypatch.chdir(folder)
    before = listing(folder)
    assert check_all(paths, FAST_COMMANDS, out) == []
    assert listing(folder) == before  # nothing written beside the inputs, no temp files left


def test_every_fast_command_on_mutated_templates(tmp_path):
    paths = []
    for k, name in enumerate(sorted(TEMPLATES)):
        for j, text in enumerate(mutations(name, 2, seed=k)):
            path = tmp_path / f"{name}-{j}.json"
            path.write_text(text)
            paths.append(path)
    out = tmp_path / "out"
    out.mkdir()
    assert check_all(paths, ("summary", "validate", "python", "diff-self"), out) == []


def test_damaged_run_records_are_listed_compared_and_exported(hostile, capsys):
    paths, folder, out = hostile
    path = folder / "run-odd-fields.nwproj"
    assert main(["summary", str(path)]) == 0
    listing_ = capsys.readouterr().out
    assert "run 1" in listing_ and "50.0%" in listing_  # its one readable epoch still counts
    assert main(["diff", f"{path}:1", str(path)]) == 0  # the run's design is the project's
    assert main(["export", str(path), "--run", "run 1", "--weights", str(out / "d.st"),
                 "--force"]) == 0


@pytest.mark.slow
def test_every_slow_command_on_every_hostile_file(hostile, monkeypatch):
    paths, folder, out = hostile
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(out / "recovery"))
    assert check_all(paths, SLOW_COMMANDS, out) == []


@pytest.mark.slow
def test_many_mutations_of_every_template(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    failures = []
    for k, name in enumerate(sorted(TEMPLATES)):
        paths = []
        for j, text in enumerate(mutations(name, 12, seed=1000 + k)):
            path = tmp_path / f"{name}-{j}.json"
            path.write_text(text)
            paths.append(path)
        failures += check_all(paths, (*FAST_COMMANDS, "onnx"), out)
        for path in paths:
            os.unlink(path)
    assert failures == []

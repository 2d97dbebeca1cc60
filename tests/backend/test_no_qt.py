"""The backend works with Qt made unimportable, and its start-up modules do not load torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCKER = """
import sys

class _NoQt:
    BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "designer", "PyQt5", "PyQt6")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.BLOCKED:
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, _NoQt())
"""


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    script = tmp_path / "probe.py"
    script.write_text(BLOCKER + textwrap.dedent(code))
    return subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(ROOT),
                                                       "PATH": "/usr/bin:/bin"})


def test_blocker_really_blocks(tmp_path):
    result = run_python("import PySide6\n", tmp_path)
    assert result.returncode != 0
    assert "blocked in this test" in result.stderr


def test_backend_imports_and_summarises_without_qt(tmp_path):
    design = tmp_path / "lenet.json"
    result = run_python(f"""
        import backend, backend.graph, backend.layers, backend.project, backend.templates
        import backend.shapes, backend.build, backend.cli
        import backend.cli.design_cmds, backend.explain, backend.templates.layout
        assert "torch" not in sys.modules, "torch imported at start-up"
        from backend.cli import main
        assert main(["new", "--template", "lenet5", "-o", {str(design)!r}]) == 0
        code = main(["summary", {str(design)!r}, "--json"])
        assert not any(m.split(".")[0] in ("PySide6", "pyqtgraph", "designer")
                       for m in sys.modules)
        sys.exit(code)
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["total_params"] == 61706


def test_built_model_runs_without_qt(tmp_path):
    result = run_python("""
        import torch
        from backend.build import build_model
        from backend.templates import make_template
        model = build_model(make_template("course-cnn"))
        print(tuple(model(torch.zeros(2, 1, 28, 28)).shape))
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(2, 10)"

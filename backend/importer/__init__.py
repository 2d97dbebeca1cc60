"""Turning files into designs: Netwright's own exported Python (exported.py, read, never
run), any PyTorch module (fx.py, runs the user's file on request) and ONNX models
(onnx_import.py, read, never run).

The package itself imports nothing heavy: build and codegen use `names.py` (an imported
design's original names) without loading torch. `import_python` and `import_source` are
loaded on first use.
"""

from __future__ import annotations

__all__ = ["import_python", "import_source"]


def __getattr__(name: str):
    if name in __all__:
        from backend.importer import exported

        return getattr(exported, name)
    raise AttributeError(f"module 'backend.importer' has no attribute {name!r}")

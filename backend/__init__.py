"""Netwright's Qt-free back end: designs, layers, shapes, building, training, files, export.

onnxruntime (used to check ONNX exports and imports) would otherwise write a telemetry device
id into ~/.cache/Microsoft; Netwright leaves nothing in the home folder, so it is switched off
before anything here can import onnxruntime.
"""

import os

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

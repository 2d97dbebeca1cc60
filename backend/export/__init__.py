"""Exports of a design to files: Python (model + train.py), safetensors weights and ONNX.

python.py: `export_python(doc, out, weights)` writes the model module, train.py and weights;
weights.py: safetensors bytes <-> state_dicts; onnx.py: `export_onnx(doc, path, weights)` writes
one ONNX file with a dynamic batch dimension, checked with onnx.checker and compared with torch
through onnxruntime.
"""

"""Exports of a design beyond Python source: safetensors weights and ONNX.

weights.py: safetensors bytes <-> state_dicts; onnx.py: an ONNX file with a dynamic batch
dimension, checked with onnx.checker and compared with torch through onnxruntime.
"""

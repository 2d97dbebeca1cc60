"""Evaluating a model on a split: loss, accuracy, top-k, MAE and the confusion matrix.

All sums stay on the device and come back to the host in one transfer at the end.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import torch

from backend.training.components import correct_count, predicted_class, topk_correct, true_class


def evaluate(model, loss_fn, x: torch.Tensor, y: torch.Tensor, *, device: torch.device,
             fmt: str, num_classes: int, top_k: int = 0, mae: bool = False,
             confusion: bool = False, amp_dtype=None, batch_size: int = 512) -> dict:
    """Metrics over (x, y); empty dict when the split is empty."""
    n = len(x)
    if n == 0:
        return {}
    classify = fmt != "value"
    confusion = confusion and fmt != "multihot"  # several classes per sample: no matrix
    top_k = 0 if fmt == "multihot" else top_k
    sums = torch.zeros(4, device=device)  # loss, correct, top-k correct, abs error
    k = num_classes
    matrix = torch.zeros(k * k if confusion and classify else 1, dtype=torch.long,
                         device=device)
    was = model.training
    model.eval()
    amp = torch.autocast(device.type, amp_dtype) if amp_dtype else nullcontext()
    with torch.no_grad(), amp:
        for i in range(0, n, batch_size):
            xb, yb = x[i:i + batch_size].to(device), y[i:i + batch_size].to(device)
            out = model(xb).float()
            sums[0] += loss_fn(out, yb) * len(xb)
            if classify:
                sums[1] += correct_count(out, yb, fmt)
                if (top_k and fmt != "binary") or confusion:
                    pred, truth = predicted_class(out, fmt), true_class(yb, fmt)
                if top_k and fmt != "binary":
                    sums[2] += topk_correct(out, truth, top_k)
                if confusion:
                    matrix += torch.bincount(truth * k + pred, minlength=k * k)
            elif mae:
                sums[3] += (out - yb).abs().mean() * len(xb)
    model.train(was)
    return _result(sums.cpu().numpy() / n, matrix, classify, top_k, mae, confusion, k)


def _result(means, matrix, classify, top_k, mae, confusion, k) -> dict:
    result = {"loss": float(means[0])}
    if classify:
        result["accuracy"] = float(means[1])
        if top_k:
            result[f"top_{top_k}"] = float(means[2])
        if confusion:
            result["confusion"] = matrix.cpu().numpy().reshape(k, k).astype(np.int64)
    elif mae:
        result["mae"] = float(means[3])
    return result

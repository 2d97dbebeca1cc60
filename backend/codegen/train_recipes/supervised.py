"""Supervised and autoencoding runs in train.py: classification, regression, sequences, and
autoencoders (plain, denoising through the data's corruption, sparse with an L1 penalty)."""

import numpy as np
import torch
import torch.nn.functional as F

from backend.codegen.train_runtime import DEFAULT_LOSS, Run, make_loss, make_optimizer  # noqa: F401


def target_format(task, loss, out_shape, labels, multi_label=False):
    """How targets reach the loss: index | onehot | binary | multihot | value."""
    if task != "classification":
        return "value"
    if multi_label:
        return "multihot"
    if loss == "cross_entropy":
        return "onehot" if labels == "onehot" else "index"
    if loss == "bce_with_logits" and tuple(out_shape) == (1,):
        return "binary"
    return "onehot"


def encode_targets(y, fmt, num_classes):
    y = torch.from_numpy(np.ascontiguousarray(y))
    if fmt == "index":
        return y.long()
    if fmt == "onehot":
        return F.one_hot(y.long(), num_classes).float()
    if fmt == "binary":
        return y.float().reshape(-1, 1)
    return y.float()


def correct_count(out, target, fmt):
    """Samples predicted right (multi-label: every class's yes/no right)."""
    if fmt == "multihot":
        return int(((out > 0) == (target > 0.5)).all(dim=1).sum())
    return int((predicted_class(out, fmt) == true_class(target, fmt)).sum())


def predicted_class(out, fmt):
    return (out.reshape(-1) > 0).long() if fmt == "binary" else out.argmax(dim=1)


def true_class(target, fmt):
    if fmt == "index":
        return target
    return target.reshape(-1).long() if fmt == "binary" else target.argmax(dim=1)


class SupervisedRun(Run):
    """One network, one loss against the targets (the input itself for an autoencoder)."""

    def prepare(self, splits):
        s = self.s
        self.loss_name = DEFAULT_LOSS[self.task] if s["loss"] == "auto" else s["loss"]
        multi_label = self.info.get("multi_label", False)
        if multi_label and s["loss"] == "auto":
            self.loss_name = "bce_with_logits"  # multi-hot labels: one sigmoid per class
        if self.task == "autoencoding":
            splits = [(sx, sx) for sx, _ in splits]
        with torch.no_grad():
            probe = torch.from_numpy(splits[0][0][:2]).to(self.device)
            out_shape = tuple(self.model.eval()(probe).shape[1:])
        self.fmt = target_format(self.task, self.loss_name, out_shape,
                                 self.dataset.get("labels", "index"), multi_label)
        tensors = [(torch.from_numpy(sx), encode_targets(sy, self.fmt, self.info["num_classes"]))
                   for sx, sy in splits]
        (self.train_x, self.train_y), self.val, self.test = tensors
        self.loss_fn = make_loss(self.loss_name)
        self.sparsity = s.get("sparsity_weight") or 0.0
        if self.sparsity:  # keep the activations of the sparse layer for the L1 penalty
            layer = getattr(self.model, s["sparsity_layer"])
            layer.register_forward_hook(lambda m, i, out: setattr(self, "activity", out))

    def make_optimisers(self):
        self.main = self.slot(self.train_nets["model"], self.s)

    def train_step(self, xb, yb):
        loss = self.loss_fn(self.train_nets["model"](xb), yb)
        if not self.sparsity:
            self.update(self.main, loss, self.train_nets["model"])
            return {"loss": loss.item()}
        penalty = self.sparsity * self.activity.abs().sum() / len(xb)
        self.update(self.main, loss + penalty, self.train_nets["model"])
        return {"loss": loss.item() + penalty.item(), "reconstruction": loss.item(),
                "sparsity": penalty.item()}

    def evaluate(self, x, y, batch_size=512):
        """{"loss", "accuracy" (classes)} over a whole split."""
        if len(x) == 0:
            return {}
        model, fmt = self.model.eval(), self.fmt
        total, correct = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(x), batch_size):
                xb, yb = x[i:i + batch_size].to(self.device), y[i:i + batch_size].to(self.device)
                out = model(xb).float()
                loss = self.loss_fn(out, yb)
                if self.sparsity:
                    loss = loss + self.sparsity * self.activity.abs().sum() / len(xb)
                total += float(loss) * len(xb)
                if fmt != "value":
                    correct += correct_count(out, yb, fmt)
        model.train()
        return {"loss": total / len(x), "accuracy": correct / len(x) if fmt != "value" else None}

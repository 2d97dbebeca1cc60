"""The training code copied into every exported `train.py` (needs torch and numpy only).

Standalone on purpose: it imports nothing from Netwright, and the exporter copies its
functions verbatim, so a train.py runs where Netwright is not installed. It mirrors
backend.training (optimisers, losses, schedules, target formats, gradient clipping, early
stopping, keeping the best weights) and adds DistributedDataParallel: under
`torchrun --nproc_per_node=N` each process trains on its share of every batch (gloo on CPU,
nccl on GPU), all processes evaluate the same validation data, and only rank 0 prints and
saves.
"""

import argparse
import math
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

DEFAULT_LOSS = {"classification": "cross_entropy", "regression": "mse",
                "autoencoding": "mse", "sequence": "mse"}


def split_data(x, y, kind, val_fraction, test_fraction, seed, normalise):
    """Seeded train/val/test split, normalised with the training split's statistics."""
    perm = np.random.default_rng(seed).permutation(len(x))
    n_test, n_val = int(round(len(x) * test_fraction)), int(round(len(x) * val_fraction))
    parts = perm[n_test + n_val:], perm[n_test:n_test + n_val], perm[:n_test]
    shift, scale = np.zeros(1, np.float32), np.ones(1, np.float32)
    train_x = x[parts[0]]
    if normalise != "none" and len(train_x):
        axes = (0, *range(2, x.ndim)) if kind == "image" and x.ndim >= 3 else tuple(
            range(x.ndim - 1))
        if normalise == "standard":
            shift, scale = train_x.mean(axis=axes, keepdims=True), train_x.std(axis=axes,
                                                                             keepdims=True)
        else:
            shift = train_x.min(axis=axes, keepdims=True)
            scale = train_x.max(axis=axes, keepdims=True) - shift
        scale = np.where(scale < 1e-8, 1.0, scale)
        shift, scale = shift[0].astype(np.float32), scale[0].astype(np.float32)
    return [(((x[i] - shift) / scale).astype(np.float32), y[i]) for i in parts]


def make_optimizer(s, params):
    params = [p for p in params if p.requires_grad]
    lr, wd, betas, o = s["lr"], s["weight_decay"], tuple(s["betas"]), torch.optim
    name = s["optimizer"]
    if name == "sgd":
        return o.SGD(params, lr=lr, weight_decay=wd)
    if name in ("sgd_momentum", "nesterov"):
        momentum = (s["momentum"] or 0.9) if s["nesterov"] else s["momentum"]
        return o.SGD(params, lr=lr, momentum=momentum, nesterov=s["nesterov"],
                     weight_decay=wd)
    if name in ("adam", "adamw", "nadam"):
        cls = {"adam": o.Adam, "adamw": o.AdamW, "nadam": o.NAdam}[name]
        return cls(params, lr=lr, betas=betas, weight_decay=wd)
    if name == "rmsprop":
        return o.RMSprop(params, lr=lr, alpha=s["rmsprop_alpha"], weight_decay=wd)
    if name == "adadelta":
        return o.Adadelta(params, lr=lr, rho=s["adadelta_rho"], weight_decay=wd)
    return o.Adagrad(params, lr=lr, weight_decay=wd)


def categorical_cross_entropy(out, target):
    """Cross-entropy against one-hot or soft target distributions (rows sum to 1)."""
    return -(target * F.log_softmax(out, dim=1)).sum(dim=1).mean()


def make_loss(name):
    return {"cross_entropy": nn.CrossEntropyLoss, "bce_with_logits": nn.BCEWithLogitsLoss,
            "mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss,
            "categorical_cross_entropy": lambda: categorical_cross_entropy}[name]()


def make_schedule(s, opt, steps_per_epoch):
    """(scheduler, when): when is 'step', 'epoch', 'plateau' or 'none'."""
    sched, total = torch.optim.lr_scheduler, max(1, s["epochs"] * steps_per_epoch)
    name = s["schedule"]
    if name == "step":
        return sched.StepLR(opt, s["step_size"], s["gamma"]), "epoch"
    if name == "cosine":
        return sched.CosineAnnealingLR(opt, total, eta_min=s["min_lr"]), "step"
    if name == "plateau":
        return sched.ReduceLROnPlateau(opt, factor=s["plateau_factor"],
                                       patience=s["plateau_patience"],
                                       min_lr=s["min_lr"]), "plateau"
    if name == "onecycle":
        cycle = "betas" in opt.defaults or opt.defaults.get("momentum", 0) > 0
        return sched.OneCycleLR(opt, max_lr=s["lr"], total_steps=total,
                                cycle_momentum=cycle), "step"
    if name == "warmup":
        warm = max(1, round(s["warmup_epochs"] * steps_per_epoch))
        return sched.LambdaLR(opt, lambda i: min(1.0, (i + 1) / warm)), "step"
    return None, "none"


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


def setup_distributed(device_name):
    """(rank, world size, device); starts the process group when run under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    cuda = device_name == "cuda" or (device_name == "auto" and torch.cuda.is_available())
    if device_name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda was asked for but no CUDA GPU is available")
    device = torch.device("cuda", local % torch.cuda.device_count()) if cuda else \
        torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group(backend="nccl" if cuda else "gloo")
    return rank, world, device


def evaluate(model, loss_fn, x, y, fmt, device, batch_size=512):
    """(mean loss, accuracy or None) over a whole split."""
    if len(x) == 0:
        return None, None
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            xb, yb = x[i:i + batch_size].to(device), y[i:i + batch_size].to(device)
            out = model(xb).float()
            total += float(loss_fn(out, yb)) * len(xb)
            if fmt != "value":
                correct += correct_count(out, yb, fmt)
    model.train()
    return total / len(x), (correct / len(x) if fmt != "value" else None)


def parse_args(settings, default_out):
    p = argparse.ArgumentParser(description="Train the exported model (see the docstring).")
    p.add_argument("--epochs", type=int, default=settings["epochs"])
    p.add_argument("--batch-size", type=int, default=settings["batch_size"],
                   help="global batch size, shared among torchrun processes")
    p.add_argument("--lr", type=float, default=settings["lr"])
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default=settings["device"])
    p.add_argument("--seed", type=int, default=settings["seed"])
    p.add_argument("--out", default=default_out, help="where to save the trained weights")
    return p.parse_args()


def save_weights(model, path):
    """safetensors when installed (loads anywhere, no pickle), else torch.save."""
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        path = os.path.splitext(path)[0] + ".pt"
        torch.save(state, path)
        return path
    save_file(state, path)
    return path


def steps_per_epoch(n, batch_size):
    """Batches per epoch; a last batch of one sample is skipped (BatchNorm needs two)."""
    full, rest = divmod(n, batch_size)
    return full + (1 if rest > 1 or (rest == 1 and batch_size == 1) else 0)


class Batches:
    """One seeded permutation per epoch, cut into batches (the app draws them the same way)."""

    def __init__(self, x, y, batch_size, seed):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.generator = torch.Generator().manual_seed(seed)

    def __iter__(self):
        perm = torch.randperm(len(self.x), generator=self.generator)
        for i in range(0, len(perm), self.batch_size):
            idx = perm[i:i + self.batch_size]
            yield self.x[idx], self.y[idx]


class Run:
    """One training run: data, model, optimiser and the loop."""

    def __init__(self, model_class, settings, dataset, load_data, args):
        self.s = dict(settings, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                      device=args.device, seed=args.seed)
        self.args = args
        self.rank, self.world, self.device = setup_distributed(self.s["device"])
        x, y, info = load_data(dataset)
        self.task = info["task"] if self.s["task"] == "auto" else self.s["task"]
        multi_label = info.get("multi_label", False)
        self.loss_name = DEFAULT_LOSS[self.task] if self.s["loss"] == "auto" else self.s["loss"]
        if multi_label and self.s["loss"] == "auto":
            self.loss_name = "bce_with_logits"  # multi-hot labels: one sigmoid per class
        splits = split_data(x, y, info["kind"], self.s["val_fraction"],
                            self.s["test_fraction"], dataset.get("seed", 0),
                            dataset.get("normalise", "standard"))
        if self.task == "autoencoding":
            splits = [(sx, sx) for sx, _ in splits]
        torch.manual_seed(self.s["seed"])
        self.model = model_class().to(self.device)
        with torch.no_grad():
            probe = torch.from_numpy(splits[0][0][:2]).to(self.device)
            out_shape = tuple(self.model.eval()(probe).shape[1:])
        self.fmt = target_format(self.task, self.loss_name, out_shape,
                                 dataset.get("labels", "index"), multi_label)
        k = info["num_classes"]
        self.train_x, self.train_y, self.val, self.test = self._tensors(splits, k)
        self.loss_fn = make_loss(self.loss_name)

    def _tensors(self, splits, k):
        tensors = [(torch.from_numpy(sx), encode_targets(sy, self.fmt, k)) for sx, sy in splits]
        return tensors[0][0], tensors[0][1], tensors[1], tensors[2]

    def say(self, text):
        if self.rank == 0:
            print(text, flush=True)

    def loader(self):
        """(batches, sampler): the app's seeded batches, or a DistributedSampler's share."""
        per_process = self.per_process = max(1, self.s["batch_size"] // self.world)
        if self.world == 1:
            return Batches(self.train_x, self.train_y, per_process, self.s["seed"]), None
        data = TensorDataset(self.train_x, self.train_y)
        sampler = DistributedSampler(data, self.world, self.rank, shuffle=True,
                                     seed=self.s["seed"])
        return DataLoader(data, per_process, sampler=sampler), sampler

    def fit(self):
        loader, sampler = self.loader()
        net = self.model.train()
        if self.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            net = DistributedDataParallel(self.model, device_ids=ids)
        self.opt = make_optimizer(self.s, net.parameters())
        steps = steps_per_epoch(len(sampler) if sampler else len(self.train_x), loader.batch_size)
        self.sched, self.when = make_schedule(self.s, self.opt, steps)
        best, best_state, bad = math.inf, None, 0
        for epoch in range(1, self.s["epochs"] + 1):
            if sampler is not None:
                sampler.set_epoch(epoch)
            train_loss = self.train_epoch(net, loader)
            metric = self.end_epoch(epoch, train_loss)
            if math.isfinite(metric) and metric < best:
                best, bad = metric, 0
                best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            else:
                bad += 1
            if self.s["early_stopping"] and bad >= self.s["early_stopping"]:
                self.say(f"early stop: no improvement for {bad} epochs")
                break
        if self.s["keep_best"] and best_state is not None:
            self.model.load_state_dict(best_state)

    def train_epoch(self, net, loader):
        total, n = 0.0, 0
        for xb, yb in loader:
            if len(xb) == 1 and self.per_process > 1:
                continue  # BatchNorm cannot train on a single sample
            xb, yb = xb.to(self.device), yb.to(self.device)
            loss = self.loss_fn(net(xb), yb)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            if self.s["clip_value"]:
                nn.utils.clip_grad_value_(net.parameters(), self.s["clip_value"])
            if self.s["clip_norm"]:
                nn.utils.clip_grad_norm_(net.parameters(), self.s["clip_norm"])
            self.opt.step()
            if self.when == "step":
                self.sched.step()
            total, n = total + loss.item() * len(xb), n + len(xb)
        if not math.isfinite(total):
            raise SystemExit("the loss became NaN or infinite: lower the learning rate")
        return total / max(n, 1)

    def end_epoch(self, epoch, train_loss):
        if self.world > 1:  # every process evaluates the same model: rank 0's buffers
            for buffer in self.model.buffers():
                dist.broadcast(buffer, 0)
        val_loss, val_acc = evaluate(self.model, self.loss_fn, *self.val, self.fmt,
                                     self.device)
        metric = self.agree(train_loss if val_loss is None else val_loss)
        if self.when == "epoch":
            self.sched.step()
        elif self.when == "plateau" and math.isfinite(metric):
            self.sched.step(metric)
        text = f"epoch {epoch}/{self.s['epochs']}  train loss {train_loss:.4f}"
        if val_loss is not None:
            text += f"  val loss {val_loss:.4f}"
        if val_acc is not None:
            text += f"  val accuracy {val_acc:.2%}"
        self.say(text)
        return metric

    def agree(self, value):
        """The same number on every process, so they all stop at the same epoch."""
        if self.world == 1:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return float(t) / self.world

    def finish(self):
        test_loss, test_acc = evaluate(self.model, self.loss_fn, *self.test, self.fmt,
                                       self.device)
        if test_loss is not None:
            extra = "" if test_acc is None else f"  test accuracy {test_acc:.2%}"
            self.say(f"test loss {test_loss:.4f}{extra}")
        if self.rank == 0:
            self.say(f"saved weights to {save_weights(self.model, self.args.out)}")
        if self.world > 1:
            dist.barrier()
            dist.destroy_process_group()


def main(model_class, settings, dataset, load_data, default_out):
    run = Run(model_class, settings, dataset, load_data, parse_args(settings, default_out))
    world = f" on {run.world} processes" if run.world > 1 else ""
    run.say(f"training {model_class.__name__} on {run.device}{world}: "
            f"{len(run.train_x)} training samples, task {run.task}, loss {run.loss_name}")
    run.fit()
    run.finish()

"""The training code copied into every exported `train.py` (needs torch and numpy only).

Standalone on purpose: it imports nothing from Netwright, and the exporter copies it
verbatim, so a train.py runs where Netwright is not installed. It mirrors backend.training:
this file holds what every task recipe shares (data split and corruption, optimisers,
losses, schedules, gradient clipping, early stopping, keeping the best weights, the epoch
loop) and `Run`, the base class of the recipe's own class, which comes from train_recipes/
(supervised, autoencoding, VAE, GAN) and says what one step does. Under
`torchrun --nproc_per_node=N` every network is wrapped in DistributedDataParallel and each
process trains on its share of every batch (gloo on CPU, nccl on GPU); all processes evaluate
the same validation data, and only rank 0 prints and saves.
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


def split_data(x, y, kind, val_fraction, test_fraction, seed, normalise, dtype="float32"):
    """Seeded train/val/test split, normalised with the training split's statistics (token
    indices for an int64 input are never normalised)."""
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
    return [(((x[i] - shift) / scale).astype(dtype), y[i]) for i in parts]


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
            "mse": nn.MSELoss, "mae": nn.L1Loss, "huber": nn.HuberLoss, "bce": nn.BCELoss,
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


def save_weights(networks, path):
    """safetensors when installed (loads anywhere, no pickle), else torch.save. Several
    networks (a GAN's) go into one file, each key prefixed by the network's role."""
    prefix = len(networks) > 1
    state = {(f"{role}." if prefix else "") + k: v.detach().cpu().contiguous()
             for role, net in networks.items() for k, v in net.state_dict().items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        path = os.path.splitext(path)[0] + ".pt"
        torch.save(state, path)
        return path
    save_file(state, path)
    return path


def corrupt(x, kind, level, low, high, generator=None):
    """Noisy inputs for denoising (targets stay clean): gaussian noise of std `level`, or a
    share `level` of values set to 0 (masking) or to the data's min/max (salt and pepper)."""
    if kind == "none" or level <= 0:
        return x
    if kind == "gaussian":
        return x + level * torch.randn(x.shape, generator=generator, device=x.device,
                                       dtype=x.dtype)
    draw = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    if kind == "masking":
        return x * (draw >= level)
    return torch.where(draw < level / 2, torch.full_like(x, low),
                       torch.where(draw < level, torch.full_like(x, high), x))


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
    """One training run: data, networks, the epoch loop; a recipe's subclass says what one
    step does (`prepare`, `make_optimisers`, `train_step`, `evaluate`)."""

    monitor = True  # best weights and early stopping follow the validation loss

    def __init__(self, networks, settings, dataset, load_data, args):
        self.s = dict(settings, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                      device=args.device, seed=args.seed)
        self.args, self.dataset, self.slots = args, dataset, []
        self.rank, self.world, self.device = setup_distributed(self.s["device"])
        x, y, info = load_data(dataset)
        self.info = info
        self.task = info["task"] if self.s["task"] == "auto" else self.s["task"]
        tokens = self.s.get("input_dtype") == "int64"  # token indices into an Embedding
        splits = split_data(x, y, info["kind"], self.s["val_fraction"],
                            self.s["test_fraction"], dataset.get("seed", 0),
                            "none" if tokens else dataset.get("normalise", "standard"),
                            "int64" if tokens else "float32")
        train_x = splits[0][0]
        self.noise = (dataset.get("corruption", "none"), dataset.get("corruption_level", 0.0),
                      float(train_x.min()) if len(train_x) else 0.0,
                      float(train_x.max()) if len(train_x) else 1.0)
        torch.manual_seed(self.s["seed"])
        self.nets = {role: cls().to(self.device) for role, cls in networks.items()}
        self.model = next(iter(self.nets.values()))
        self.prepare(splits)
        generator = torch.Generator().manual_seed(dataset.get("seed", 0) + 1)
        self.val, self.test = ((corrupt(a, *self.noise, generator), b)
                               for a, b in (self.val, self.test))

    def prepare(self, splits):
        """Set train_x, train_y, val and test (tensors) and the losses."""
        raise NotImplementedError

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

    def slot(self, net, settings):
        """An optimiser with its learning-rate schedule for one network."""
        opt = make_optimizer(settings, net.parameters())
        sched, when = make_schedule(settings, opt, self.steps)
        self.slots.append((opt, sched, when))
        return opt, sched, when

    def update(self, slot, loss, net):
        opt, sched, when = slot
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.s["clip_value"]:
            nn.utils.clip_grad_value_(net.parameters(), self.s["clip_value"])
        if self.s["clip_norm"]:
            nn.utils.clip_grad_norm_(net.parameters(), self.s["clip_norm"])
        opt.step()
        if when == "step":
            sched.step()

    def fit(self):
        loader, sampler = self.loader()
        for net in self.nets.values():
            net.train()
        self.train_nets = dict(self.nets)
        if self.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.train_nets = {role: DistributedDataParallel(net, device_ids=ids)
                               for role, net in self.nets.items()}
        self.steps = steps_per_epoch(len(sampler) if sampler else len(self.train_x),
                                     loader.batch_size)
        self.make_optimisers()
        best, best_state, bad = math.inf, None, 0
        for epoch in range(1, self.s["epochs"] + 1):
            if sampler is not None:
                sampler.set_epoch(epoch)
            metric = self.end_epoch(epoch, self.train_epoch(loader))
            if not self.monitor:
                continue
            if math.isfinite(metric) and metric < best:
                best, bad = metric, 0
                best_state = {role: {k: v.detach().clone() for k, v in n.state_dict().items()}
                              for role, n in self.nets.items()}
            else:
                bad += 1
            if self.s["early_stopping"] and bad >= self.s["early_stopping"]:
                self.say(f"early stop: no improvement for {bad} epochs")
                break
        if self.s["keep_best"] and best_state is not None:
            for role, state in best_state.items():
                self.nets[role].load_state_dict(state)

    def train_epoch(self, loader):
        """Means over the epoch of what `train_step` returns ("loss" and the terms)."""
        totals, n = {}, 0
        for xb, yb in loader:
            if len(xb) == 1 and self.per_process > 1:
                continue  # BatchNorm cannot train on a single sample
            xb, yb = xb.to(self.device), yb.to(self.device)
            xb = corrupt(xb, *self.noise)
            for key, value in self.train_step(xb, yb).items():
                totals[key] = totals.get(key, 0.0) + value * len(xb)
            n += len(xb)
        if not all(math.isfinite(v) for v in totals.values()):
            raise SystemExit("the loss became NaN or infinite: lower the learning rate")
        return {k: v / max(n, 1) for k, v in totals.items()}

    def end_epoch(self, epoch, train):
        if self.world > 1:  # every process evaluates the same model: rank 0's buffers
            for net in self.nets.values():
                for buffer in net.buffers():
                    dist.broadcast(buffer, 0)
        val = self.evaluate(*self.val)
        metric = self.agree(train["loss"] if val.get("loss") is None else val["loss"])
        for _, sched, when in self.slots:
            if when == "epoch":
                sched.step()
            elif when == "plateau" and math.isfinite(metric) and self.monitor:
                sched.step(metric)
        self.say(self.epoch_text(epoch, train, val))
        return metric

    def epoch_text(self, epoch, train, val):
        text = f"epoch {epoch}/{self.s['epochs']}  train loss {train['loss']:.4f}"
        text += "".join(f"  {k.replace('_', ' ')} {v:.4f}" for k, v in train.items()
                        if k != "loss")
        if val.get("loss") is not None:
            text += f"  val loss {val['loss']:.4f}"
        text += "".join(f"  val {k.replace('_', ' ')} {v:.4f}"
                        for k, v in val.get("terms", {}).items())
        if val.get("accuracy") is not None:
            text += f"  val accuracy {val['accuracy']:.2%}"
        return text

    def agree(self, value):
        """The same number on every process, so they all stop at the same epoch."""
        if self.world == 1:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return float(t) / self.world

    def finish(self):
        test = self.evaluate(*self.test)
        if test.get("loss") is not None:
            extra = "" if test.get("accuracy") is None else \
                f"  test accuracy {test['accuracy']:.2%}"
            self.say(f"test loss {test['loss']:.4f}{extra}")
        if self.rank == 0:
            self.say(f"saved weights to {save_weights(self.nets, self.args.out)}")
        if self.world > 1:
            dist.barrier()
            dist.destroy_process_group()


def main(networks, run_class, settings, dataset, load_data, default_out):
    run = run_class(networks, settings, dataset, load_data, parse_args(settings, default_out))
    world = f" on {run.world} processes" if run.world > 1 else ""
    names = " and ".join(cls.__name__ for cls in networks.values())
    run.say(f"training {names} on {run.device}{world}: {len(run.train_x)} training samples, "
            f"task {run.task}, loss {run.loss_name}")
    run.fit()
    run.finish()

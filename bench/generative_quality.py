"""Do the generative templates learn what they should, with their default settings?

For each template it trains the design as a new user would (its own dataset and training
sections, nothing changed) and prints the time and what a reader can check:

- autoencoders: the validation reconstruction error after the first and the last epoch
  (reconstructions sharpen), and for the denoising one the error of the noisy inputs
  themselves (what "doing nothing" would score);
- VAEs: the KL per sample (positive: the code carries information), the dimensions that
  collapsed, and how many different digits a separately trained classifier reads in the
  decoded traversal grid (the grid morphs between digits);
- GANs: 1,000 samples from the trained generator, read by a digits classifier trained
  separately at the same resolution: the share it recognises confidently (probability of its
  top class ≥ 0.9), how many of the ten classes get at least 3 % of those, and the diversity
  of the samples against the real data.

    .venv/bin/python bench/generative_quality.py             # every template (~10 min)
    .venv/bin/python bench/generative_quality.py gan vae     # some of them
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from backend.templates import make_template  # noqa: E402
from backend.templates.builder import DesignBuilder  # noqa: E402
from backend.training import Trainer  # noqa: E402
from backend.training.events import EpochEnd, SampleGrid  # noqa: E402

CONFIDENT = 0.9
CLASS_SHARE = 0.03
ALL = ("autoencoder", "conv-autoencoder", "sparse-autoencoder", "vae", "conv-vae", "gan",
       "dcgan")


def classifier(size: int):
    """A small CNN trained on the digits at `size`×`size`, pixels in 0..1 (minmax), as the
    generative templates see them; returns (model, test accuracy)."""
    b = DesignBuilder("digits classifier")
    b.add("Input", "image", after=None, shape=[1, size, size])
    b.add("Conv2d", "c1", filters=16, kernel_size=3, padding="same")
    b.add("ReLU", "r1")
    b.add("MaxPool2d", "p1", kernel_size=2)
    b.add("Conv2d", "c2", filters=32, kernel_size=3, padding="same")
    b.add("ReLU", "r2")
    b.add("Flatten", "flat")
    b.add("Dropout", "drop", p=0.3)
    b.add("Dense", "out", units=10)
    dataset = {"name": "digits", "normalise": "minmax"}
    if size != 8:
        dataset["resize"] = size
    b.section("dataset", dataset)
    b.section("training", {"epochs": 20, "batch_size": 32, "lr": 0.002, "task":
                           "classification", "loss": "cross_entropy"})
    trainer = Trainer(b.doc)
    finished = trainer.run()
    return trainer.model.eval(), finished.test_accuracy


def read_digits(model, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(predicted class, its probability) per image."""
    with torch.no_grad():
        prob = torch.softmax(model(images.float()), dim=1)
    top, cls = prob.max(dim=1)
    return cls.numpy(), top.numpy()


def train(name: str):
    t0 = time.monotonic()
    trainer = Trainer(make_template(name))
    events = list(trainer.events())
    finished = events[-1]
    if finished.reason != "completed":
        raise SystemExit(f"{name}: {finished.message}")
    return trainer, events, time.monotonic() - t0


def report_autoencoder(name: str) -> None:
    trainer, events, seconds = train(name)
    ends = [e for e in events if isinstance(e, EpochEnd)]
    first, last = ends[0].val_metrics["mae"], ends[-1].val_metrics["mae"]
    line = (f"{name:<20} {seconds:6.0f} s  {len(ends)} epochs  validation mean absolute "
            f"error {first:.4f} -> {last:.4f}")
    s = trainer.setup
    if s.corruption.active:
        noisy, clean = s.val
        line += f" (the noisy inputs themselves: {float((noisy - clean).abs().mean()):.4f})"
    print(line, flush=True)


def report_vae(name: str, size: int, model) -> None:
    trainer, events, seconds = train(name)
    ends = [e for e in events if isinstance(e, EpochEnd)]
    val = trainer.runner.evaluate(*trainer.setup.val)
    collapsed = int((val["kl_per_dim"] < 0.01).sum())
    from backend.training.recipes.views import Traversal

    grid = Traversal(trainer.setup, trainer.runner.sampling_node, 1.0)
    grid.update(val)
    events = list(grid.emit(trainer))
    images = events[0].images
    flat = torch.from_numpy(images.reshape(-1, *images.shape[2:]))
    classes, top = read_digits(model, flat)
    print(f"{name:<20} {seconds:6.0f} s  {len(ends)} epochs  KL {val['terms']['kl']:.2f} nats "
          f"per sample ({len(val['kl_per_dim'])} dims, {collapsed} collapsed)  reconstruction "
          f"{ends[0].val_terms['reconstruction']:.1f} -> "
          f"{ends[-1].val_terms['reconstruction']:.1f}  traversal: "
          f"{len(set(classes[top >= CONFIDENT].tolist()))} different digits read with "
          f"p >= {CONFIDENT} in its {len(classes)} images", flush=True)


def report_gan(name: str, model, samples: int = 1000) -> None:
    trainer, events, seconds = train(name)
    grids = [e for e in events if isinstance(e, SampleGrid) and e.diversity is not None]
    g = trainer.setup.networks["generator"].eval()
    torch.manual_seed(123)
    with torch.no_grad():
        fake = g(trainer.runner.noise(samples))
    classes, top = read_digits(model, fake)
    sure = classes[top >= CONFIDENT]
    counts = np.bincount(sure, minlength=10)
    covered = int((counts >= CLASS_SHARE * len(sure)).sum()) if len(sure) else 0
    print(f"{name:<20} {seconds:6.0f} s  recognised {len(sure) / samples:.0%} of {samples} "
          f"samples (p >= {CONFIDENT}); {covered} of 10 classes get >= {CLASS_SHARE:.0%} of "
          f"them {counts.tolist()}; diversity {grids[-1].diversity:.2f} of the real data's",
          flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", default=list(ALL), choices=ALL)
    args = p.parse_args()
    torch.manual_seed(0)
    classifiers = {}
    for size in (8, 16):
        if any(n in args.names for n in ("vae", "gan") if size == 8) or \
                any(n in args.names for n in ("conv-vae", "dcgan") if size == 16):
            classifiers[size], acc = classifier(size)
            print(f"digits classifier at {size}x{size}: test accuracy {acc:.1%}", flush=True)
    for name in args.names:
        if "autoencoder" in name:
            report_autoencoder(name)
        elif name in ("vae", "conv-vae"):
            size = 8 if name == "vae" else 16
            report_vae(name, size, classifiers[size])
        else:
            report_gan(name, classifiers[8 if name == "gan" else 16])


if __name__ == "__main__":
    main()

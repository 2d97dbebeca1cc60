"""The GAN recipe's step: k discriminator updates per generator update, two optimisers.

Per step: fresh noise z; the generator's samples G(z); one discriminator update on a real
batch and the (detached) samples; every `d_steps`-th step one generator update through the
just-updated discriminator. D(x) and D(G(z)) are the discriminator's mean probabilities (its
mean critic scores for the Wasserstein loss). All of it stays on the device.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F

from backend.training import events as ev
from backend.training.recipes.run import RecipeRun
from backend.training.watchers import Watcher

GRID = 8  # the sample grid is GRID × GRID generated samples
WIN = 0.95  # D(x) above and D(G(z)) below 1 − this: the discriminator wins outright
LOW_DIVERSITY = 0.3  # generated spread below this share of the real data's: mode collapse


class GANRun(RecipeRun):
    def __init__(self, setup, config, recipe) -> None:
        super().__init__(setup, config, recipe)
        self.g, self.d = setup.networks["generator"], setup.networks["discriminator"]
        setting = lambda name: recipe.setting(config, name)  # noqa: E731
        self.g_slot = self.make_slot("generator", self.g)
        d_opt = setting("d_optimizer")
        self.d_slot = self.make_slot("discriminator", self.d, optimizer=d_opt,
                                     lr=setting("d_lr"), betas=list(setting("d_betas")),
                                     nesterov=d_opt == "nesterov")
        self.kind, self.k = setup.loss, int(setting("d_steps"))
        self.real_label = 1.0 - float(setting("label_smoothing"))
        self.gp_weight = float(setting("gp_weight"))
        g_input = self.g.input_ids[0]
        self.z_shape = tuple(setup.analysis.shapes[g_input])
        self.g_nodes = set(self.g.node_attrs) | {g_input}
        seed = torch.Generator().manual_seed(config.seed + 7)
        self.fixed_z = torch.randn(GRID * GRID, *self.z_shape, generator=seed).to(setup.device)
        self.steps = 0
        self.last_g = torch.zeros((), device=setup.device)

    def lr(self) -> float:
        return float(self.g_slot.opt.param_groups[0]["lr"])

    def noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, *self.z_shape, device=self.setup.device)

    # -- losses -----------------------------------------------------------------------------
    def d_loss(self, real_out, fake_out, real, fake) -> torch.Tensor:
        if self.kind == "wasserstein_gp":
            return fake_out.mean() - real_out.mean() + self.gp_weight * self.penalty(real, fake)
        ones = torch.full_like(real_out, self.real_label)
        return (F.binary_cross_entropy_with_logits(real_out, ones)
                + F.binary_cross_entropy_with_logits(fake_out, torch.zeros_like(fake_out)))

    def g_loss(self, fake_out) -> torch.Tensor:
        if self.kind == "wasserstein_gp":
            return -fake_out.mean()
        if self.kind == "minimax":  # minimise log(1 − D(G(z)))
            return -F.binary_cross_entropy_with_logits(fake_out, torch.zeros_like(fake_out))
        return F.binary_cross_entropy_with_logits(fake_out, torch.ones_like(fake_out))

    def penalty(self, real, fake) -> torch.Tensor:
        """WGAN-GP: (‖∇D(x̂)‖ − 1)² on points between real and generated samples."""
        eps = torch.rand(len(real), *([1] * (real.dim() - 1)), device=real.device)
        mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
        out = self.d(mixed)
        grad, = torch.autograd.grad(out.sum(), mixed, create_graph=True)
        return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()

    def score(self, out: torch.Tensor) -> torch.Tensor:
        """D's mean probability (or critic score) for a batch."""
        out = out.detach().float()
        return out.mean() if self.kind == "wasserstein_gp" else torch.sigmoid(out).mean()

    # -- the step -----------------------------------------------------------------------------
    def step(self, real: torch.Tensor, yb: torch.Tensor):
        g_turn = self.steps % self.k == self.k - 1
        z = self.noise(len(real))
        if g_turn:
            fake = self.forward(self.g, z)
        else:
            with torch.no_grad():
                fake = self.forward(self.g, z)
        real_out = self.forward(self.d, real).float()
        fake_out = self.forward(self.d, fake.detach()).float()
        d_loss = self.d_loss(real_out, fake_out, real, fake.detach())
        self.update(d_loss, self.d_slot)
        if g_turn:
            g_loss = self.g_loss(self.forward(self.d, fake).float())
            self.update(g_loss, self.g_slot)
            self.last_g = g_loss.detach()
        self.steps += 1
        d_loss = d_loss.detach()
        return (d_loss + self.last_g, (d_loss, self.last_g, self.score(real_out),
                                       self.score(fake_out)), None)

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, confusion: bool = False) -> dict:
        """D and G losses, D(x) on real validation samples and D(G(z)) on as many fixed-noise
        samples (no validation loss: a GAN's losses say little about its samples)."""
        s, n = self.setup, len(x)
        if n == 0:
            return {}
        seed = torch.Generator().manual_seed(self.config.seed + 11)
        sums = torch.zeros(4, device=s.device)
        with _eval(self.g, self.d):
            for i in range(0, n, 256):
                real = x[i:i + 256].to(s.device)
                z = torch.randn(len(real), *self.z_shape, generator=seed).to(s.device)
                with torch.no_grad(), self.autocast():
                    fake = self.g(z)
                    real_out, fake_out = self.d(real).float(), self.d(fake).float()
                with torch.enable_grad():
                    d_loss = self.d_loss(real_out, fake_out, real, fake.float()).detach()
                with torch.no_grad():
                    parts = (d_loss, self.g_loss(fake_out), self.score(real_out),
                             self.score(fake_out))
                sums += torch.stack([p.float() for p in parts]) * len(real)
        values = (sums / n).tolist()
        terms = dict(zip(("d_loss", "g_loss", "d_real", "d_fake"), values, strict=True))
        return {"terms": terms, "metrics": {"D(x)": terms["d_real"]}}

    def probe_target(self, node: str):
        if node in self.g_nodes:
            return self.g, self.fixed_z[:1]
        return self.d, self.setup.probe_sample

    def watchers(self, probes) -> list:
        return [GeneratedSamples(self, probes.samples_every_s)]


class _eval:
    """Networks in evaluation mode for a block, restored afterwards."""

    def __init__(self, *nets) -> None:
        self.nets = nets

    def __enter__(self):
        self.was = [n.training for n in self.nets]
        for n in self.nets:
            n.eval()

    def __exit__(self, *exc):
        for n, was in zip(self.nets, self.was, strict=True):
            n.train(was)


def spread(samples: torch.Tensor) -> float:
    """Mean distance between pairs of samples."""
    flat = samples.float().flatten(1)
    d = torch.cdist(flat, flat)
    n = len(flat)
    return float(d.sum() / max(n * (n - 1), 1))


class GeneratedSamples(Watcher):
    """The grid from fixed noise (live and each epoch), its diversity against real data, and
    the warnings: mode collapse (low diversity) and a discriminator that wins outright."""

    def __init__(self, runner: GANRun, every_s: float) -> None:
        self.runner, self.every_s, self.t_last = runner, every_s, -math.inf
        s = runner.setup
        real = s.val[0] if len(s.val[0]) >= 16 else torch.from_numpy(s.splits.train.x[:64])
        self.real_spread = spread(real[:GRID * GRID].to(s.device))
        self.reported: dict[str, bool] = {}
        self.most_diverse = 0.0

    def _grid(self) -> torch.Tensor:
        r = self.runner
        with _eval(r.g), torch.no_grad():
            return r.g(r.fixed_z).float()

    def _event(self, trainer, samples: torch.Tensor, diversity: float | None):
        images = samples.cpu().numpy().reshape(GRID, GRID, *samples.shape[1:])
        return ev.SampleGrid(trainer.step, trainer.epoch, "generated", images,
                             "from fixed noise", diversity)

    def live(self, trainer, now, force):
        if self.every_s <= 0 or not (force or now - self.t_last >= self.every_s):
            return
        self.t_last = now
        yield self._event(trainer, self._grid(), None)

    def epoch_end(self, trainer, val):
        self.t_last = time.monotonic()
        samples = self._grid()
        diversity = spread(samples) / max(self.real_spread, 1e-12)
        yield self._event(trainer, samples, diversity)
        terms = trainer.history[-1]["terms"] if trainer.history else {}
        yield from self._advice(trainer, diversity, terms)

    def _advice(self, trainer, diversity: float, terms: dict):
        # early samples are alike because nothing is learned yet: wait until they were
        # diverse once, or a quarter of the run (at least 5 epochs) has passed
        settled = self.most_diverse >= LOW_DIVERSITY or \
            trainer.epoch >= max(5, trainer.config.epochs // 4)
        self.most_diverse = max(self.most_diverse, diversity)
        low = diversity < LOW_DIVERSITY and settled
        wins = (self.runner.kind != "wasserstein_gp" and terms.get("d_real", 0) > WIN
                and terms.get("d_fake", 1) < 1 - WIN)
        messages = {
            "mode-collapse": (low, f"mode collapse: the samples from different noise look "
                                   f"alike (their spread is {diversity:.0%} of the real "
                                   "data's): lower the learning rates, use the "
                                   "non_saturating or wasserstein_gp loss, or add label "
                                   "smoothing" if low else "the samples differ again"),
            "discriminator-wins": (wins, "the discriminator wins outright (D(x) "
                                         f"{terms.get('d_real', 0):.2f}, D(G(z)) "
                                         f"{terms.get('d_fake', 0):.2f}): the generator gets "
                                         "almost no gradient — lower the discriminator's "
                                         "learning rate, add label smoothing, or use the "
                                         "non_saturating loss" if wins
                                   else "the discriminator no longer wins outright"),
        }
        for kind, (active, message) in messages.items():
            if active != self.reported.get(kind, False):
                self.reported[kind] = active
                yield ev.Advice(trainer.step, trainer.epoch, kind, message, active,
                                {"diversity": round(diversity, 4), **{
                                    k: round(float(v), 4) for k, v in terms.items()}})


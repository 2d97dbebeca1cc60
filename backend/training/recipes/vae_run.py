"""The VAE recipe's step: reconstruction summed per sample plus β·KL from the Sampling layers."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from backend.layers.modules import Sampling
from backend.training.failures import loss_message
from backend.training.recipes.run import RecipeRun
from backend.training.recipes.vae import COLLAPSED_NATS, sampling_nodes

_SUMMED = {
    "mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss,
    "bce": F.binary_cross_entropy, "bce_with_logits": F.binary_cross_entropy_with_logits,
}


def summed_loss(name: str):
    """The reconstruction loss summed over each sample's values, averaged over the batch."""
    fn = _SUMMED[name]
    return lambda out, target: fn(out, target, reduction="sum") / len(out)


class VAERun(RecipeRun):
    def __init__(self, setup, config, recipe) -> None:
        super().__init__(setup, config, recipe)
        self.loss_fn = summed_loss(setup.loss)
        self.main = self.make_slot("model", setup.model)
        self.samplers = [m for m in setup.model.modules() if isinstance(m, Sampling)]
        self.sampling_node = sampling_nodes(setup.design)[0] if setup.design else None
        self.beta = float(recipe.setting(config, "beta"))
        self.warmup_steps = float(recipe.setting(config, "kl_warmup_epochs")) * len(setup.train)
        self.steps = 0

    def beta_now(self) -> float:
        """β with the warm-up applied (a Python number: no device round trip)."""
        if self.warmup_steps <= 0:
            return self.beta
        return self.beta * min(1.0, self.steps / self.warmup_steps)

    def kl(self) -> torch.Tensor:
        return sum(m.kl for m in self.samplers)

    def _recon(self, out: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        s = self.setup
        try:
            return self.loss_fn(out.float() if s.amp_dtype else out, yb)
        except Exception as exc:
            raise ValueError(loss_message(s.loss, out.shape[1:], yb.shape[1:], exc)) from exc

    def step(self, xb: torch.Tensor, yb: torch.Tensor):
        out = self.forward(self.setup.model, xb)
        recon = self._recon(out, yb)
        kl = self.kl().float()
        loss = recon + self.beta_now() * kl
        self.update(loss, self.main)
        self.steps += 1
        return loss.detach(), (recon.detach(), kl.detach()), None

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, confusion: bool = False) -> dict:
        """Decodes μ; the loss uses the full β, so epochs compare whatever the warm-up."""
        s, n = self.setup, len(x)
        if n == 0:
            return {}
        sums = torch.zeros(3, device=s.device)  # reconstruction, kl, absolute error
        per_dim = None
        model, was = s.model, s.model.training
        model.eval()
        batch = max(self.config.batch_size, 256)
        with torch.no_grad():
            for i in range(0, n, batch):
                xb, yb = x[i:i + batch].to(s.device), y[i:i + batch].to(s.device)
                with self.autocast():
                    out = model(xb)
                sums[0] += self._recon(out.float(), yb) * len(xb)
                sums[1] += self.kl().float() * len(xb)
                sums[2] += (out.float() - yb).abs().mean() * len(xb)
                dims = sum(m.kl_per_dim.float().flatten() for m in self.samplers) * len(xb)
                per_dim = dims if per_dim is None else per_dim + dims
        model.train(was)
        recon, kl, mae = (sums / n).tolist()
        return {"loss": recon + self.beta * kl, "mae": mae,
                "terms": {"reconstruction": recon, "kl": kl},
                "kl_per_dim": (per_dim / n).cpu().numpy().astype(np.float32)}

    def watchers(self, probes) -> list:
        from backend.training.recipes import views

        s, found = self.setup, [CollapseWatcher()]
        if s.design is None or self.sampling_node is None:
            return found
        if probes.samples_every_s > 0:
            found += [views.Reconstructions(s, probes.samples_every_s),
                      views.Traversal(s, self.sampling_node, probes.samples_every_s)]
        mu = next((e.src for e in s.design.in_edges(self.sampling_node) if e.dst_port == "mu"),
                  None)
        if probes.latent_points and mu is not None:
            found.append(views.LatentScatter(s, mu, probes.latent_points))
        return found


class CollapseWatcher:
    """Says which latent dimensions carry (almost) no information, when that set changes."""

    def __init__(self) -> None:
        self.reported: tuple[int, ...] = ()

    def live(self, trainer, now, force):
        return iter(())

    def epoch_end(self, trainer, val: dict):
        from backend.training.events import Advice

        per_dim = val.get("kl_per_dim")
        if per_dim is None:
            return
        collapsed = tuple(int(i) for i in np.flatnonzero(per_dim < COLLAPSED_NATS))
        if collapsed == self.reported:
            return
        self.reported = collapsed
        yield Advice(trainer.step, trainer.epoch, "posterior-collapse",
                     collapse_message(collapsed, len(per_dim)), active=bool(collapsed),
                     detail={"dimensions": list(collapsed),
                             "kl_per_dim": [round(float(v), 5) for v in per_dim]})


def collapse_message(collapsed: tuple[int, ...], width: int) -> str:
    if not collapsed:
        return "every latent dimension carries information again (KL above 0.01 nats)"
    if len(collapsed) == width:
        what = "every latent dimension carries"
    elif len(collapsed) == 1:
        what = f"latent dimension {collapsed[0]} of {width} carries"
    else:
        what = f"latent dimensions {', '.join(str(d) for d in collapsed)} of {width} carry"
    return (f"posterior collapse: {what} almost no information (KL below {COLLAPSED_NATS} "
            "nats): lower β, lengthen the KL warm-up, or use fewer latent dimensions")

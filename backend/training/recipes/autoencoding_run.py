"""The autoencoding recipe's step: reconstruct the (clean) input, plus the sparsity penalty."""

from __future__ import annotations

import torch

from backend.training.components import make_loss
from backend.training.failures import loss_message
from backend.training.probes import node_modules
from backend.training.recipes.run import RecipeRun


class AutoencodingRun(RecipeRun):
    def __init__(self, setup, config, recipe) -> None:
        super().__init__(setup, config, recipe)
        self.loss_fn = make_loss(setup.loss)
        self.main = self.make_slot("model", setup.model)
        self.weight = float(recipe.setting(config, "sparsity_weight"))
        self.code = (recipe.code_node(setup.design, setup.analysis, config)
                     if setup.design is not None else None)
        self._activity: torch.Tensor | None = None
        if self.weight > 0:
            node = recipe.setting(config, "sparsity_node") or self.code
            node_modules(setup.model)[node].register_forward_hook(self._keep_activity)

    def _keep_activity(self, module, inputs, output) -> None:
        self._activity = output[0] if isinstance(output, tuple) else output

    def _losses(self, out: torch.Tensor, yb: torch.Tensor):
        """(total, reconstruction, penalty or None) for one batch's output."""
        s = self.setup
        try:
            recon = self.loss_fn(out.float() if s.amp_dtype else out, yb)
        except Exception as exc:
            raise ValueError(loss_message(s.loss, out.shape[1:], yb.shape[1:], exc)) from exc
        if not self.weight:
            return recon, recon, None
        penalty = self.weight * self._activity.float().abs().sum() / len(out)
        return recon + penalty, recon, penalty

    def step(self, xb: torch.Tensor, yb: torch.Tensor):
        out = self.forward(self.setup.model, xb)
        loss, recon, penalty = self._losses(out, yb)
        self.update(loss, self.main)
        terms = () if penalty is None else (recon.detach(), penalty.detach())
        return loss.detach(), terms, None

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, confusion: bool = False) -> dict:
        s, n = self.setup, len(x)
        if n == 0:
            return {}
        sums = torch.zeros(4, device=s.device)  # loss, abs error, reconstruction, penalty
        model = s.model
        was = model.training
        model.eval()
        batch = max(self.config.batch_size, 256)
        with torch.no_grad():
            for i in range(0, n, batch):
                xb, yb = x[i:i + batch].to(s.device), y[i:i + batch].to(s.device)
                with self.autocast():  # the loss outside: BCE refuses autocast
                    out = model(xb)
                out = out.float()
                loss, recon, penalty = self._losses(out, yb)
                sums[0] += loss * len(xb)
                sums[1] += (out - yb).abs().mean() * len(xb)
                sums[2] += recon * len(xb)
                if penalty is not None:
                    sums[3] += penalty * len(xb)
        model.train(was)
        means = (sums / n).tolist()
        result = {"loss": means[0], "mae": means[1]}
        if self.weight:
            result["terms"] = {"reconstruction": means[2], "sparsity": means[3]}
        return result

    def watchers(self, probes) -> list:
        from backend.training.recipes import views

        s, found = self.setup, []
        if s.design is None:
            return found
        if probes.samples_every_s > 0:
            found.append(views.Reconstructions(s, probes.samples_every_s))
        if probes.latent_points and self.code is not None:
            found.append(views.LatentScatter(s, self.code, probes.latent_points))
        return found

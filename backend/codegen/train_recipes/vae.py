"""VAE runs in train.py: reconstruction summed per sample plus β·KL from the Sampling layers."""

import torch
import torch.nn.functional as F

from backend.codegen.train_runtime import Run  # noqa: F401

SUMMED = {"mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss,
          "bce": F.binary_cross_entropy, "bce_with_logits": F.binary_cross_entropy_with_logits}


class VAERun(Run):
    """loss = reconstruction + β·KL, β rising linearly over the first kl_warmup_epochs."""

    def prepare(self, splits):
        self.loss_name = self.s["loss"]
        tensors = [(torch.from_numpy(sx), torch.from_numpy(sx)) for sx, _ in splits]
        (self.train_x, self.train_y), self.val, self.test = tensors
        self.samplers = [m for m in self.model.modules() if type(m).__name__ == "Sampling"]
        self.beta, self.done = self.s["beta"], 0

    def reconstruction(self, out, target):
        """Summed over each sample's values, averaged over the batch (the ELBO's scale)."""
        return SUMMED[self.loss_name](out, target, reduction="sum") / len(out)

    def beta_now(self):
        warm = self.s["kl_warmup_epochs"] * self.steps
        return self.beta if warm <= 0 else self.beta * min(1.0, self.done / warm)

    def make_optimisers(self):
        self.main = self.slot(self.train_nets["model"], self.s)

    def train_step(self, xb, yb):
        recon = self.reconstruction(self.train_nets["model"](xb), yb)
        kl = sum(m.kl for m in self.samplers)
        loss = recon + self.beta_now() * kl
        self.update(self.main, loss, self.train_nets["model"])
        self.done += 1
        return {"loss": loss.item(), "reconstruction": recon.item(), "kl": kl.item()}

    def evaluate(self, x, y, batch_size=512):
        """The decoder on μ (no sampling); the loss with the full β."""
        if len(x) == 0:
            return {}
        model = self.model.eval()
        recon, kl = 0.0, 0.0
        with torch.no_grad():
            for i in range(0, len(x), batch_size):
                xb, yb = x[i:i + batch_size].to(self.device), y[i:i + batch_size].to(self.device)
                recon += float(self.reconstruction(model(xb).float(), yb)) * len(xb)
                kl += float(sum(m.kl for m in self.samplers)) * len(xb)
        model.train()
        recon, kl = recon / len(x), kl / len(x)
        return {"loss": recon + self.beta * kl, "terms": {"reconstruction": recon, "kl": kl}}

"""GAN runs in train.py: k discriminator updates per generator update, two optimisers."""

import torch
import torch.nn.functional as F

from backend.codegen.train_runtime import Run  # noqa: F401


class GANRun(Run):
    """The discriminator learns real from generated; the generator learns to fool it."""

    monitor = False  # a GAN's losses do not pick a best epoch: the last weights are kept

    def prepare(self, splits):
        s = self.s
        self.loss_name = s["loss"]
        tensors = [(torch.from_numpy(sx), torch.zeros(len(sx))) for sx, _ in splits]
        (self.train_x, self.train_y), self.val, self.test = tensors
        self.z_shape = tuple(s["noise_shape"])
        self.k, self.real_label = s["d_steps"], 1.0 - s["label_smoothing"]
        self.done, self.g_loss_value = 0, 0.0

    def make_optimisers(self):
        s = self.s
        self.g_slot = self.slot(self.train_nets["generator"], s)
        d_settings = dict(s, optimizer=s["d_optimizer"], lr=s["d_lr"], betas=s["d_betas"],
                          nesterov=s["d_optimizer"] == "nesterov")
        self.d_slot = self.slot(self.train_nets["discriminator"], d_settings)

    def d_loss(self, real_out, fake_out, real, fake):
        if self.loss_name == "wasserstein_gp":
            return fake_out.mean() - real_out.mean() + self.s["gp_weight"] * self.penalty(
                real, fake)
        ones = torch.full_like(real_out, self.real_label)
        return (F.binary_cross_entropy_with_logits(real_out, ones)
                + F.binary_cross_entropy_with_logits(fake_out, torch.zeros_like(fake_out)))

    def g_loss(self, fake_out):
        if self.loss_name == "wasserstein_gp":
            return -fake_out.mean()
        if self.loss_name == "minimax":  # minimise log(1 - D(G(z)))
            return -F.binary_cross_entropy_with_logits(fake_out, torch.zeros_like(fake_out))
        return F.binary_cross_entropy_with_logits(fake_out, torch.ones_like(fake_out))

    def penalty(self, real, fake):
        """WGAN-GP: (|grad D(x_hat)| - 1)^2 on points between real and generated samples."""
        eps = torch.rand(len(real), *([1] * (real.dim() - 1)), device=real.device)
        mixed = (eps * real + (1 - eps) * fake).requires_grad_(True)
        grad, = torch.autograd.grad(self.train_nets["discriminator"](mixed).sum(), mixed,
                                    create_graph=True)
        return ((grad.flatten(1).norm(dim=1) - 1) ** 2).mean()

    def score(self, out):
        """D's mean probability (mean critic score for the Wasserstein loss)."""
        out = out.detach().float()
        return float(out.mean() if self.loss_name == "wasserstein_gp" else out.sigmoid().mean())

    def train_step(self, real, _labels):
        g, d = self.train_nets["generator"], self.train_nets["discriminator"]
        g_turn = self.done % self.k == self.k - 1
        z = torch.randn(len(real), *self.z_shape, device=self.device)
        with torch.set_grad_enabled(g_turn):
            fake = g(z)
        real_out, fake_out = d(real).float(), d(fake.detach()).float()
        d_loss = self.d_loss(real_out, fake_out, real, fake.detach())
        self.update(self.d_slot, d_loss, d)
        if g_turn:
            g_loss = self.g_loss(d(fake).float())
            self.update(self.g_slot, g_loss, g)
            self.g_loss_value = g_loss.item()
        self.done += 1
        return {"loss": d_loss.item() + self.g_loss_value, "d_loss": d_loss.item(),
                "g_loss": self.g_loss_value, "d_real": self.score(real_out),
                "d_fake": self.score(fake_out)}

    def evaluate(self, x, y, batch_size=512):
        """D(x) on real validation samples and D(G(z)) on as many generated ones."""
        if len(x) == 0:
            return {}
        g, d = self.nets["generator"].eval(), self.nets["discriminator"].eval()
        noise = torch.Generator().manual_seed(self.s["seed"] + 11)  # the same noise each time
        real_score, fake_score = 0.0, 0.0
        with torch.no_grad():
            for i in range(0, len(x), batch_size):
                real = x[i:i + batch_size].to(self.device)
                z = torch.randn(len(real), *self.z_shape, generator=noise)
                fake = g(z.to(self.device))
                real_score += self.score(d(real)) * len(real)
                fake_score += self.score(d(fake)) * len(real)
        g.train()
        d.train()
        return {"terms": {"D(x)": real_score / len(x), "D(G(z))": fake_score / len(x)}}

    def epoch_text(self, epoch, train, val):
        terms = val.get("terms", {})
        return (f"epoch {epoch}/{self.s['epochs']}  D loss {train['d_loss']:.4f}  G loss "
                f"{train['g_loss']:.4f}  D(x) {train['d_real']:.3f}  D(G(z)) "
                f"{train['d_fake']:.3f}" + "".join(f"  val {k} {v:.3f}"
                                                   for k, v in terms.items()))

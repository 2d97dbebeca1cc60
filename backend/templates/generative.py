"""Generative templates on the bundled digits: autoencoders (dense, denoising convolutional,
sparse), variational autoencoders (dense and convolutional) and GANs (dense and DCGAN).

Each sets its own dataset and training sections, tuned so that a run with the defaults
shows the idea within a minute or two on a laptop CPU: reconstructions that sharpen, a
latent space that orders the digits, generated digits. Encoders sit on the first row and
decoders on the second; a GAN's generator is drawn above its discriminator.
"""

from __future__ import annotations

from backend.templates.builder import DesignBuilder

DIGITS_01 = {"name": "digits", "normalise": "minmax"}  # pixels in 0..1 for Sigmoid outputs
_ADAM = {"optimizer": "adam", "schedule": "none"}


def autoencoder() -> DesignBuilder:
    """64 -> 32 -> 8 (the code) -> 32 -> 64, reshaped back to the 1×8×8 image."""
    b = DesignBuilder("Dense autoencoder (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "enc_hidden", units=32)
    b.add("ReLU", "enc_relu")
    b.add("Dense", "code", units=8)
    b.add("ReLU", "code_relu")
    b.add("Dense", "dec_hidden", units=32, row=1)
    b.add("ReLU", "dec_relu", row=1)
    b.add("Dense", "reconstruct", units=64, row=1)
    b.add("Sigmoid", "pixels", row=1)
    b.add("Reshape", "image", row=1, shape=[1, 8, 8])
    b.section("dataset", dict(DIGITS_01))
    b.section("training", {**_ADAM, "task": "autoencoding", "loss": "mse", "lr": 0.003,
                           "batch_size": 32, "epochs": 30})
    return b


def conv_autoencoder() -> DesignBuilder:
    """The course's denoising autoencoder (Conv2D 32, pool, Conv2D 32, pool; Conv2D 32,
    upsample, Conv2D 32, upsample, Conv2D 1) sized for the digits at 16×16: a 4×4×32 code,
    trained on (noisy, clean) pairs."""
    b = DesignBuilder("Denoising conv autoencoder (16×16 digits)")
    b.add("Input", "image", after=None, shape=[1, 16, 16])
    for i in (1, 2):
        b.add("Conv2d", f"enc_conv{i}", filters=32, kernel_size=3, padding="same")
        b.add("ReLU", f"enc_relu{i}")
        b.add("MaxPool2d", f"enc_pool{i}", kernel_size=2)
    for i in (1, 2):
        b.add("Conv2d", f"dec_conv{i}", filters=32, kernel_size=3, padding="same", row=1)
        b.add("ReLU", f"dec_relu{i}", row=1)
        b.add("UpSampling2d", f"dec_up{i}", row=1, scale_factor=2)
    b.add("Conv2d", "dec_out", filters=1, kernel_size=3, padding="same", row=1)
    b.add("Sigmoid", "pixels", row=1)
    b.section("dataset", {**DIGITS_01, "resize": 16, "corruption": "gaussian",
                          "corruption_level": 0.4})
    b.section("training", {**_ADAM, "task": "autoencoding", "loss": "bce", "lr": 0.002,
                           "batch_size": 32, "epochs": 15})
    return b


def sparse_autoencoder() -> DesignBuilder:
    """Overcomplete (64 -> 128 -> 64) but sparse: an L1 penalty on the code's activations
    leaves only a few of its 128 units active for each digit."""
    b = DesignBuilder("Sparse autoencoder (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "code", units=128)
    code = b.add("ReLU", "code_relu")
    b.add("Dense", "reconstruct", units=64, row=1)
    b.add("Sigmoid", "pixels", row=1)
    b.add("Reshape", "image", row=1, shape=[1, 8, 8])
    b.section("dataset", dict(DIGITS_01))
    b.section("training", {**_ADAM, "task": "autoencoding", "loss": "bce", "lr": 0.003,
                           "batch_size": 32, "epochs": 30, "sparsity_weight": 0.02,
                           "sparsity_node": code, "code_node": code})
    return b


def _sampling(b: DesignBuilder, features: str, latent: int) -> str:
    """μ and log σ² heads on `features`, wired into a Sampling layer; returns its id."""
    mu = b.add("Dense", "mu", after=features, units=latent, row=-0.5)
    log_var = b.add("Dense", "log_var", after=features, units=latent, row=0.5,
                    col=b.doc.nodes[mu].pos[0] / 240.0)
    z = b.add("Sampling", "z", after=None)
    b.connect(mu, z, "mu")
    b.connect(log_var, z, "log_var")
    return z


def vae() -> DesignBuilder:
    """Encoder 64 -> 128 -> (μ, log σ²) of 2 values; decoder 2 -> 128 -> 64 pixels. A 2-D
    latent space can be drawn as it is and traversed in full."""
    b = DesignBuilder("Variational autoencoder (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "enc_hidden", units=128)
    features = b.add("ReLU", "enc_relu")
    b.last = _sampling(b, features, 2)
    b.add("Dense", "dec_hidden", units=128, row=1)
    b.add("ReLU", "dec_relu", row=1)
    b.add("Dense", "reconstruct", units=64, row=1)
    b.add("Sigmoid", "pixels", row=1)
    b.add("Reshape", "image", row=1, shape=[1, 8, 8])
    b.section("dataset", dict(DIGITS_01))
    b.section("training", {**_ADAM, "task": "vae", "loss": "bce", "lr": 0.002,
                           "batch_size": 32, "epochs": 40, "beta": 1.0,
                           "kl_warmup_epochs": 5.0})
    return b


def conv_vae() -> DesignBuilder:
    """Convolutional VAE on the digits at 16×16: two strided convolutions down to 4×4×32,
    a 4-value code, and transposed convolutions back up."""
    b = DesignBuilder("Convolutional VAE (16×16 digits)")
    b.add("Input", "image", after=None, shape=[1, 16, 16])
    b.add("Conv2d", "enc_conv1", filters=16, kernel_size=4, stride=2, padding=1)
    b.add("ReLU", "enc_relu1")
    b.add("Conv2d", "enc_conv2", filters=32, kernel_size=4, stride=2, padding=1)
    b.add("ReLU", "enc_relu2")
    features = b.add("Flatten", "features")
    b.last = _sampling(b, features, 4)
    b.add("Dense", "dec_hidden", units=512, row=1)
    b.add("ReLU", "dec_relu", row=1)
    b.add("Reshape", "maps", row=1, shape=[32, 4, 4])
    b.add("ConvTranspose2d", "dec_deconv1", row=1, filters=16, kernel_size=4, stride=2,
          padding=1)
    b.add("ReLU", "dec_relu1", row=1)
    b.add("ConvTranspose2d", "dec_deconv2", row=1, filters=1, kernel_size=4, stride=2,
          padding=1)
    b.add("Sigmoid", "pixels", row=1)
    b.section("dataset", {**DIGITS_01, "resize": 16})
    b.section("training", {**_ADAM, "task": "vae", "loss": "bce", "lr": 0.002,
                           "batch_size": 32, "epochs": 25, "beta": 1.0,
                           "kl_warmup_epochs": 3.0})
    return b


def _roles(b: DesignBuilder, generator: str, discriminator: str) -> None:
    b.section("networks", {"generator": generator, "discriminator": discriminator})


def gan() -> DesignBuilder:
    """Generator: 16 noise values -> 128 -> 64 pixels; discriminator: 64 pixels -> 128 ->
    one score (a logit)."""
    b = DesignBuilder("GAN (8×8 digits)")
    noise = b.add("Input", "noise", after=None, shape=[16])
    b.add("Dense", "g_hidden", units=128)
    b.add("LeakyReLU", "g_act", negative_slope=0.2)
    b.add("Dense", "g_pixels", units=64)
    b.add("Sigmoid", "g_sigmoid")
    b.add("Reshape", "fake_image", shape=[1, 8, 8])
    image = b.add("Input", "image", after=None, row=1.5, col=0, shape=[1, 8, 8])
    b.add("Flatten", "d_flatten", row=1.5)
    b.add("Dense", "d_hidden", units=128, row=1.5)
    b.add("LeakyReLU", "d_act", row=1.5, negative_slope=0.2)
    b.add("Dropout", "d_dropout", row=1.5, p=0.3)
    b.add("Dense", "score", units=1, row=1.5)
    _roles(b, noise, image)
    b.section("dataset", dict(DIGITS_01))
    b.section("training", {**_ADAM, "task": "gan", "loss": "non_saturating", "lr": 0.001,
                           "betas": [0.5, 0.999], "d_lr": 0.0005, "batch_size": 32,
                           "epochs": 60, "label_smoothing": 0.1})
    return b


def dcgan() -> DesignBuilder:
    """DCGAN on the digits at 16×16: a Dense projection to 4×4×64 and two strided transposed
    convolutions with BatchNorm; the discriminator mirrors it with strided convolutions and
    LeakyReLU."""
    b = DesignBuilder("DCGAN (16×16 digits)")
    noise = b.add("Input", "noise", after=None, shape=[32])
    b.add("Dense", "project", units=1024)
    b.add("Reshape", "maps", shape=[64, 4, 4])
    b.add("BatchNorm2d", "g_bn0")
    b.add("ReLU", "g_relu0")
    b.add("ConvTranspose2d", "g_deconv1", filters=32, kernel_size=4, stride=2, padding=1)
    b.add("BatchNorm2d", "g_bn1")
    b.add("ReLU", "g_relu1")
    b.add("ConvTranspose2d", "g_deconv2", filters=1, kernel_size=4, stride=2, padding=1)
    b.add("Sigmoid", "g_pixels")
    image = b.add("Input", "image", after=None, row=1.5, col=0, shape=[1, 16, 16])
    b.add("Conv2d", "d_conv1", row=1.5, filters=32, kernel_size=4, stride=2, padding=1)
    b.add("LeakyReLU", "d_act1", row=1.5, negative_slope=0.2)
    b.add("Conv2d", "d_conv2", row=1.5, filters=64, kernel_size=4, stride=2, padding=1)
    b.add("BatchNorm2d", "d_bn2", row=1.5)
    b.add("LeakyReLU", "d_act2", row=1.5, negative_slope=0.2)
    b.add("Flatten", "d_flatten", row=1.5)
    b.add("Dense", "score", units=1, row=1.5)
    _roles(b, noise, image)
    b.section("dataset", {**DIGITS_01, "resize": 16})
    b.section("training", {**_ADAM, "task": "gan", "loss": "non_saturating", "lr": 0.0005,
                           "betas": [0.5, 0.999], "d_lr": 0.0005, "batch_size": 32,
                           "epochs": 30, "label_smoothing": 0.1})
    return b

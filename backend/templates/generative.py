"""Autoencoder templates: a dense one on the 8×8 digits and the course's convolutional
denoising autoencoder on 28×28×1. Both output an image shaped like their input."""

from __future__ import annotations

from backend.templates.builder import DesignBuilder


def autoencoder() -> DesignBuilder:
    """64 -> 32 -> 8 (the code) -> 32 -> 64, reshaped back to the 1×8×8 image.

    The encoder sits on the first row and the decoder on the second."""
    b = DesignBuilder("Dense autoencoder (8×8 digits)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "encode", units=32)
    b.add("ReLU", "encode_relu")
    b.add("Dense", "code", units=8)
    b.add("ReLU", "code_relu")
    b.add("Dense", "decode", units=32, row=1)
    b.add("ReLU", "decode_relu", row=1)
    b.add("Dense", "reconstruct", units=64, row=1)
    b.add("Sigmoid", "pixels", row=1)
    b.add("Reshape", "image", row=1, shape=[1, 8, 8])
    return b


def conv_autoencoder() -> DesignBuilder:
    """Denoising: noise on the input while training, encoder to 7×7×32, decoder to 28×28×1.

    The encoder sits on the first row and the decoder on the second."""
    b = DesignBuilder("Denoising conv autoencoder (28×28)")
    b.add("Input", "image", after=None, shape=[1, 28, 28])
    b.add("GaussianNoise", "noise", std=0.3)
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
    return b

"""Built-in templates: the course's architectures as designs.

Each template is a function returning a `DesignBuilder`; `TEMPLATES` maps the CLI name to
(function, one-line description). `make_template(name)` returns a fresh GraphDocument.
"""

from __future__ import annotations

from backend.graph import GraphDocument
from backend.templates import basic, cnn, generative, sequence

TEMPLATES = {
    "mlp": (basic.mlp, "Multi-layer perceptron for the bundled 8×8 digits (64-64-10)."),
    "xor-mlp": (basic.xor_mlp, "2 inputs -> Dense 8 -> Tanh -> Dense 2: solves XOR and the "
                               "two-moons playground."),
    "deep-sigmoid-mlp": (basic.deep_sigmoid_mlp, "Eight Dense+Sigmoid layers on the 8×8 digits: "
                                                 "watch the gradients vanish."),
    "lenet5": (basic.lenet5, "LeNet-5 (1998) on 32×32×1 images: two conv/pool blocks, "
                             "three dense layers, 61,706 parameters."),
    "course-cnn": (basic.course_cnn, "The course's example CNN on 28×28×1: conv 5×5, pool, "
                                     "conv 5×5, pool, dense, dropout, 10 classes."),
    "alexnet": (cnn.alexnet, "AlexNet (2012) on 227×227×3: ReLU, local response norm, "
                             "overlapping 3×3/2 pooling, ~62 M parameters."),
    "zfnet": (cnn.zfnet, "ZFNet (2013) on 224×224×3: AlexNet with 7×7/2 first filters, "
                         "~62 M parameters."),
    "vgg16": (cnn.vgg16, "VGG-16 (2015) on 224×224×3: blocks of 3×3 'same' convs and 2×2 "
                         "pooling, ~138 M parameters."),
    "resnet": (cnn.resnet, "Small ResNet on the 8×8 digits: residual blocks with Add, a 1×1 "
                           "projection shortcut, BatchNorm, global average pooling."),
    "inception": (cnn.inception, "Mini GoogLeNet on the 8×8 digits: Inception modules with "
                                 "parallel 1×1, 3×3, 5×5 convs and 3×3 pooling concatenated."),
    "densenet": (cnn.densenet, "Mini DenseNet on the 8×8 digits: a dense block of "
                               "concatenations, then a 1×1 conv + 2×2 average-pool transition."),
    "squeezenet": (cnn.squeezenet, "Mini SqueezeNet on the 8×8 digits: fire modules (1×1 "
                                   "squeeze, 1×1 + 3×3 expand concatenated)."),
    "autoencoder": (generative.autoencoder, "Dense autoencoder on the 8×8 digits with an "
                                            "8-unit bottleneck."),
    "conv-autoencoder": (generative.conv_autoencoder, "The course's denoising convolutional "
                                                      "autoencoder on 16×16 digits (4×4×32 "
                                                      "code), trained on noisy -> clean."),
    "sparse-autoencoder": (generative.sparse_autoencoder, "Overcomplete autoencoder (128 code "
                                                          "units for 64 pixels) kept sparse by "
                                                          "an L1 activity penalty."),
    "vae": (generative.vae, "Variational autoencoder on the 8×8 digits: a 2-D latent space "
                            "to scatter and traverse."),
    "conv-vae": (generative.conv_vae, "Convolutional variational autoencoder on 16×16 digits "
                                      "with a 4-value code."),
    "gan": (generative.gan, "GAN on the 8×8 digits: a dense generator and discriminator "
                            "trained against each other."),
    "dcgan": (generative.dcgan, "DCGAN on 16×16 digits: transposed convolutions with "
                                "BatchNorm against a strided-convolution discriminator."),
    "lstm-sine": (sequence.lstm_sine, "Sine forecasting: a window of 20 values -> LSTM 32 -> "
                                      "the next value."),
    "gru-seq": (sequence.gru_seq, "Sine forecasting with two stacked GRU layers."),
    "rnn-sine": (sequence.rnn_sine, "Sine forecasting with a simple (Elman) RNN, to compare "
                                    "with the LSTM."),
}


def template_names() -> list[str]:
    return list(TEMPLATES)


def make_template(name: str) -> GraphDocument:
    try:
        factory, _ = TEMPLATES[name]
    except KeyError:
        raise KeyError(f"unknown template '{name}' (available: {', '.join(TEMPLATES)})") from None
    doc = factory().doc
    from backend.templates.defaults import apply_defaults

    apply_defaults(name, doc)
    return doc

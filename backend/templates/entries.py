"""Every built-in template, in the order lists show them, with its description and note.

Descriptions say what a template is; notes say, in two lines, the idea the architecture
brought to the field (after the course's own summary), for the template dialog.
"""

from __future__ import annotations

from backend.templates import basic, cnn, generative, graph, mini, modular, residual, sequence
from backend.templates.catalog import (
    AUTOENCODERS,
    BASICS,
    FULL,
    GENERATIVE,
    GRAPHS,
    MINI,
    SEQUENCES,
    Template,
)

CATALOG: tuple[Template, ...] = (
    Template(
        "mlp", "MLP for 8×8 digits", basic.mlp,
        "Multi-layer perceptron for the bundled 8×8 digits (64-64-10).",
        "Dense layers with a non-linearity between them, o = Φ(W₂ Φ(W₁ x)), learn what one "
        "layer cannot.\nEvery pixel meets every hidden unit: fine for 8×8, wasteful for "
        "photos, which is why CNNs came.", BASICS),
    Template(
        "xor-mlp", "XOR / two-moons MLP", basic.xor_mlp,
        "2 inputs -> Dense 8 -> Tanh -> Dense 2: solves XOR and the two-moons playground.",
        "One perceptron draws one straight line, so XOR's opposite quadrants defeat it.\nA "
        "hidden layer of tanh units bends the boundary: the smallest network that solves it.",
        BASICS),
    Template(
        "deep-sigmoid-mlp", "Deep sigmoid MLP (vanishing gradients)", basic.deep_sigmoid_mlp,
        "Eight Dense+Sigmoid layers on the 8×8 digits: watch the gradients vanish.",
        "Sigmoid's slope is at most 0.25, so the gradient shrinks at every layer on its way "
        "back.\nIt is meant to learn badly: watch the early layers stall, then replace the "
        "Sigmoids with ReLU.", BASICS),
    Template(
        "course-cnn", "Course CNN (28×28)", basic.course_cnn,
        "The course's example CNN on 28×28×1: conv 5×5, pool, conv 5×5, pool, dense, "
        "dropout, 10 classes.",
        "Valid 5×5 convolutions and 2×2 pooling take 28 → 24 → 12 → 8 → 4, as the course "
        "works it out.\nFlatten hands the 4×4 maps to dense layers; dropout regularises the "
        "classifier.", BASICS),
    Template(
        "lenet5", "LeNet-5", basic.lenet5,
        "LeNet-5 (1998) on 32×32×1 images: two conv/pool blocks, three dense layers, "
        "61,706 parameters.",
        "LeNet-5 (1998) read handwritten digits on cheques: one small kernel slides over the "
        "whole image.\nTwo conv–pool stages turn 32×32 into 16 maps of 5×5, then dense layers "
        "classify; ~60 k parameters.", FULL, sized=True),
    Template(
        "alexnet", "AlexNet", cnn.alexnet,
        "AlexNet (2012) as published, on 227×227×3: ReLU, local response norm, overlapping "
        "3×3/2 pooling, 62,378,344 parameters.",
        "AlexNet (2012) won ImageNet with ReLU instead of saturating units, overlapping 3×3/2 "
        "pooling and dropout.\nAs published: 227×227 input, five conv and three dense layers, "
        "62,378,344 parameters, most in the dense ones.", FULL, sized=True),
    Template(
        "alexnet-torchvision", "AlexNet (torchvision)", cnn.alexnet_torchvision,
        "torchvision's AlexNet on 224×224×3: 64-192-384-256-256 filters, no response norm, "
        "adaptive 6×6 pool, 61,100,840 parameters.",
        "The one-GPU AlexNet that torchvision ships: fewer first filters and no local "
        "response norm.\nAn adaptive 6×6 pool before the dense layers lets other image sizes "
        "through with the same weights.", FULL, sized=True),
    Template(
        "zfnet", "ZFNet", cnn.zfnet,
        "ZFNet (2013) on 224×224×3: AlexNet with 7×7/2 first filters, 62,357,608 parameters.",
        "ZFNet (2013) looked at what AlexNet's filters learned and kept more detail: 7×7 "
        "stride-2 first filters, not 11×11 stride 4.\nOtherwise AlexNet's plan: five "
        "convolutions, overlapping pooling, three dense layers.", FULL, sized=True),
    Template(
        "vgg11", "VGG-11", cnn.vgg11,
        "VGG-11 (2015) on 224×224×3: five VGG blocks with 8 conv layers, 132,863,336 "
        "parameters.",
        "VGG (2015) builds depth from one brick: 3×3 convolutions that keep the size, then a "
        "2×2 pool that halves it.\nTwo stacked 3×3s see as far as one 5×5 with fewer "
        "weights; VGG-11 stacks 8 of them.", FULL, sized=True),
    Template(
        "vgg16", "VGG-16", cnn.vgg16,
        "VGG-16 (2015) on 224×224×3: five VGG blocks with 13 conv layers, 138,357,544 "
        "parameters.",
        "VGG (2015) builds depth from one brick: 3×3 convolutions that keep the size, then a "
        "2×2 pool that halves it.\nVGG-16 stacks 13 of them; 90 % of its 138 M parameters "
        "sit in the three dense layers.", FULL, sized=True),
    Template(
        "googlenet", "GoogLeNet", modular.googlenet,
        "GoogLeNet (2014) on 224×224×3 as torchvision has it, without auxiliary heads: nine "
        "Inception modules, 6,624,904 parameters.",
        "GoogLeNet (2014) stacks Inception modules: 1×1, 3×3 and 5×5 convolutions and a pool "
        "side by side, concatenated.\n1×1 convolutions thin the channels first, so 22 layers "
        "need 20× fewer parameters than VGG.", FULL, sized=True),
    Template(
        "resnet18", "ResNet-18", residual.resnet18,
        "ResNet-18 (2016) on 224×224×3: four stages of two basic residual blocks, "
        "11,689,512 parameters.",
        "ResNet (2016) adds each block's input to its output, so a block learns only a "
        "residual and depth stops hurting.\nWhere a block halves the size or widens the "
        "channels, a 1×1 projection shortcut matches the shape.", FULL, sized=True),
    Template(
        "resnet50", "ResNet-50", residual.resnet50,
        "ResNet-50 (2016) on 224×224×3: 3, 4, 6, 3 bottleneck blocks, 25,557,032 parameters "
        "(+ 53,120 BatchNorm running statistics).",
        "Bottleneck blocks make deep ResNets affordable: a 1×1 conv squeezes, a 3×3 works on "
        "few channels, a 1×1 expands 4×.\nSixteen of them with skip connections; Keras "
        "counts the 53,120 BatchNorm statistics too (25,636,712 with conv biases).", FULL,
        sized=True),
    Template(
        "resnext50", "ResNeXt-50 (32×4d)", residual.resnext50,
        "ResNeXt-50 32×4d (2017) on 224×224×3: ResNet-50 with 32-group 3×3 convolutions, "
        "25,028,904 parameters.",
        "ResNeXt (2017) splits each bottleneck's 3×3 convolution into 32 parallel groups "
        "(its cardinality).\nMore, thinner paths beat a deeper or wider ResNet at the same "
        "cost.", FULL, sized=True),
    Template(
        "densenet121", "DenseNet-121", modular.densenet121,
        "DenseNet-121 (2017) on 224×224×3: dense blocks of 6, 12, 24, 16 layers with "
        "transitions, 7,978,856 parameters.",
        "DenseNet (2017) hands every layer the feature maps of all earlier layers in its "
        "block, concatenated (growth rate 32).\nTransitions (1×1 conv, 2×2 average pool) "
        "shrink between blocks; features are reused, not relearned.", FULL, sized=True),
    Template(
        "squeezenet1.0", "SqueezeNet 1.0", modular.squeezenet1_0,
        "SqueezeNet 1.0 (2016) on 224×224×3: eight fire modules, a 1×1 conv classifier, "
        "1,248,424 parameters.",
        "SqueezeNet (2016) reaches AlexNet's accuracy with 50× fewer parameters: fire modules "
        "squeeze with 1×1 convs, then expand.\nDownsampling comes late, and a 1×1 conv with "
        "average pooling replaces the dense layers.", FULL, sized=True),
    Template(
        "squeezenet1.1", "SqueezeNet 1.1", modular.squeezenet1_1,
        "SqueezeNet 1.1 on 224×224×3: 64 3×3 stem filters and earlier pooling, 1,235,496 "
        "parameters.",
        "SqueezeNet 1.1 starts with 64 3×3 filters instead of 96 7×7 and pools sooner.\nThe "
        "same accuracy as 1.0 for 2.4× less computation, with the same fire modules.", FULL,
        sized=True),
    Template(
        "resnet", "Small ResNet (8×8 digits)", mini.resnet,
        "Small ResNet on the 8×8 digits: residual blocks with Add, a 1×1 projection shortcut, "
        "BatchNorm, global average pooling.",
        "Each block adds its input to its output, so it only has to learn a residual.\nThe "
        "second block halves the size and doubles the channels, so its shortcut needs a 1×1 "
        "projection.", MINI),
    Template(
        "inception", "Mini Inception (8×8 digits)", mini.inception,
        "Mini GoogLeNet on the 8×8 digits: Inception modules with parallel 1×1, 3×3, 5×5 "
        "convs and 3×3 pooling concatenated.",
        "Each Inception module runs 1×1, 3×3 and 5×5 convolutions and a 3×3 pool side by "
        "side.\nTheir maps are concatenated along the channels; 1×1 convs thin the channels "
        "first.", MINI),
    Template(
        "densenet", "Mini DenseNet (8×8 digits)", mini.densenet,
        "Mini DenseNet on the 8×8 digits: a dense block of concatenations, then a 1×1 conv + "
        "2×2 average-pool transition.",
        "Each layer of the dense block sees the concatenated maps of every earlier layer.\nA "
        "transition (1×1 conv, 2×2 average pool) then thins the channels and halves the size.",
        MINI),
    Template(
        "squeezenet", "Mini SqueezeNet (8×8 digits)", mini.squeezenet,
        "Mini SqueezeNet on the 8×8 digits: fire modules (1×1 squeeze, 1×1 + 3×3 expand "
        "concatenated).",
        "Fire modules squeeze to a few channels with 1×1 convs, then expand with 1×1 and 3×3 "
        "side by side.\nA 1×1 conv makes one map per class; global average pooling turns "
        "each into a score.", MINI),
    Template(
        "autoencoder", "Dense autoencoder (8×8 digits)", generative.autoencoder,
        "Dense autoencoder on the 8×8 digits with an 8-unit bottleneck.",
        "An autoencoder learns to copy its input through a narrow code: 64 → 8 → 64.\nThe "
        "bottleneck forces a compressed description of each digit, like a non-linear PCA.",
        AUTOENCODERS),
    Template(
        "conv-autoencoder", "Denoising conv autoencoder (16×16 digits)",
        generative.conv_autoencoder,
        "The course's denoising convolutional autoencoder on 16×16 digits (4×4×32 code), "
        "trained on noisy -> clean.",
        "The data pipeline adds noise to each digit (in training and validation) and the "
        "network learns to give back the clean one.\nConvolutions and pooling encode to "
        "4×4×32; upsampling and convolutions decode to 16×16.", AUTOENCODERS),
    Template(
        "sparse-autoencoder", "Sparse autoencoder (8×8 digits)", generative.sparse_autoencoder,
        "Overcomplete autoencoder (128 code units for 64 pixels) kept sparse by an L1 activity "
        "penalty.",
        "More code units than pixels could simply copy the input; an L1 penalty on their "
        "activity leaves only a few active.\nEach unit comes to stand for a stroke or a "
        "part that digits share.", AUTOENCODERS),
    Template(
        "vae", "Variational autoencoder (8×8 digits)", generative.vae,
        "Variational autoencoder on the 8×8 digits: a 2-D latent space to scatter and "
        "traverse.",
        "The encoder gives a distribution (μ, σ) per digit; a Sampling layer draws z from it "
        "and the KL term pulls codes towards N(0, I).\nThe latent space becomes smooth: "
        "decoding a grid of codes morphs one digit into another.", GENERATIVE),
    Template(
        "conv-vae", "Convolutional VAE (16×16 digits)", generative.conv_vae,
        "Convolutional variational autoencoder on 16×16 digits with a 4-value code.",
        "Strided convolutions encode, transposed convolutions decode, a Sampling layer "
        "between them.\nReconstruction + β·KL: raise β for a smoother, blurrier code.",
        GENERATIVE),
    Template(
        "gan", "GAN (8×8 digits)", generative.gan,
        "GAN on the 8×8 digits: a dense generator and discriminator trained against each "
        "other.",
        "The generator turns noise into digits; the discriminator learns to tell them from "
        "real ones, and each improves against the other.\nTwo networks, two optimisers, "
        "alternating steps: watch D(x) and D(G(z)) meet near 0.5.", GENERATIVE),
    Template(
        "dcgan", "DCGAN (16×16 digits)", generative.dcgan,
        "DCGAN on 16×16 digits: transposed convolutions with BatchNorm against a "
        "strided-convolution discriminator.",
        "Radford et al. (2015): all-convolutional generator and discriminator, BatchNorm, "
        "ReLU up and LeakyReLU down.\nThe recipe that made GANs train reliably on images.",
        GENERATIVE),
    Template(
        "lstm-sine", "LSTM sine forecaster", sequence.lstm_sine,
        "Sine forecasting: a window of 20 values -> LSTM 32 -> the next value.",
        "An LSTM carries a cell state along the sequence; forget, input and output gates "
        "decide what it keeps.\nIt reads 20 past values of a sine wave and predicts the next.",
        SEQUENCES),
    Template(
        "gru-seq", "GRU sine forecaster", sequence.gru_seq,
        "Sine forecasting with two stacked GRU layers.",
        "A GRU folds the LSTM's gates into update and reset gates and keeps no separate cell "
        "state.\nTwo stacked GRU layers forecast the next value of a sine wave.", SEQUENCES),
    Template(
        "rnn-sine", "Simple RNN sine forecaster", sequence.rnn_sine,
        "Sine forecasting with a simple (Elman) RNN, to compare with the LSTM.",
        "A simple (Elman) RNN: h_t = tanh(W [x_t; h_t−1]) with the same weights at every "
        "step.\nCompare it with the LSTM: its memory fades as gradients vanish through time.",
        SEQUENCES),
    Template(
        "gcn-karate", "GCN on the karate club", graph.gcn_karate,
        "The classic 2-layer graph convolutional network on Zachary's karate club: which "
        "faction each member joined.",
        "Each GCN layer averages a node's features with its neighbours' (D^-1/2 (A + I) "
        "D^-1/2 H W).\nFour labelled members per faction are enough: the edges carry the "
        "labels to the rest.", GRAPHS),
    Template(
        "gcn-sbm", "GCN on a stochastic block model", graph.gcn_sbm,
        "A 2-layer GCN classifying the communities of a 300-node stochastic block model from "
        "noisy node features.",
        "Each node's own features hint weakly at its community; its neighbours mostly share "
        "it.\nAveraging over the neighbours cleans the hint: compare with the MLP that "
        "ignores the edges.", GRAPHS),
    Template(
        "mlp-sbm", "MLP on the block model's nodes (no edges)", graph.mlp_sbm,
        "The GCN's layers as Dense ones: every node classified from its own features alone.",
        "The baseline a graph network must beat: the same sizes, but the edges are never "
        "used.\nIts accuracy shows how much the graph itself adds.", GRAPHS),
    Template(
        "graph-autoencoder", "Graph autoencoder (link prediction)", graph.graph_autoencoder,
        "A GCN encoder and the inner-product decoder σ(Z Zᵀ), trained to predict held-out "
        "edges of an 8-community block model.",
        "The encoder embeds every node; two nodes are likely linked when their embeddings "
        "point the same way.\nTrained on the visible edges, it scores the hidden ones (ROC "
        "AUC).", GRAPHS),
)

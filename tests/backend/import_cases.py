"""The hand-written model files of tests/backend/import_models and how to import each.

(file, class, constructor arguments as JSON or None, input shape). The last ones are
expected to be refused with a sentence: `REFUSED` maps them to a phrase of that sentence.
"""

from pathlib import Path

MODELS = Path(__file__).parent / "import_models"

CASES = [
    ("mnist_cnn.py", "Net", None, [1, 28, 28]),
    ("cifar_cnn.py", "Net", None, [3, 32, 32]),
    ("lenet_sequential.py", "LeNet5", None, [1, 32, 32]),
    ("lstm_classifier.py", "RNN", "[28, 32, 2, 10]", [28, 28]),
    ("gru_forecaster.py", "GRUForecaster", None, [20, 1]),
    ("seq_first_lstm.py", "SequenceClassifier", None, [7, 8]),
    ("bidirectional_rnn.py", "BiRNN", None, [9, 6]),
    ("autoencoder.py", "Autoencoder", None, [784]),
    ("conv_autoencoder.py", "ConvAutoencoder", None, [1, 28, 28]),
    ("denoising_autoencoder.py", "DenoisingAE", None, [64]),
    ("dcgan.py", "Generator", None, [16, 1, 1]),
    ("resnet_small.py", "ResNet", None, [3, 32, 32]),
    ("vgg_small.py", "VGG11BN", None, [3, 32, 32]),
    ("squeezenet_small.py", "SqueezeNet", None, [3, 33, 33]),
    ("se_block.py", "SENet", None, [3, 16, 16]),
    ("mlp_modulelist.py", "MLP", '{"in_features": 64, "hidden": [32, 16], "out_features": 5}',
     [1, 8, 8]),
    ("vae_encoder.py", "Encoder", None, [784]),
    ("dcgan.py", "Discriminator", None, [3, 32, 32]),
    ("text_lstm.py", "LSTMClassifier", None, [12]),
    ("convblock_reuse.py", "SmallCNN", None, [3, 32, 32]),
    ("nested_sequential.py", "DeepMLP", None, [20]),
    ("unet_small.py", "UNet", None, [1, 16, 16]),
    ("mobilenet_v2_small.py", "MobileNetV2", None, [3, 32, 32]),
    ("mobilenet_v3_block.py", "MobileNetV3Tiny", None, [3, 32, 32]),
    ("prelu_regressor.py", "CountRegressor", None, [1, 28, 28]),
]

REFUSED = {
    ("text_cnn.py", "TextCNN", None, (12,)): "reorders axes",
}

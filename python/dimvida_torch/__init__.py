"""PyTorch twins of DiMViDA Studio's networks, with the same parameter names and
layouts as the engine's safetensors files, so that a file moves both ways
without conversion (used by the parity tests and the benches)."""
from .safetensors_io import load_file, save_file
from .layers import ResBlock
from .autoencoder import ViewAutoencoder, AutoencoderConfig
from .score_net import ScoreNet, ScoreNetConfig
from .classifiers import (ClassifierConfig, ResNet18, MobileNetV3Small, make_classifier, save_classifier,
                          load_classifier, our_state_dict)

__all__ = ["load_file", "save_file", "ResBlock", "ViewAutoencoder", "AutoencoderConfig", "ScoreNet", "ScoreNetConfig",
           "ClassifierConfig", "ResNet18", "MobileNetV3Small", "make_classifier", "save_classifier",
           "load_classifier", "our_state_dict"]

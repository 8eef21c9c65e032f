"""The view autoencoder (src/engine/views/autoencoder.h): same modules, same
state_dict keys and layouts as the engine's autoencoder.safetensors."""
import json
from dataclasses import dataclass, field

import torch
from torch import nn
import torch.nn.functional as F

from .layers import ResBlock, SLOPE


@dataclass
class AutoencoderConfig:
    image_size: int = 64
    latent_dim: int = 64
    channels: list = field(default_factory=lambda: [32, 64, 128])
    head_channels: int = 16

    @classmethod
    def from_json(cls, text):
        return cls(**json.loads(text))

    def to_json(self):
        return json.dumps({"image_size": self.image_size, "latent_dim": self.latent_dim,
                           "channels": list(self.channels), "head_channels": self.head_channels},
                          separators=(",", ":"))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        c0, c1, c2 = c.channels
        self.flat = c2 * (c.image_size // 8) ** 2
        self.conv_in = nn.Conv2d(3, c0, 4, stride=2, padding=1)
        self.blocks = nn.ModuleList([ResBlock(c0, c0), ResBlock(c0, c1), ResBlock(c1, c2)])
        self.fc = nn.Linear(self.flat, c.latent_dim)

    def forward(self, x):
        h = self.blocks[0](self.conv_in(x))
        h = self.blocks[1](F.avg_pool2d(h, 3, 2, 1))
        h = self.blocks[2](F.avg_pool2d(h, 3, 2, 1))
        return self.fc(F.leaky_relu(h, SLOPE).flatten(1))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        c0, c1, c2 = c.channels
        self.c2, self.s8 = c2, c.image_size // 8
        self.fc = nn.Linear(c.latent_dim, c2 * self.s8 ** 2)
        self.blocks = nn.ModuleList([ResBlock(c2, c1), ResBlock(c1, c0), ResBlock(c0, c0),
                                     ResBlock(c0, c.head_channels)])
        self.conv_out = nn.Conv2d(c.head_channels, 3, 3, padding=1)

    def forward(self, z):
        h = self.fc(z).view(-1, self.c2, self.s8, self.s8)
        h = self.blocks[0](h)
        h = self.blocks[1](F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.blocks[2](F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.blocks[3](h)
        h = F.interpolate(h, scale_factor=2, mode="nearest")
        return self.conv_out(F.leaky_relu(h, SLOPE))


class ViewAutoencoder(nn.Module):
    """64×64 RGB view in [0, 1] (NCHW) ↔ 64-d latent; no output sigmoid."""

    def __init__(self, config=None):
        super().__init__()
        self.config = config or AutoencoderConfig()
        self.encoder = Encoder(self.config)
        self.decoder = Decoder(self.config)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    @classmethod
    def from_safetensors(cls, path):
        from .safetensors_io import load_file
        tensors, metadata = load_file(path)
        config = AutoencoderConfig.from_json(metadata["autoencoder_config"]) \
            if "autoencoder_config" in metadata else AutoencoderConfig()
        model = cls(config)
        model.load_state_dict(tensors, strict=True)
        return model

    def save_safetensors(self, path, dtype="F32"):
        from .safetensors_io import save_file
        save_file(self.state_dict(), path, {"autoencoder_config": self.config.to_json()}, dtype)

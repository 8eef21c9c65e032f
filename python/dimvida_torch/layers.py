"""Layers of the engine's nn/ folder that PyTorch has no single module for."""
import torch
from torch import nn
import torch.nn.functional as F

SLOPE = 0.2
RESIDUAL_SCALE = 0.1


class ResBlock(nn.Module):
    """out = shortcut(x) + 0.1 · conv_1(lrelu(conv_0(lrelu(x)))), hidden = min(fin, fout);
    a bias-free 1×1 conv_s shortcut when fin ≠ fout (src/engine/nn/res_block.c)."""

    def __init__(self, fin, fout):
        super().__init__()
        hidden = min(fin, fout)
        self.conv_0 = nn.Conv2d(fin, hidden, 3, padding=1)
        self.conv_1 = nn.Conv2d(hidden, fout, 3, padding=1)
        self.learned_shortcut = fin != fout
        if self.learned_shortcut:
            self.conv_s = nn.Conv2d(fin, fout, 1, bias=False)

    def forward(self, x):
        xs = self.conv_s(x) if self.learned_shortcut else x
        dx = self.conv_1(F.leaky_relu(self.conv_0(F.leaky_relu(x, SLOPE)), SLOPE))
        return xs + RESIDUAL_SCALE * dx

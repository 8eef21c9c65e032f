"""The masked multi-time score network (src/engine/views/score_net.h): MLD's
UnetMLP sized down, with the same state_dict keys and layouts as the engine's
score.safetensors, and the VP-SDE / masked loss the C trainer uses."""
import json
import math
from dataclasses import dataclass

import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class ScoreNetConfig:
    n_views: int = 4
    latent_dim: int = 64
    width: int = 384
    time_dim: int = 128
    levels: int = 2
    groups: int = 32

    @classmethod
    def from_json(cls, text):
        return cls(**json.loads(text))

    def to_json(self):
        return json.dumps(self.__dict__, separators=(",", ":"))


class Block(nn.Module):
    """GroupNorm → SiLU → Linear."""

    def __init__(self, dim_in, dim_out, groups):
        super().__init__()
        self.norm = nn.GroupNorm(groups, dim_in, eps=1e-5)
        self.proj = nn.Linear(dim_in, dim_out)

    def forward(self, x):
        return self.proj(F.silu(self.norm(x)))


class ResBlock(nn.Module):
    """block2(block1(x) + Linear(SiLU(time))) + skip(x)."""

    def __init__(self, dim_in, dim_out, time_dim, groups):
        super().__init__()
        self.block1 = Block(dim_in, dim_out, groups)
        self.time = nn.Linear(time_dim, dim_out)
        self.block2 = Block(dim_out, dim_out, groups)
        self.skip = nn.Linear(dim_in, dim_out) if dim_in != dim_out else None

    def forward(self, x, temb_silu):
        h = self.block1(x) + self.time(temb_silu)
        h = self.block2(h)
        return h + (self.skip(x) if self.skip is not None else x)


class Down(nn.Module):
    def __init__(self, width, time_dim, groups):
        super().__init__()
        self.res = ResBlock(width, width, time_dim, groups)
        self.down = nn.Linear(width, width)


class Up(nn.Module):
    def __init__(self, width, time_dim, groups):
        super().__init__()
        self.res = ResBlock(2 * width, width, time_dim, groups)
        self.up = nn.Linear(width, width)


class ScoreNet(nn.Module):
    def __init__(self, c: ScoreNetConfig):
        super().__init__()
        self.config = c
        D, W, T, G = c.n_views * c.latent_dim, c.width, c.time_dim, c.groups
        # Registration order equals the C engine's (its initialisation draws in that order).
        self.time_mlp = nn.Sequential(nn.Linear(c.n_views, T), nn.GELU(), nn.Linear(T, T))
        self.init = nn.Linear(D, W)
        self.downs = nn.ModuleList([Down(W, T, G) for _ in range(c.levels)])
        self.mid = nn.ModuleList([ResBlock(W, W, T, G), ResBlock(W, W, T, G)])
        self.ups = nn.ModuleList([Up(W, T, G) for _ in range(c.levels)])
        self.final_res = ResBlock(2 * W, W, T, G)
        self.final_norm = nn.GroupNorm(G, W, eps=1e-5)
        self.final = nn.Linear(W, D)
        nn.init.zeros_(self.final.weight)
        nn.init.zeros_(self.final.bias)

    def forward(self, x, tau):
        """x [B, V·L], tau [B, V] → ε̂ [B, V·L] (trained towards −z)."""
        temb = F.silu(self.time_mlp(tau))
        r = self.init(x)
        h, kept = r, []
        for d in self.downs:
            h = d.res(h, temb)
            kept.append(h)
            h = d.down(h)
        for m in self.mid:
            h = m(h, temb)
        for u in self.ups:
            h = u.up(u.res(torch.cat([h, kept.pop()], dim=1), temb))
        h = self.final_res(torch.cat([h, r], dim=1), temb)
        return self.final(F.silu(self.final_norm(h)))


def vp_marginal(t, beta_min=0.1, beta_max=20.0):
    """m(t), σ(t) of the VP-SDE (diffusion/vp_sde.h)."""
    log_m = -0.25 * t * t * (beta_max - beta_min) - 0.5 * t * beta_min
    return torch.exp(log_m), torch.sqrt(-torch.expm1(2.0 * log_m))


def masked_loss(eps_hat, z, cond, weight, n_views):
    """(1/B) Σ_b λ_b Σ_{v ∉ C_b} ‖ε̂ + z‖² (diffusion/masked_loss.h); cond [B] bit masks."""
    B = eps_hat.shape[0]
    bits = torch.tensor([[(int(c) >> v) & 1 for v in range(n_views)] for c in cond], dtype=eps_hat.dtype)
    missing = (1.0 - bits).repeat_interleave(eps_hat.shape[1] // n_views, dim=1)
    return ((eps_hat + z) ** 2 * missing).sum(dim=1).mul(weight).sum() / B

#!/usr/bin/python3
"""The masked score model's denoising loss by diffusion time and by number of given views, on training objects
(split d) and held-out ones (split e) side by side: is the model under-trained (both high), over-fitted (d below e),
or does it ignore the given views (rows equal)?

    /usr/bin/python3 python/diagnose_score.py --data DATA [--model data/weights/views/score.safetensors]
        [--ae data/weights/views/autoencoder.safetensors] [--objects 384] [--seed 0]

Prints the mean per-dimension ‖ε̂ + z‖² over the missing views (the trained loss without λ; 1.0 is predicting
nothing) for the given sets ∅, {front}, {front, back}, {front, right, back}. Runs the PyTorch twin (parity-tested
against the C engine) on one thread.
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dimvida_torch.autoencoder import ViewAutoencoder  # noqa: E402
from dimvida_torch.safetensors_io import load_file  # noqa: E402
from dimvida_torch.score_net import ScoreNet, ScoreNetConfig, vp_marginal  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GIVEN_SETS = [((), "none"), ((0,), "front"), ((0, 2), "front, back"), ((0, 1, 2), "front, right, back")]
TIMES = [0.02, 0.1, 0.3, 0.6, 0.9]


def read_views(path, count):
    """count objects evenly spaced of a .dvmv cache (src/engine/views/multiview.h): uint8 [n][V][H][W][3]."""
    with open(path, "rb") as f:
        head = f.read(256)
        if head[:8] != b"DVMVIEW1":
            sys.exit(f"{path}: not a dimvida multi-view cache")
        n, v, h, w, c = struct.unpack("<5I", head[16:36])
        f.seek(256 + n + n + 4 * n)
        pixels = np.frombuffer(f.read(n * v * h * w * c), np.uint8).reshape(n, v, h, w, c)
    return pixels[:: max(1, n // count)][:count]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default=os.path.join(ROOT, "data/weights/views/score.safetensors"))
    ap.add_argument("--ae", default=os.path.join(ROOT, "data/weights/views/autoencoder.safetensors"))
    ap.add_argument("--objects", type=int, default=384)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    tensors, meta = load_file(a.model)
    net = ScoreNet(ScoreNetConfig.from_json(meta["score_net_config"]))
    net.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("latent_")})
    net.eval()
    mean, std = tensors["latent_mean"].reshape(1, -1), tensors["latent_std"].reshape(1, -1)
    ae = ViewAutoencoder.from_safetensors(a.ae).eval()
    V, L = net.config.n_views, net.config.latent_dim

    def latents(split):
        px = read_views(os.path.join(a.data, f"{split}.dvmv"), a.objects)
        x = torch.from_numpy(px.reshape(-1, *px.shape[2:]).astype(np.float32) / 255).permute(0, 3, 1, 2)
        with torch.no_grad():
            z = ae.encoder(x.contiguous()).reshape(len(px), V * L)
        return (z - mean) / std

    def loss(z, given, t, gen):
        tau = torch.full((len(z), V), t)
        tau[:, list(given)] = 0.0
        m, s = vp_marginal(tau)
        noise = torch.randn(z.shape, generator=gen)
        missing = (tau > 0).float().repeat_interleave(L, 1)
        xt = torch.where(missing > 0, m.repeat_interleave(L, 1) * z + s.repeat_interleave(L, 1) * noise, z)
        with torch.no_grad():
            eps_hat = net(xt, tau)
        return float((((eps_hat + noise) ** 2) * missing).sum() / missing.sum())

    splits = {"d (training)": latents("d"), "e (held out)": latents("e")}
    print(f"{a.model}: mean per-dimension ‖ε̂ + z‖² over the missing views, {a.objects} objects per split")
    print("| given | split | " + " | ".join(f"t = {t}" for t in TIMES) + " |")
    print("| --- | --- | " + " | ".join("---:" for _ in TIMES) + " |")
    for given, name in GIVEN_SETS:
        for split, z in splits.items():
            gen = torch.Generator().manual_seed(a.seed)
            print(f"| {name} | {split} | " + " | ".join(f"{loss(z, given, t, gen):.3f}" for t in TIMES) + " |")


if __name__ == "__main__":
    main()

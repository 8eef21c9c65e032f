#!/usr/bin/python3
"""PyTorch-CPU reference of the Playground recipe, for timing against `dimvida toy bench`.

The model and training step follow the 2D-diffusion seed as the digest describes it
(shared/reference/seeds-digest.md, section A): the MLP denoiser with sinusoidal embeddings,
the linear/quadratic noise schedule, AdamW, cosine LR stepped every step, grad-norm clip 0.5,
EMA (0.995, every 10 steps, warm-up 100, power 2/3), and the GAN variant with the
discriminator, BCE-with-logits and the gradient penalty through create_graph, where the
fake sample is the denoiser's estimate x̂0 (so the adversarial term reaches the denoiser).

Prints one `key value` line per figure; times are medians over the timed steps.
Run with Debian's /usr/bin/python3 and python3-torch (which calls the system OpenBLAS).
"""

import argparse
import ctypes
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SinusoidalEmbedding(nn.Module):
    def __init__(self, size, scale=1.0):
        super().__init__()
        self.size = size
        self.scale = scale

    def forward(self, x):
        x = x * self.scale
        half = self.size // 2
        freq = torch.exp(-math.log(10000.0) / (half - 1) * torch.arange(half, device=x.device))
        angles = x.unsqueeze(-1) * freq.unsqueeze(0)
        return torch.cat((torch.sin(angles), torch.cos(angles)), dim=-1)


class ResidualBlock(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.ff = nn.Linear(width, width)
        self.act = nn.ReLU()

    def forward(self, x):
        return x + self.ff(self.act(x))


class MLPDenoiser(nn.Module):
    def __init__(self, embedding_dim=128, hidden_dim=256, hidden_layers=3):
        super().__init__()
        self.time_mlp = SinusoidalEmbedding(embedding_dim)
        self.input_mlp1 = SinusoidalEmbedding(embedding_dim, scale=25.0)
        self.input_mlp2 = SinusoidalEmbedding(embedding_dim, scale=25.0)
        self.network = nn.Sequential(
            nn.Linear(embedding_dim * 3, hidden_dim),
            *[ResidualBlock(hidden_dim) for _ in range(hidden_layers)],
            nn.ReLU(),
            nn.Linear(hidden_dim, 2),
        )

    def forward(self, x, t):
        emb = torch.cat((self.input_mlp1(x[:, 0]), self.input_mlp2(x[:, 1]), self.time_mlp(t)), dim=-1)
        return self.network(emb)


class Discriminator(nn.Module):
    def __init__(self, input_dim=2, hidden_dim=256, hidden_layers=6):
        super().__init__()
        layers = [nn.Linear(input_dim, hidden_dim), nn.ReLU()]
        for _ in range(hidden_layers - 1):
            layers += [nn.Linear(hidden_dim, hidden_dim), nn.ReLU()]
        layers.append(nn.Linear(hidden_dim, 1))
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class NoiseScheduler:
    def __init__(self, num_timesteps=100, beta_start=0.0001, beta_end=0.02, beta_schedule="linear"):
        self.num_timesteps = num_timesteps
        if beta_schedule == "linear":
            self.betas = torch.linspace(beta_start, beta_end, num_timesteps, dtype=torch.float32)
        elif beta_schedule == "quadratic":
            self.betas = torch.linspace(beta_start ** 0.5, beta_end ** 0.5, num_timesteps, dtype=torch.float32) ** 2
        else:
            raise ValueError(beta_schedule)
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = torch.cumprod(self.alphas, dim=0)
        self.alphas_cumprod_prev = F.pad(self.alphas_cumprod[:-1], (1, 0), value=1.0)
        self.sqrt_alphas_cumprod = self.alphas_cumprod ** 0.5
        self.sqrt_one_minus_alphas_cumprod = (1 - self.alphas_cumprod) ** 0.5
        self.sqrt_inv_alphas_cumprod = torch.sqrt(1 / self.alphas_cumprod)
        self.sqrt_inv_alphas_cumprod_minus_one = torch.sqrt(1 / self.alphas_cumprod - 1)
        self.posterior_mean_coef1 = self.betas * torch.sqrt(self.alphas_cumprod_prev) / (1.0 - self.alphas_cumprod)
        self.posterior_mean_coef2 = (1.0 - self.alphas_cumprod_prev) * torch.sqrt(self.alphas) / (
            1.0 - self.alphas_cumprod)

    def reconstruct_x0(self, x_t, t, noise):
        s1 = self.sqrt_inv_alphas_cumprod[t].reshape(-1, 1)
        s2 = self.sqrt_inv_alphas_cumprod_minus_one[t].reshape(-1, 1)
        return s1 * x_t - s2 * noise

    def q_posterior(self, x_0, x_t, t):
        s1 = self.posterior_mean_coef1[t].reshape(-1, 1)
        s2 = self.posterior_mean_coef2[t].reshape(-1, 1)
        return s1 * x_0 + s2 * x_t

    def get_variance(self, t):
        if t == 0:
            return 0
        variance = self.betas[t] * (1.0 - self.alphas_cumprod_prev[t]) / (1.0 - self.alphas_cumprod[t])
        return variance.clip(1e-20)

    def step(self, model_output, timestep, sample):
        pred_original_sample = self.reconstruct_x0(sample, timestep, model_output)
        pred_prev_sample = self.q_posterior(pred_original_sample, sample, timestep)
        variance = 0
        if timestep > 0:
            noise = torch.randn_like(model_output)
            variance = (self.get_variance(timestep) ** 0.5) * noise
        return pred_prev_sample + variance

    def add_noise(self, x_start, x_noise, timesteps):
        s1 = self.sqrt_alphas_cumprod[timesteps].reshape(-1, 1)
        s2 = self.sqrt_one_minus_alphas_cumprod[timesteps].reshape(-1, 1)
        return s1 * x_start + s2 * x_noise


class EMA:
    """The seed's EMA(beta=0.995, update_every=10), warm-up 100 steps, power 2/3."""

    def __init__(self, model, beta=0.995, update_every=10, update_after_step=100, inv_gamma=1.0, power=2 / 3):
        self.online = model
        self.ema_model = MLPDenoiser()
        self.ema_model.load_state_dict(model.state_dict())
        self.ema_model.requires_grad_(False)
        self.beta, self.update_every, self.update_after_step = beta, update_every, update_after_step
        self.inv_gamma, self.power = inv_gamma, power
        self.step = 0

    @torch.no_grad()
    def update(self):
        self.step += 1
        if self.step % self.update_every != 0:
            return
        pairs = zip(self.ema_model.parameters(), self.online.parameters())
        if self.step <= self.update_after_step:
            for e, o in pairs:
                e.copy_(o)
            return
        epoch = max(self.step - self.update_after_step - 1, 0)
        decay = min(max(1 - (1 + epoch / self.inv_gamma) ** -self.power, 0.0), self.beta)
        for e, o in pairs:
            e.lerp_(o, 1 - decay)


def make_moons(n, noise, generator):
    """Two interleaving half circles (as scikit-learn's), then the seed's affine map."""
    n_out = n // 2
    n_in = n - n_out
    t_out = torch.linspace(0, math.pi, n_out)
    t_in = torch.linspace(0, math.pi, n_in)
    x = torch.cat((torch.cos(t_out), 1 - torch.cos(t_in)))
    y = torch.cat((torch.sin(t_out), 1 - torch.sin(t_in) - 0.5))
    pts = torch.stack((x, y), dim=1)
    pts += noise * torch.randn(pts.shape, generator=generator)
    pts[:, 0] = (pts[:, 0] + 0.3) * 2 - 1
    pts[:, 1] = (pts[:, 1] + 0.3) * 3 - 1
    return pts


def gradient_penalty(disc, real, fake):
    alpha = torch.rand(real.shape[0], 1)
    mix = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = disc(mix)
    grad, = torch.autograd.grad(out, mix, grad_outputs=torch.ones_like(out), create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def time_training(args, data, gan):
    torch.manual_seed(args.seed)
    model = MLPDenoiser()
    ema = EMA(model)
    sched = NoiseScheduler(args.timesteps, beta_schedule=args.schedule)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4)
    total = args.warmup + args.steps
    lr_sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
    if gan:
        disc = Discriminator(hidden_layers=args.disc_layers)
        disc_opt = torch.optim.AdamW(disc.parameters(), lr=1.5e-4)
    perm = torch.randperm(data.shape[0])
    cursor = 0
    times = []
    for step in range(total):
        # Batches from a shuffled epoch by indexing (cheaper than the seed's DataLoader: favours PyTorch).
        if cursor + args.batch > data.shape[0]:
            perm = torch.randperm(data.shape[0])
            cursor = 0
        start = time.perf_counter()
        x0 = data[perm[cursor:cursor + args.batch]]
        cursor += args.batch
        noise = torch.randn(x0.shape)
        t = torch.randint(0, sched.num_timesteps, (x0.shape[0],)).long()
        x_t = sched.add_noise(x0, noise, t)
        pred = model(x_t, t)
        loss = F.mse_loss(pred, noise)
        if gan:
            # The fake is the denoiser's own estimate of x0, so the adversarial term has a gradient.
            x0_hat = sched.reconstruct_x0(x_t, t, pred)
            disc_opt.zero_grad()
            real_logits = disc(x0)
            fake_logits = disc(x0_hat.detach())
            d_loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
                      + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
                      + args.lambda_gp * gradient_penalty(disc, x0, x0_hat.detach()))
            d_loss.backward()
            disc_opt.step()
            adv_logits = disc(x0_hat)
            loss = loss + args.lambda_adv * F.binary_cross_entropy_with_logits(adv_logits,
                                                                               torch.ones_like(adv_logits))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        lr_sched.step()
        ema.update()
        elapsed = time.perf_counter() - start
        if step >= args.warmup:
            times.append(elapsed)
    if not math.isfinite(loss.item()):
        sys.exit("toy2d_torch: training diverged")
    return statistics.median(times) * 1000.0, ema.ema_model, sched


@torch.no_grad()
def time_sampling(args, ema_model, sched):
    """Median seconds of `repeats` runs of the seed's sampling loop with the EMA model."""
    ema_model.eval()
    times = []
    for r in range(args.repeats):
        torch.manual_seed(args.seed + 1 + r)
        start = time.perf_counter()
        sample = torch.randn(args.sample_points, 2)
        for i in reversed(range(sched.num_timesteps)):
            t = torch.full((args.sample_points,), i, dtype=torch.long)
            residual = ema_model(sample, t)
            sample = sched.step(residual, i, sample)
        times.append(time.perf_counter() - start)
        if not torch.isfinite(sample).all():
            sys.exit("toy2d_torch: sampling diverged")
    return statistics.median(times)


def openblas_core():
    """The core of the OpenBLAS that this process loaded (the one torch's sgemm calls), or None."""
    try:
        with open("/proc/self/maps") as maps:
            libs = {line.split()[-1] for line in maps if "openblas" in line and ".so" in line}
        for path in sorted(libs):
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_get_corename"):
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return path, lib.openblas_get_corename().decode(), lib.openblas_get_num_threads()
    except OSError:
        pass
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=200, help="timed training steps (median taken)")
    p.add_argument("--gan-steps", type=int, default=None, help="timed steps with the discriminator (default: --steps)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--timesteps", type=int, default=100)
    p.add_argument("--schedule", default="quadratic", choices=["linear", "quadratic"])
    p.add_argument("--disc-layers", type=int, default=6)
    p.add_argument("--lambda-gp", type=float, default=10.0)
    p.add_argument("--lambda-adv", type=float, default=1.0)
    p.add_argument("--sample-points", type=int, default=10000)
    p.add_argument("--repeats", type=int, default=1, help="sampling runs (median taken)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-gan", action="store_true")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    # torch.set_num_threads does not reach OpenBLAS's own pool: set it too.
    blas = openblas_core()
    if blas is None:
        torch.zeros(2, 2) @ torch.zeros(2, 2)  # loads the BLAS
        blas = openblas_core()
    if blas is not None:
        ctypes.CDLL(blas[0]).openblas_set_num_threads(args.threads)
        blas = openblas_core()

    print(f"torch_version {torch.__version__}")
    print(f"torch_threads {torch.get_num_threads()}")
    if blas is not None:
        print(f"openblas_library {blas[0]}")
        print(f"openblas_core {blas[1]}")
        print(f"openblas_threads {blas[2]}")
    else:
        print("openblas_core none")
    print(f"batch {args.batch}")
    sys.stdout.flush()

    gen = torch.Generator().manual_seed(42)
    data = make_moons(100000, 0.03, gen)

    ms, ema_model, sched = time_training(args, data, gan=False)
    print(f"train_ms_per_step_median {ms:.3f}")
    sys.stdout.flush()
    if not args.skip_gan:
        gan_args = argparse.Namespace(**vars(args))
        gan_args.steps = args.gan_steps if args.gan_steps is not None else args.steps
        ms_gan, _, _ = time_training(gan_args, data, gan=True)
        print(f"gan_train_ms_per_step_median {ms_gan:.3f}")
        sys.stdout.flush()
    seconds = time_sampling(args, ema_model, sched)
    print(f"sample_seconds {seconds:.3f}")
    print(f"sample_points {args.sample_points}")
    print(f"sample_steps {sched.num_timesteps}")


if __name__ == "__main__":
    main()

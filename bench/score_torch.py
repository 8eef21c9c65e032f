#!/usr/bin/python3
"""The masked score network against its PyTorch twin (python/dimvida_torch/score_net.py): one training step
(masked batch, forward, masked loss, backward; no optimiser step on either side) at batch 256 for each width, and
3 missing views from 1 given with 250 Euler–Maruyama steps, decoded (encode the given view, the sampler at
batch 1, decode the 3 others), in process on both sides (`dimvida views bench-score`); plus the whole
`dimvida views generate` process on files of random weights written by the twins. Interleaved width by width in
one run, same threads and OpenBLAS core. Prints a markdown section; --out puts it into bench/RESULTS-views.md
(replacing an older one), atomically.

    /usr/bin/python3 bench/score_torch.py BUILD_DIR [--threads 2] [--repeats 5] [--widths 256,384,512]
                                          [--shipping 384] [--out bench/RESULTS-views.md]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from dimvida_torch import ScoreNet, ScoreNetConfig, ViewAutoencoder, save_file  # noqa: E402
from dimvida_torch.score_net import masked_loss, vp_marginal  # noqa: E402

SECTION = "## Score network and generation"
OBJECTS_D = 6500  # split d at the default 500 objects per class × 13 classes: an epoch is 6500 / batch steps


def subsets(n):
    """The 14 proper non-empty subsets of 4 views, by size then value (diffusion/masked_loss.h)."""
    return sorted([m for m in range(1, (1 << n) - 1)], key=lambda m: (bin(m).count("1"), m))


def torch_train_ms(width, batch, repeats):
    c = ScoreNetConfig(width=width)
    net = ScoreNet(c)
    V, L = c.n_views, c.latent_dim
    x0 = torch.randn(batch, V * L)
    subs = subsets(V)
    times = []
    for r in range(repeats + 2):
        t0 = time.perf_counter()
        # The masked batch as the C trainer draws it: d = 0.2 all diffuse, else one subset for the batch.
        t = torch.rand(batch) * (1 - 1e-3) + 1e-3
        cond = 0 if torch.rand(()) < 0.2 else subs[int(torch.randint(len(subs), ()))]
        given = torch.tensor([(cond >> v) & 1 for v in range(V)], dtype=torch.float32)
        m, s = vp_marginal(t)
        z = torch.randn(batch, V * L) * (1 - given).repeat_interleave(L)
        keep = given.repeat_interleave(L)
        xt = keep * x0 + (1 - keep) * (m[:, None] * x0 + s[:, None] * z)
        tau = t[:, None] * (1 - given)[None, :]
        k = bin(cond).count("1")
        weight = torch.full((batch,), 1.0 + k / (V - k))
        net.zero_grad()
        masked_loss(net(xt, tau), z, [cond] * batch, weight, V).backward()
        if r >= 2:
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), sum(p.numel() for p in net.parameters())


@torch.no_grad()
def torch_generate_ms(width, steps, repeats):
    """As dv_masked_sampler_run: missing latents from N(0, I), the given one clamped at time 0, t from 1 to ε."""
    c = ScoreNetConfig(width=width)
    net, ae = ScoreNet(c), ViewAutoencoder()
    for p in net.final.parameters():
        p.normal_(0, 0.01)
    V, L, eps = c.n_views, c.latent_dim, 1e-3
    img = torch.rand(1, 3, 64, 64)
    bmin, bmax = 0.1, 20.0
    times = []
    for r in range(repeats + 1):
        t0 = time.perf_counter()
        zg = ae.encoder(img)
        x = torch.randn(1, V, L)
        x[:, 0] = zg
        dt = (1 - eps) / steps
        for k in range(steps, 0, -1):
            t = eps + (1 - eps) * k / steps
            tau = torch.tensor([[0.0] + [t] * (V - 1)])
            eps_hat = net(x.reshape(1, V * L), tau).reshape(1, V, L)
            _, s = vp_marginal(torch.tensor(t))
            beta = bmin + t * (bmax - bmin)
            x = x + (0.5 * beta * x + beta * eps_hat / s) * dt
            if k > 1:
                x = x + (beta * dt) ** 0.5 * torch.randn_like(x)
            x[:, 0] = zg
        ae.decoder(x[0, 1:])
        if r >= 1:
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def ours(dimvida, args, width, gen_steps):
    cmd = [dimvida, "views", "bench-score", "--threads", str(args.threads), "--repeats", str(args.repeats),
           "--widths", str(width), "--batch", str(args.batch), "--generate-steps", str(gen_steps)]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    train = float(re.search(r"score width \d+ batch \d+ params \d+ step_ms ([\d.]+)", text).group(1))
    gen = re.search(r"generate width \d+ em_steps \d+ missing 3 ms ([\d.]+)", text)
    return train, float(gen.group(1)) if gen else None, " ".join(cmd)


def process_seconds(dimvida, width, threads, repeats, tmp):
    """The whole `dimvida views generate` process, on random weights written by the twins."""
    c = ScoreNetConfig(width=width)
    net, ae = ScoreNet(c), ViewAutoencoder()
    tensors = dict(net.state_dict())
    tensors["latent_mean"] = torch.zeros(c.n_views, c.latent_dim)
    tensors["latent_std"] = torch.ones(c.n_views, c.latent_dim)
    score = os.path.join(tmp, "score.safetensors")
    save_file(tensors, score, {"format": "dimvida-score-model-1", "score_net_config": c.to_json()})
    ae_path = os.path.join(tmp, "ae.safetensors")
    ae.save_safetensors(ae_path)
    strip = os.path.join(tmp, "strip.png")
    subprocess.run([dimvida, "views", "render", "--class", "chair", "--out", strip], check=True, capture_output=True)
    cmd = [dimvida, "views", "generate", "--given", "front", strip, "--out", os.path.join(tmp, "out.png"),
           "--model", score, "--ae", ae_path, "--steps", "250", "--threads", str(threads)]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), " ".join(cmd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--widths", default="256,384,512")
    ap.add_argument("--shipping", type=int, default=384)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dimvida = os.path.join(args.build_dir, "src", "cli", "dimvida")
    load_before = open("/proc/loadavg").read().split()[:3]
    widths = [int(w) for w in args.widths.split(",")]
    if args.shipping not in widths:
        widths.append(args.shipping)
    train_rows, gen_rows, commands = [], [], []
    for w in widths:
        ours_train, ours_gen, cmd = ours(dimvida, args, w, 250)
        commands.append(cmd)
        torch_train, n_params = torch_train_ms(w, args.batch, args.repeats)
        torch.set_num_threads(args.threads)
        gen_spin = torch_generate_ms(w, 250, max(1, args.repeats // 2))
        torch.set_num_threads(1)
        gen_one = torch_generate_ms(w, 250, max(1, args.repeats // 2))
        torch.set_num_threads(args.threads)
        train_rows.append((w, n_params, ours_train, torch_train))
        gen_rows.append((w, ours_gen, gen_spin, gen_one))
    with tempfile.TemporaryDirectory(prefix="dv-score-bench-") as tmp:
        proc_s, proc_cmd = process_seconds(dimvida, args.shipping, args.threads, 3, tmp)
    load_after = open("/proc/loadavg").read().split()[:3]

    steps_per_epoch = OBJECTS_D / args.batch
    out = [SECTION, "",
           f"Written by `bench/score_torch.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: dimvida "
           f"(`dimvida views bench-score`) against the PyTorch twin, width by width in one run, {args.threads} "
           f"threads on both sides, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, "
           f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}; medians of {args.repeats} repeats. "
           f"Load average before / after: {' '.join(load_before)} / {' '.join(load_after)} (shared cores: read "
           "the ratios).", "",
           f"Training step (masked batch, forward, loss, backward; no optimiser step), batch {args.batch}; epochs/min "
           f"for split d's {OBJECTS_D} objects:", "",
           "| width | parameters | dimvida ms | PyTorch ms | PyTorch / ours | dimvida epochs/min | "
           "90 min of dimvida, epochs |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for w, n, a, b in train_rows:
        epm = 60e3 / (a * steps_per_epoch)
        out.append(f"| {w}{' (shipped)' if w == args.shipping else ''} | {n:,} | {a:.1f} | {b:.1f} | {b / a:.2f}× "
                   f"| {epm:.1f} | {epm * 90:,.0f} |")
    out += ["", "3 missing views from 1 given, 250 Euler–Maruyama steps, decoded (encode, sample at batch 1, decode 3; "
            "in process; dimvida runs the convolutions of so few views on one thread, as `views generate` does):", "",
            f"| width | dimvida ms | PyTorch {args.threads} thr ms | PyTorch 1 thr ms | fastest PyTorch / ours |",
            "| ---: | ---: | ---: | ---: | ---: |"]
    for w, a, b, c in gen_rows:
        out.append(f"| {w}{' (shipped)' if w == args.shipping else ''} | {a:.1f} | {b:.1f} | {c:.1f} | "
                   f"{min(b, c) / a:.2f}× |")
    out += ["", f"The whole `dimvida views generate` process (width {args.shipping}, random weights written by the "
            f"twins, 1 given view of a rendered strip, 250 steps, PNG in and out): **{proc_s:.2f} s** (median of 3; "
            "the issue's goal is ≤ 0.5 s).", "",
            "Commands: `/usr/bin/python3 bench/score_torch.py "
            f"{args.build_dir} --threads {args.threads} --repeats {args.repeats} --widths {args.widths} "
            f"--shipping {args.shipping}`, which ran:"]
    out += [f"- `{c}`" for c in commands + [proc_cmd]]
    section = "\n".join(out) + "\n"
    print(section)
    if args.out:
        old = open(args.out).read() if os.path.exists(args.out) else ""
        head = old.split("\n" + SECTION)[0].rstrip("\n") if old else ""
        text = (head + "\n\n" if head else "") + section
        tmp_path = args.out + ".tmp"
        with open(tmp_path, "w") as f:
            f.write(text)
        os.replace(tmp_path, args.out)


if __name__ == "__main__":
    main()

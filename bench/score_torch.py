#!/usr/bin/python3
"""The masked score network against its PyTorch twin (python/dimvida_torch/score_net.py): one training step
(masked batch, forward, masked loss, backward; no optimiser step on either side) at batch 256 for each width, and
3 missing views from 1 given with 250 Euler–Maruyama steps, decoded (encode the given view, the sampler at
batch 1, decode the 3 others), in process on both sides (`dimvida views bench-score`), in F32 and BF16 on both
sides (ours: BF16 Linear weights, nn/linear_bf16.c; the twin: model.to(torch.bfloat16), everything BF16), the four
interleaved round by round; the forwards at batch 1 and 8; the Linear layer's one-row products (sgemm, sgemv, our
BF16 kernel); plus the whole `dimvida views generate` process in both precisions on files of random weights written
by the twins. One run, same threads and OpenBLAS core. Prints a markdown section; --out puts it into
bench/RESULTS-views.md (replacing an older one, keeping the sections after it), atomically.

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


def twin_models(width):
    """The score net (output layer made non-zero) and autoencoder, in F32 and as BF16 copies (model.to(bfloat16):
    weights and activations BF16 throughout — torch 1.13's CPU autocast cannot run GroupNorm on BF16 input, so the
    twin's BF16 is the whole-model cast)."""
    torch.manual_seed(0)
    c = ScoreNetConfig(width=width)
    net, ae = ScoreNet(c).eval(), ViewAutoencoder().eval()
    with torch.no_grad():
        for p in net.final.parameters():
            p.normal_(0, 0.01)
    net16, ae16 = ScoreNet(c).eval(), ViewAutoencoder().eval()
    net16.load_state_dict(net.state_dict())
    ae16.load_state_dict(ae.state_dict())
    return {"f32": (c, net, ae), "bf16": (c, net16.to(torch.bfloat16), ae16.to(torch.bfloat16))}


@torch.no_grad()
def torch_generate_ms(models, steps, repeats, dtype):
    """As dv_masked_sampler_run: missing latents from N(0, I), the given one clamped at time 0, t from 1 to ε;
    the state in dtype (F32, or BF16 for the BF16 twin), the sampler's arithmetic as PyTorch does it in that dtype."""
    c, net, ae = models
    V, L, eps = c.n_views, c.latent_dim, 1e-3
    img = torch.rand(1, 3, 64, 64, dtype=dtype)
    bmin, bmax = 0.1, 20.0
    times = []
    for r in range(repeats + 1):
        t0 = time.perf_counter()
        zg = ae.encoder(img)
        x = torch.randn(1, V, L, dtype=dtype)
        x[:, 0] = zg
        dt = (1 - eps) / steps
        for k in range(steps, 0, -1):
            t = eps + (1 - eps) * k / steps
            tau = torch.tensor([[0.0] + [t] * (V - 1)], dtype=dtype)
            eps_hat = net(x.reshape(1, V * L), tau).reshape(1, V, L)
            _, s = vp_marginal(torch.tensor(t))
            beta = bmin + t * (bmax - bmin)
            x = x + (0.5 * beta * x + beta * eps_hat / s.item()) * dt
            if k > 1:
                x = x + (beta * dt) ** 0.5 * torch.randn_like(x)
            x[:, 0] = zg
        ae.decoder(x[0, 1:])
        if r >= 1:
            times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


@torch.no_grad()
def torch_forward_ms(models, batch, dtype, calls=50):
    c, net, _ = models
    x = torch.randn(batch, c.n_views * c.latent_dim, dtype=dtype)
    tau = torch.rand(batch, c.n_views, dtype=dtype)
    for _ in range(5):
        net(x, tau)
    t0 = time.perf_counter()
    for _ in range(calls):
        net(x, tau)
    return (time.perf_counter() - t0) * 1e3 / calls


def ours_train(dimvida, args, width):
    cmd = [dimvida, "views", "bench-score", "--threads", str(args.threads), "--repeats", str(args.repeats),
           "--widths", str(width), "--batch", str(args.batch), "--generate-steps", "0"]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    train = float(re.search(r"score width \d+ batch \d+ params \d+ step_ms ([\d.]+)", text).group(1))
    return train, " ".join(cmd)


def ours_generate(dimvida, args, width, repeats=1, extra=()):
    """One bench-score run without the training step: {precision: generation ms}, {(batch, precision): forward
    ms}, the Linear lines, the kernel's name."""
    cmd = [dimvida, "views", "bench-score", "--threads", str(args.threads), "--repeats", str(repeats),
           "--widths", str(width), "--batch", "0", "--generate-steps", "250", "--precision", "f32,bf16",
           *extra]
    text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    gen = {m.group(1): float(m.group(2))
           for m in re.finditer(r"generate width \d+ em_steps \d+ missing 3 precision (\w+) ms ([\d.]+)", text)}
    fwd = {(int(m.group(1)), m.group(2)): float(m.group(3))
           for m in re.finditer(r"forward width \d+ batch (\d+) precision (\w+) ms ([\d.]+)", text)}
    linears = re.findall(r"^linear .*$", text, re.M)
    kernel = re.search(r"bf16_kernel (\S+)", text).group(1)
    return gen, fwd, linears, kernel, " ".join(cmd)


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
    base = [dimvida, "views", "generate", "--given", "front", strip, "--out", os.path.join(tmp, "out.png"),
            "--model", score, "--ae", ae_path, "--steps", "250", "--threads", str(threads), "--precision"]
    times = {"f32": [], "bf16": []}
    for _ in range(repeats):
        for p in times:
            t0 = time.perf_counter()
            subprocess.run(base + [p], check=True, capture_output=True)
            times[p].append(time.perf_counter() - t0)
    return {p: statistics.median(t) for p, t in times.items()}, " ".join(base + ["f32|bf16"])


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
    fwd_rows, linears, kernel = [], [], "?"
    for w in widths:
        ours_ms, cmd = ours_train(dimvida, args, w)
        commands.append(cmd)
        torch_ms, n_params = torch_train_ms(w, args.batch, args.repeats)
        train_rows.append((w, n_params, ours_ms, torch_ms))
    for w in widths:
        models = twin_models(w)
        # Round by round: ours in both precisions (one process, interleaved inside), then the twin in each dtype
        # at args.threads and at 1 thread; medians per column.
        cols = {k: [] for k in ("ours f32", "ours bf16", "twin f32 T", "twin f32 1", "twin bf16 T", "twin bf16 1")}
        for r in range(args.repeats):
            gen, _, _, kernel, cmd = ours_generate(dimvida, args, w, 1, ("--small-batch", "0"))
            if r == 0:
                commands.append(cmd)
            cols["ours f32"].append(gen["f32"])
            cols["ours bf16"].append(gen["bf16"])
            for dtype, name in ((torch.float32, "f32"), (torch.bfloat16, "bf16")):
                for th, tag in ((args.threads, "T"), (1, "1")):
                    torch.set_num_threads(th)
                    cols[f"twin {name} {tag}"].append(torch_generate_ms(models[name], 250, 1, dtype))
            torch.set_num_threads(args.threads)
        gen_rows.append((w, {k: statistics.median(v) for k, v in cols.items()}))
        if w == args.shipping:
            # The forwards at batch 1 and 8 and the Linear products, once, at the shipped width.
            _, fwd, linears, kernel, cmd = ours_generate(dimvida, args, w, args.repeats, ("--linears",))
            commands.append(cmd)
            for B in (1, 8):
                fwd_rows.append((B, fwd.get((B, "f32")), fwd.get((B, "bf16")),
                                 torch_forward_ms(models["f32"], B, torch.float32),
                                 torch_forward_ms(models["bf16"], B, torch.bfloat16)))
    with tempfile.TemporaryDirectory(prefix="dv-score-bench-") as tmp:
        proc_s, proc_cmd = process_seconds(dimvida, args.shipping, args.threads, 3, tmp)
    load_after = open("/proc/loadavg").read().split()[:3]

    steps_per_epoch = OBJECTS_D / args.batch
    out = [SECTION, "",
           f"Written by `bench/score_torch.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: dimvida "
           f"(`dimvida views bench-score`) against the PyTorch twin {torch.__version__}, in one run, "
           f"{args.threads} threads on both sides unless said, "
           f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}, "
           f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}; medians of {args.repeats} repeats. "
           f"Load average before / after: {' '.join(load_before)} / {' '.join(load_after)} on 2 cores shared "
           "with a training run (absolute times are inflated: read the ratios, taken within one run).", "",
           f"Training step (masked batch, forward, loss, backward; no optimiser step; F32 on both sides), batch "
           f"{args.batch}; epochs/min for split d's {OBJECTS_D} objects:", "",
           "| width | parameters | dimvida ms | PyTorch ms | PyTorch / ours | dimvida epochs/min | "
           "90 min of dimvida, epochs |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for w, n, a, b in train_rows:
        epm = 60e3 / (a * steps_per_epoch)
        out.append(f"| {w}{' (shipped)' if w == args.shipping else ''} | {n:,} | {a:.1f} | {b:.1f} | {b / a:.2f}× "
                   f"| {epm:.1f} | {epm * 90:,.0f} |")
    out += ["", "3 missing views from 1 given, 250 Euler–Maruyama steps, decoded (encode, sample at batch 1, decode 3; "
            "in process; dimvida runs the convolutions of so few views on one thread, as `views generate` does). "
            f"F32 and BF16 on both sides, interleaved round by round. Ours in BF16: the Linear weights and inputs "
            f"rounded to BF16, sums and everything else F32 (kernel: {kernel}); the twin in BF16: "
            "`model.to(torch.bfloat16)`, every tensor BF16 (torch 1.13's CPU autocast fails on GroupNorm). "
            "Twin times are the faster of "
            f"{args.threads} threads and 1 thread:", "",
            "| width | dimvida F32 ms | dimvida BF16 ms | twin F32 ms | twin BF16 ms | F32: twin / ours | "
            "**BF16: twin / ours (like for like)** | twin F32 / ours BF16 (not like for like) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for w, m in gen_rows:
        tf = min(m["twin f32 T"], m["twin f32 1"])
        tb = min(m["twin bf16 T"], m["twin bf16 1"])
        of, ob = m["ours f32"], m["ours bf16"]
        out.append(f"| {w}{' (shipped)' if w == args.shipping else ''} | {of:.1f} | {ob:.1f} | {tf:.1f} | {tb:.1f} | "
                   f"{tf / of:.2f}× | **{tb / ob:.2f}×** | {tf / ob:.2f}× |")
    out += ["", "Twin detail (ms): " + "; ".join(
        f"width {w}: F32 {m['twin f32 T']:.0f} ({args.threads} thr) / {m['twin f32 1']:.0f} (1 thr), BF16 "
        f"{m['twin bf16 T']:.0f} / {m['twin bf16 1']:.0f}" for w, m in gen_rows) + "."]
    if fwd_rows:
        out += ["", f"One forward of the score network at width {args.shipping} (ms; dimvida's interleaved F32/BF16 "
                "in one process; the twin's right after):", "",
                "| batch | dimvida F32 | dimvida BF16 | BF16 speed-up | twin F32 | twin BF16 |",
                "| ---: | ---: | ---: | ---: | ---: | ---: |"]
        for B, of, ob, tf, tb in fwd_rows:
            out.append(f"| {B} | {of:.3f} | {ob:.3f} | {of / ob:.2f}× | {tf:.3f} | {tb:.3f} |")
    if linears:
        out += ["", "The Linear layer's products at the network's shapes (µs per call, each shape over enough distinct "
                "matrices to stream ~18 MB of F32 weights per round, as a forward does; OpenBLAS 0.3.21 as Debian "
                "builds it declares `cblas_sbgemv`/`cblas_sbgemm` but does not export them, so BF16 is our "
                f"kernel, {kernel}):", "",
                "| B | C → OC | sgemm (dv_linear_forward) | sgemv | BF16 | sgemm / BF16 |",
                "| ---: | ---: | ---: | ---: | ---: | ---: |"]
        for line in linears:
            f = line.split()
            B, C, OC, sg, sv, bf = f[2], f[4], f[6], float(f[10]), f[12], float(f[14])
            out.append(f"| {B} | {C} → {OC} | {sg:.1f} | {sv} | {bf:.1f} | {sg / bf:.2f}× |")
    out += ["", f"The whole `dimvida views generate` process (width {args.shipping}, random weights written by the "
            f"twins, 1 given view of a rendered strip, 250 steps, PNG in and out; the issue's goal is ≤ 0.5 s), "
            f"median of 3, F32 and BF16 alternating: **F32 {proc_s['f32']:.2f} s, BF16 {proc_s['bf16']:.2f} s**.", "",
            "Commands: `/usr/bin/python3 bench/score_torch.py "
            f"{args.build_dir} --threads {args.threads} --repeats {args.repeats} --widths {args.widths} "
            f"--shipping {args.shipping}`, which ran:"]
    out += [f"- `{c}`" for c in commands + [proc_cmd]]
    section = "\n".join(out) + "\n"
    print(section)
    if args.out:
        old = open(args.out).read() if os.path.exists(args.out) else ""
        head, _, rest = old.partition("\n" + SECTION)
        # Keep the sections after the old one (the next "## " heading on).
        tail = rest[rest.find("\n## ") + 1:] if "\n## " in rest else ""
        text = (head.rstrip("\n") + "\n\n" if head.strip() else "") + section + ("\n" + tail if tail else "")
        tmp_path = args.out + ".tmp"
        with open(tmp_path, "w") as f:
            f.write(text)
        os.replace(tmp_path, args.out)


if __name__ == "__main__":
    main()
